"""A worker's entry in the registry: registered at start, a heartbeat every
WORKER_HEARTBEAT_SECONDS with the jobs it runs, deregistered at a graceful exit.

Each beat also looks for workers that fell silent for WORKER_DEAD_AFTER_SECONDS (SIGKILLed,
their host gone): they are marked dead and the leases they held are expired at once, so
their jobs move on now instead of when each lease would have run out.
"""

from __future__ import annotations

import structlog

from worker.background import Periodic
from worker.engine.runner import WorkerDeps
from worker.queue import ensure_queued
from worker.services import Services
from worker.store.workers import WorkerInfo

log = structlog.get_logger(__name__)


async def free_jobs_of_dead_workers(services: Services, dead_after_seconds: float) -> int:
    """Mark silent workers dead, expire their leases and put their jobs back on the queue
    at once; returns how many jobs were freed."""
    buried = await services.workers.bury_silent(dead_after_seconds)
    if not buried.workers:
        return 0
    log.warning("workers presumed dead; their jobs move on", workers=buried.workers,
                jobs=len(buried.jobs))
    # Their leases are expired already: if this fails, the sweep re-queues them instead.
    for job_id in buried.jobs:
        await ensure_queued(services.redis, job_id, services.settings.queue_name,
                            lease_expired=True)
    return len(buried.jobs)


class Presence:
    """The registry heartbeat of one worker process, in the background."""

    def __init__(self, deps: WorkerDeps, info: WorkerInfo) -> None:
        self.deps, self.info = deps, info
        self._loop = Periodic("worker-presence",
                              lambda: deps.settings.worker_heartbeat_seconds, self._beat)

    async def start(self) -> Presence:
        await self.deps.workers.register(self.info)
        log.info("worker registered", worker_id=self.info.id, version=self.info.version,
                 concurrency=self.info.concurrency)
        self._loop.start()
        return self

    async def _beat(self) -> None:
        if not await self.deps.workers.heartbeat(self.info.id, len(self.deps.running)):
            # forgotten while silent for a long time (frozen, suspended): again
            await self.deps.workers.register(self.info)
            log.warning("worker registered again", worker_id=self.info.id)
        await free_jobs_of_dead_workers(self.deps, self.deps.settings.worker_dead_after_seconds)

    async def stop(self) -> None:
        """Stop beating and deregister."""
        await self._loop.stop()
        try:
            await self.deps.workers.deregister(self.info.id)
            log.info("worker deregistered", worker_id=self.info.id)
        except Exception as exc:  # the others will presume it dead: nothing is lost
            log.warning("worker not deregistered", error=type(exc).__name__)
