"""arq's Worker as we run it: it survives a lost Redis connection.

arq lets a Redis error in its polling loop escape, which stops the worker and cancels
every running job; a connection killed while arq watches a key (to start a job) raises
even with redis-py's retries on. Here a failed poll is logged and tried again, and a job
start that failed gives back the slot arq took for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from arq.worker import Worker, get_kwargs
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

log = structlog.get_logger(__name__)

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, WatchError, ConnectionError)
POLL_RETRY_SECONDS = 0.5


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


def create_worker(settings_cls: type, **overrides: Any) -> MigrationWorker:
    """A MigrationWorker configured by an arq settings class."""
    return MigrationWorker(**{**get_kwargs(settings_cls), **overrides})
