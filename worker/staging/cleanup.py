"""Removing a job's staged rows once they are no longer needed."""

from __future__ import annotations

import asyncpg

from worker.db.queries import q


async def clear_staging(pool: asyncpg.Pool, job_id: str) -> None:
    """Remove everything a job staged (after its commit, or when it is cancelled) and
    note that it was done. Idempotent; concurrent calls for one job are serialised."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(q("lock_job_staging"), job_id)
        await conn.execute(q("clear_staging"), job_id)
        await conn.execute(q("mark_staging_cleared"), job_id)


async def clear_leftover_staging(pool: asyncpg.Pool, limit: int) -> int:
    """Clear the staging of finished jobs whose worker died before clearing it; returns
    how many jobs were cleared."""
    rows = await pool.fetch(q("jobs_with_staging_to_clear"), limit)
    for row in rows:
        await clear_staging(pool, row["id"])
    return len(rows)
