"""Removing a job's staged rows once they are no longer needed."""

from __future__ import annotations

import asyncpg

from worker.db.queries import q


async def clear_staging(pool: asyncpg.Pool, job_id: str) -> None:
    """Remove everything a job staged (after its commit, or when it is cancelled).
    Idempotent; concurrent calls for one job (its worker and a sweep) are serialised."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(q("lock_job_staging"), job_id)
        await conn.execute(q("clear_staging"), job_id)
