"""Keeps a job's lease alive while the worker runs it."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

import structlog

from worker.store.jobs import JobStore

log = structlog.get_logger(__name__)


class Heartbeat:
    """Renews the lease every `every` seconds in the background.

    It stops when another worker holds the lease: the run's next checkpoint, guarded by
    the lease, finds that out and stops the job. A failed renewal (database briefly away)
    is retried at the next beat.
    """

    def __init__(self, jobs: JobStore, job_id: str, owner: str, *,
                 lease_seconds: float, every: float) -> None:
        self._jobs, self._job_id, self._owner = jobs, job_id, owner
        self._lease_seconds, self._every = lease_seconds, every
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                renewed = await self._jobs.renew_lease(
                    self._job_id, self._owner, self._lease_seconds
                )
            except Exception as exc:
                log.warning("lease renewal failed", error=type(exc).__name__)
                continue
            if renewed is None:
                return

    async def __aenter__(self) -> Heartbeat:
        self._task = asyncio.create_task(self._beat(), name=f"heartbeat:{self._job_id}")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
