"""The registry of worker processes (table `workers`): who is running, since when, on
which host, how busy, and who fell silent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import asyncpg

from worker.db.queries import q
from worker.db.rows import row_as, rows_as


class WorkerStatus(StrEnum):
    """Where a worker is in its life (the CHECK of `workers.status`)."""

    ALIVE = "alive"
    STOPPED = "stopped"  # deregistered at a graceful exit
    DEAD = "dead"  # fell silent: presumed dead by the others


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process says about itself when it registers."""

    id: str
    host: str
    pid: int
    version: str
    concurrency: int


@dataclass(frozen=True, slots=True)
class WorkerRow:
    """A worker as the registry lists it."""

    id: str
    host: str
    pid: int
    status: WorkerStatus
    running: int
    started_at: datetime
    last_seen_seconds_ago: float


@dataclass(frozen=True, slots=True)
class BuriedWorkers:
    """The workers just presumed dead, and the jobs whose leases they held."""

    workers: list[str]
    jobs: list[str]


class WorkerStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def register(self, info: WorkerInfo) -> None:
        await self.pool.execute(q("register_worker"), info.id, info.host, info.pid,
                                info.version, info.concurrency)

    async def heartbeat(self, worker_id: str, running: int) -> bool:
        """Note that the worker is alive and how many jobs it runs; False when the registry
        no longer has it (forgotten after a long silence: it must register again)."""
        return await self.pool.fetchval(q("worker_heartbeat"), worker_id, running) is not None

    async def deregister(self, worker_id: str) -> None:
        await self.pool.execute(q("deregister_worker"), worker_id)

    async def bury_silent(self, silent_seconds: float) -> BuriedWorkers:
        """Mark dead every live worker silent for longer than `silent_seconds` and expire
        the leases they held, atomically. Of several workers doing this at once, each dead
        one is reported to one of them."""
        row = await self.pool.fetchrow(q("bury_silent_workers"), silent_seconds)
        assert row is not None  # one row, always
        return row_as(BuriedWorkers, row)

    async def prune(self, older_than_seconds: float) -> int:
        """Forget stopped and dead workers not seen for that long; how many."""
        status = await self.pool.execute(q("prune_workers"), older_than_seconds)
        return int(status.rsplit(" ", 1)[-1])

    async def list(self, statuses: tuple[WorkerStatus, ...] = (WorkerStatus.ALIVE,)
                   ) -> list[WorkerRow]:
        """Workers in these statuses, oldest first."""
        return rows_as(WorkerRow, await self.pool.fetch(q("list_workers"), list(statuses)))
