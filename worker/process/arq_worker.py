"""arq's Worker as we run it, and its settings (`arq worker.process.arq_worker.
WorkerSettings` runs it too, without our graceful shutdown).

arq lets a Redis error in its polling loop escape, which stops the worker and cancels
every running job; a connection killed while arq watches a key (to start a job) raises
even with redis-py's retries on. Here a failed poll is logged and tried again, and a job
start that failed gives back the slot arq took for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from arq import func
from arq.worker import Worker, get_kwargs
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from worker.process.tasks import run_job, shutdown, startup
from worker.queue import JOB_TIMEOUT_SECONDS, RUN_JOB, arq_redis_settings
from worker.settings import Settings, get_settings

log = structlog.get_logger(__name__)

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, WatchError, ConnectionError)
POLL_RETRY_SECONDS = 0.5

FUNCTIONS: list[Any] = [
    # Our lease, not arq's timeout, guards a running job, so the arq timeout only bounds a
    # job that hangs; arq's own retries are unlimited in practice because the job resumes
    # from its checkpoints.
    func(run_job, name=RUN_JOB, timeout=JOB_TIMEOUT_SECONDS, max_tries=1000),
    # the name of the same function before job kinds: jobs a previous release queued
    # still run during a rolling deploy
    func(run_job, name="run_migration", timeout=JOB_TIMEOUT_SECONDS, max_tries=1000),
]


def worker_settings(settings: Settings) -> dict[str, Any]:
    """arq's Worker arguments, from our settings (read once, by the caller, at start)."""
    return {
        "functions": FUNCTIONS,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": arq_redis_settings(settings.redis_url),
        "queue_name": settings.queue_name,
        "max_jobs": settings.worker_concurrency,
        # arq polls its queue; the default 0.5 s would be most of our enqueue-to-start
        # latency
        "poll_delay": settings.worker_poll_delay_seconds,
        # results live in Postgres; keeping none in Redis lets a retried job reuse its ID
        "keep_result": 0,
        "job_timeout": JOB_TIMEOUT_SECONDS,
        # arq's health key is not our registry (the `workers` table); rarely is enough
        "health_check_interval": 60,
    }


def __getattr__(name: str) -> Any:
    # `arq worker.process.arq_worker.WorkerSettings` (arq's own CLI): the settings are
    # read when arq asks for them, not when this module is imported
    if name == "WorkerSettings":
        return worker_settings(get_settings())
    raise AttributeError(name)


class MigrationWorker(Worker):
    """An arq Worker whose polling loop rides out Redis connection loss."""

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_ERRORS as exc:
            log.warning("polling the queue failed; trying again", error=type(exc).__name__)
            await asyncio.sleep(POLL_RETRY_SECONDS)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        for raw in job_ids:
            try:
                await super().start_jobs([raw])
            except REDIS_ERRORS:
                if raw.decode() not in self.tasks:  # arq counted the job, then failed
                    self.job_counter -= 1
                    self.sem.release()
                raise


def create_worker(settings: Settings, **overrides: Any) -> MigrationWorker:
    """A MigrationWorker configured from `settings`."""
    return MigrationWorker(**{**get_kwargs(worker_settings(settings)), **overrides})
