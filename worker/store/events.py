"""Pushed progress in Postgres: the events of a job (job_events, written by a trigger in
the transaction of each change, with a NOTIFY on `object_changes`), and their pruning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from worker.db.queries import q
from worker.db.rows import row_as, rows_as
from worker.db.types import Executor
from worker.models import JobStatus

# the NOTIFY channel: its payload is the ID of the job, import or migration that changed
CHANNEL = "object_changes"


@dataclass(frozen=True, slots=True)
class LegacyJobEvent:
    """A legacy migration job as one of its events left it (event 0: before any), with
    its fixed fields: what GET /legacy-migration/jobs/{id} answered at the time."""

    event_id: int
    id: str
    legacy_org_id: str
    environment: str
    entity_id: str | None
    status: JobStatus
    step: str | None
    step_number: int
    total_steps: int
    progress_detail: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


async def legacy_job_events_after(executor: Executor, job_id: str, account_id: str,
                                  after: int, limit: int) -> list[LegacyJobEvent]:
    """The account's legacy migration job's events after `after`, oldest first."""
    return rows_as(LegacyJobEvent, await executor.fetch(
        q("legacy_job_events_after"), job_id, account_id, after, limit))


async def legacy_job_snapshot(pool: asyncpg.Pool, job_id: str,
                              account_id: str) -> LegacyJobEvent | None:
    """The account's legacy migration job as its latest event left it, read in one
    snapshot (so the event ID is the job's state's); None when there is no such job."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                        readonly=True):
        row = await conn.fetchrow(q("get_account_legacy_migration"), job_id, account_id)
        if row is None:
            return None
        event_id = await latest_job_event(conn, [job_id])
    return row_as(LegacyJobEvent, {**row, "event_id": event_id})


async def latest_job_event(executor: Executor, job_ids: list[str]) -> int:
    """The latest event of any of these jobs (0 when none has one)."""
    return int(await executor.fetchval(q("latest_job_events"), job_ids))


async def prune(executor: Executor, keep_seconds: float, batch: int) -> int:
    """Forget up to `batch` events of jobs finished over `keep_seconds` ago."""
    done = await executor.execute(q("prune_job_events"), keep_seconds, batch)
    return int(done.split()[-1])
