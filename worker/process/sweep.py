"""The periodic sweep that makes Postgres, not Redis, the truth about which jobs exist.

Runs in the background of every worker, every SWEEP_EVERY_SECONDS, for jobs of every kind.
It re-enqueues pending jobs missing from the queue (and parked jobs whose account is under
its fair share again: process.fair_share) and running jobs whose worker stopped
renewing its lease (clearing a dead worker's arq in-progress marker so the job is picked up
at once); it runs the kind's clean-up of completed or cancelled jobs whose worker died
before doing it; it forgets workers that stopped long ago and the events of jobs that
finished long ago; and it runs the retention purge (process.retention: files' bytes,
failed jobs' staging, old jobs and audit entries, in batches). Safe when several workers
sweep at once: enqueueing is by job ID, taking a lease is atomic, clean-ups are idempotent
and the purge's batches skip each other's rows. (Workers that die are noticed sooner, by
the registry: process.presence.)
"""

from __future__ import annotations

from collections import Counter

import structlog

from worker.background import Periodic
from worker.engine.runner import WorkerDeps, clean_up
from worker.process import retention
from worker.process.fair_share import release_parked
from worker.queue import ensure_queued
from worker.store import events

log = structlog.get_logger(__name__)

# A pending job younger than this is still being enqueued by whoever created it.
PENDING_GRACE_SECONDS = 2.0
BATCH = 1000
# Stopped and dead workers stay listed this long, for operators to see.
FORGET_WORKERS_AFTER_SECONDS = 24 * 3600.0


async def sweep_once(deps: WorkerDeps) -> Counter[str]:
    """One pass; returns what it did, by action. A job that cannot be repaired is logged
    and left for the next pass; it does not stop the others."""
    done: Counter[str] = Counter()
    queue_name = deps.settings.queue_name
    for row in await deps.jobs.to_sweep(PENDING_GRACE_SECONDS, BATCH):
        try:
            done[await ensure_queued(deps.redis, row.id, queue_name,
                                     lease_expired=row.lease_expired)] += 1
        except Exception:
            log.exception("sweep could not re-queue a job", job_id=row.id)
            done["failed"] += 1
    done["unparked"] = await release_parked(deps)
    # a job's own worker cleans up right after it ends; the sweep only after a lease's time
    for ended in await deps.jobs.to_clean_up(BATCH, deps.settings.lease_seconds):
        kind = deps.kinds.get(ended.kind)
        if kind is not None and await clean_up(deps, kind, ended.id, after="sweep"):
            done["cleaned_up"] += 1
    done["workers_forgotten"] = await deps.workers.prune(FORGET_WORKERS_AFTER_SECONDS)
    done["events_pruned"] = await events.prune(deps.pool, deps.settings.events_keep_seconds,
                                               BATCH * 10)
    # last: the repairs above must not wait behind a backlog of history (the purge takes
    # at most retention.PASS_SECONDS a pass)
    purged = await retention.purge(deps.pool, deps.settings)
    done.update({f"purged_{what}": n for what, n in purged.items()})
    if any(n for action, n in done.items() if action.startswith("purged_")) or any(
            done[action] for action in ("enqueued", "unblocked", "unparked", "cleaned_up",
                                        "failed", "events_pruned")):
        log.info("sweep re-queued jobs, cleaned up after finished ones or purged what is "
                 "past its retention", **done)
    else:
        log.debug("sweep found nothing to do")
    return done


class Sweeper:
    """sweep_once every SWEEP_EVERY_SECONDS, in the background, from the start."""

    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps
        self._loop = Periodic("sweep", lambda: deps.settings.sweep_every_seconds,
                              self._sweep, at_once=True)

    def start(self) -> Sweeper:
        self._loop.start()
        return self

    async def _sweep(self) -> None:
        await sweep_once(self.deps)

    async def stop(self) -> None:
        await self._loop.stop()
