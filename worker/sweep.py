"""The periodic sweep that makes Postgres, not Redis, the truth about which jobs exist.

Runs on every worker (arq cron). It re-enqueues pending jobs missing from the queue and
running jobs whose worker stopped renewing its lease, clearing arq's in-progress marker
of a dead worker so the job is picked up at once; and it clears the staging that a
worker dying right after a commit or cancellation left behind. Safe when several workers
run it at the same time: enqueueing is by job ID, taking a lease is atomic and clearing
staging is idempotent.
"""

from __future__ import annotations

from collections import Counter

import structlog
from arq.connections import ArqRedis

from worker.queue import ensure_queued
from worker.staging.cleanup import clear_leftover_staging
from worker.store.jobs import JobStore

log = structlog.get_logger(__name__)

# A pending job younger than this is still being enqueued by whoever created it.
PENDING_GRACE_SECONDS = 2.0
BATCH = 1000


async def sweep_once(jobs: JobStore, redis: ArqRedis, queue_name: str) -> Counter[str]:
    """One pass; returns what it did, by action."""
    done: Counter[str] = Counter()
    for row in await jobs.to_sweep(PENDING_GRACE_SECONDS, BATCH):
        done[await ensure_queued(redis, row["id"], queue_name,
                                 lease_expired=row["lease_expired"])] += 1
    done["staging_cleared"] = await clear_leftover_staging(jobs.pool, BATCH)
    if done["enqueued"] or done["unblocked"] or done["staging_cleared"]:
        log.info("sweep re-queued jobs or cleared staging", **done)
    return done
