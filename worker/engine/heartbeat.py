"""Keeps a job's lease alive while the worker runs it."""

from __future__ import annotations

from types import TracebackType

from worker.background import Periodic
from worker.store.jobs import JobStore


class Heartbeat:
    """Renews the lease every `every` seconds in the background.

    It stops when another worker holds the lease: the run's next checkpoint, guarded by
    the lease, finds that out and stops the job. A failed renewal (database briefly away)
    is retried at the next beat.
    """

    def __init__(self, jobs: JobStore, job_id: str, owner: str, *,
                 lease_seconds: float, every: float) -> None:
        self._jobs, self._job_id, self._owner = jobs, job_id, owner
        self._lease_seconds = lease_seconds
        self._loop = Periodic(f"heartbeat:{job_id}", every, self._renew)

    async def _renew(self) -> bool:
        renewed = await self._jobs.renew_lease(self._job_id, self._owner, self._lease_seconds)
        return renewed is not None  # another worker holds it: stop renewing

    async def __aenter__(self) -> Heartbeat:
        self._loop.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._loop.stop()
