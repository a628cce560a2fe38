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
        """Note that the worker is alive and how many jobs it runs; False when it was
        deregistered (it then should not run jobs)."""
        return await self.pool.fetchval(q("worker_heartbeat"), worker_id, running) is not None

    async def deregister(self, worker_id: str) -> None:
        await self.pool.execute(q("deregister_worker"), worker_id)

    async def mark_silent_dead(self, silent_seconds: float) -> list[str]:
        """Mark dead every live worker silent for longer than `silent_seconds`; their IDs.
        Atomic: of several workers doing this at once, each dead one is reported once."""
        rows = await self.pool.fetch(q("mark_silent_workers_dead"), silent_seconds)
        return [r["id"] for r in rows]

    async def prune(self, older_than_seconds: float) -> int:
        """Forget stopped and dead workers not seen for that long; how many."""
        status = await self.pool.execute(q("prune_workers"), older_than_seconds)
        return int(status.rsplit(" ", 1)[-1])

    async def list(self, statuses: tuple[str, ...] = ("alive",)) -> list[Record]:
        """Workers in these statuses, oldest first, with `last_seen_seconds_ago`."""
        return await self.pool.fetch(q("list_workers"), list(statuses))
