"""The retention purge's statements (sql/queries/retention.sql, migration 0022), each run
inside the caller's transaction: one batch is one transaction (worker/process/retention.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from worker.db.queries import q
from worker.db.types import Conn
from worker.models import JobStatus


async def begin_batch(conn: Conn) -> None:
    """The settings of a batch's transaction (no JIT compilation)."""
    await conn.execute(q("retention_batch_begins"))


@dataclass(frozen=True)
class PurgedUploads:
    """The files whose bytes went, and how many bytes that was."""

    ids: list[str]
    bytes: int


async def purge_uploads(conn: Conn, before: datetime, batch: int,
                        max_bytes: int) -> PurgedUploads:
    """Drop the bytes of at most `batch` due files (and about `max_bytes`)."""
    rows = await conn.fetch(q("retention_purge_uploads"), before, batch, max_bytes)
    return PurgedUploads(sorted(r["id"] for r in rows), sum(r["size_bytes"] for r in rows))


@dataclass(frozen=True)
class DueStaging:
    """Failed and cancelled jobs whose staging is due, locked by the caller's transaction."""

    job_ids: list[str]
    failed: list[str]  # those of them that failed (a retry of them is still possible)


async def staging_due(conn: Conn, before: datetime, batch: int,
                      jobs_before: datetime | None) -> DueStaging:
    """Those not yet due for deletion (ended at or after `jobs_before`), and kept ones."""
    rows = await conn.fetch(q("retention_staging_due"), before, batch, jobs_before)
    return DueStaging([r["id"] for r in rows], [r["id"] for r in rows
                                                if r["status"] == JobStatus.FAILED])


async def clear_staging(conn: Conn, job_ids: list[str], per_table: int) -> dict[str, int]:
    """Remove at most `per_table` rows of each staging table of these jobs; how many went,
    by table."""
    row = await conn.fetchrow(q("retention_clear_staging"), job_ids, per_table)
    assert row is not None  # one row, always
    return {table: int(n) for table, n in row.items()}


async def staging_cleared(conn: Conn, job_ids: list[str]) -> None:
    await conn.execute(q("retention_staging_cleared"), job_ids)


async def forget_steps(conn: Conn, job_ids: list[str]) -> int:
    """Delete the jobs' step runs; how many."""
    return _count(await conn.execute(q("retention_forget_steps"), job_ids))


@dataclass(frozen=True)
class DueJobs:
    """Finished jobs past their retention, locked by the caller's transaction: those to
    delete, those something will always point at (job ID -> what), and which of them still
    have staging (failed or cancelled, not cleared since), and which failed."""

    to_delete: list[str]
    to_keep: dict[str, str]
    staged: list[str]
    failed: list[str]


async def jobs_due(conn: Conn, before: datetime, batch: int) -> DueJobs:
    rows = await conn.fetch(q("retention_jobs_due"), before, batch)
    return DueJobs([r["id"] for r in rows if r["kept_by"] is None],
                   {r["id"]: r["kept_by"] for r in rows if r["kept_by"] is not None},
                   [r["id"] for r in rows if r["staged"]],
                   [r["id"] for r in rows if r["status"] == JobStatus.FAILED])


async def keep_jobs(conn: Conn, kept: dict[str, str], staging_cleared: set[str]) -> None:
    """Mark the jobs kept for good, and those of them whose staging was cleared."""
    if kept:
        await conn.execute(q("retention_keep_jobs"), list(kept), list(kept.values()),
                           [job_id in staging_cleared for job_id in kept])


async def delete_jobs(conn: Conn, job_ids: list[str]) -> int:
    return _count(await conn.execute(q("retention_delete_jobs"), job_ids))


async def lock_audit(conn: Conn) -> bool:
    """Whether this transaction may purge the audit log (no other sweep is doing it)."""
    return bool(await conn.fetchval(q("retention_lock_audit")))


async def purge_audit(conn: Conn, before: datetime, batch: int) -> int:
    """Remove at most `batch` audit entries written before `before`; how many."""
    return int(await conn.fetchval(q("retention_purge_audit"), before, batch))


def _count(status: str) -> int:
    """The row count of a command's status ("DELETE 12")."""
    return int(status.split()[-1])
