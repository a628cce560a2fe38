"""The periodic sweep that makes Postgres, not Redis, the truth about which jobs exist.

Runs on every worker (arq cron). It re-enqueues pending jobs missing from the queue and
running jobs whose worker stopped renewing its lease, clearing arq's in-progress marker
of a dead worker so the job is picked up at once. Safe when several workers run it at
the same time: enqueueing is by job ID and taking a lease is atomic.
"""

from __future__ import annotations

from collections import Counter

import structlog

from worker.queue import ensure_queued
from worker.store.jobs import JobStore

log = structlog.get_logger(__name__)

# A pending job younger than this is still being enqueued by whoever created it.
PENDING_GRACE_SECONDS = 2.0
BATCH = 1000


async def sweep_once(jobs: JobStore, redis: object, queue_name: str) -> Counter[str]:
    """One pass; returns what it did, by action."""
    done: Counter[str] = Counter()
    for row in await jobs.to_sweep(PENDING_GRACE_SECONDS, BATCH):
        done[await ensure_queued(redis, row["id"], queue_name)] += 1  # type: ignore[arg-type]
    if done.get("enqueued") or done.get("unblocked"):
        log.info("sweep re-queued jobs", **done)
    return done
