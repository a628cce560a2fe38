"""The registry of worker processes (table `workers`): who is running, since when, on
which host, how busy, and who fell silent."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from worker.db.queries import q

Record = asyncpg.Record


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process says about itself when it registers."""

    id: str
    host: str
    pid: int
    version: str
    concurrency: int


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

    async def bury_silent(self, silent_seconds: float) -> tuple[list[str], list[str]]:
        """Mark dead every live worker silent for longer than `silent_seconds` and expire
        the leases they held, atomically; (their IDs, the IDs of the jobs they held). Of
        several workers doing this at once, each dead one is reported to one of them."""
        row = await self.pool.fetchrow(q("bury_silent_workers"), silent_seconds)
        assert row is not None  # one row, always
        return list(row["workers"]), list(row["jobs"])

    async def prune(self, older_than_seconds: float) -> int:
        """Forget stopped and dead workers not seen for that long; how many."""
        status = await self.pool.execute(q("prune_workers"), older_than_seconds)
        return int(status.rsplit(" ", 1)[-1])

    async def list(self, statuses: tuple[str, ...] = ("alive",)) -> list[Record]:
        """Workers in these statuses, oldest first, with `last_seen_seconds_ago`."""
        return await self.pool.fetch(q("list_workers"), list(statuses))
