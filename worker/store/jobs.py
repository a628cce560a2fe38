"""Every read and write of `migration_jobs`, the row every job has whatever its kind.

The job manager of the service: the enqueue layer creates and re-queues jobs through it,
the API reads and cancels them, workers lease, checkpoint and finish them, the sweep finds
the lost ones. Worker-side writes take the lease owner and do nothing without it. A kind's
own fields are in its own table, behind its own store (worker/kinds/<kind>/store.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from worker.db.queries import q
from worker.db.rows import row_as, row_or_none, rows_as
from worker.db.types import Conn, Executor
from worker.models import CANCELLED_BEFORE_START_DETAIL, PARKED_DETAIL, QUEUED_DETAIL, JobStatus
from worker.store import metrics as metrics_store
from worker.store.metrics import Increment


@dataclass(frozen=True, slots=True)
class JobRow:
    """A job as `migration_jobs` holds it, whatever its kind."""

    id: str
    kind: str
    account_id: str
    status: JobStatus
    step: str | None
    step_number: int
    total_steps: int
    progress_detail: str | None
    error: str | None
    error_code: str | None
    entity_id: str | None
    attempts: int
    worker_id: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime
    cancel_requested_at: datetime | None


@dataclass(frozen=True, slots=True)
class LeasedJob:
    """A job whose lease a worker took, and the steps earlier runs finished (where this run
    resumes)."""

    job: JobRow
    finished_steps: frozenset[int]


@dataclass(frozen=True, slots=True)
class CancelRequest:
    """A job after asking it to stop, and whether that was asked before (asking again
    changes nothing)."""

    job: JobRow
    already_requested: bool


@dataclass(frozen=True, slots=True)
class SweptJob:
    """A job the sweep must see queued: pending, or running with no live lease."""

    id: str
    status: JobStatus
    lease_expired: bool


@dataclass(frozen=True, slots=True)
class UncleanedJob:
    """A finished job whose kind's clean-up has not run."""

    id: str
    kind: str


class OverFairShare(Exception):
    """The job's account holds its fair share of the fleet's slots while another account's
    jobs wait: the job was parked (it stays pending, off the queue, until unparked)."""


class JobStore:
    """The job manager. Methods that take `conn` run inside the caller's transaction."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- enqueue layer and API -----------------------------------------------------------

    @staticmethod
    async def insert(conn: Conn, job_id: str, *, kind: str, account_id: str,
                     singleton_key: str | None, total_steps: int,
                     counted: list[Increment]) -> JobRow:
        """A new pending job, and `counted` added to the metrics with it. Raises
        asyncpg.UniqueViolationError when `singleton_key` already has an active job of
        this kind."""
        row = await conn.fetchrow(q("insert_job"), job_id, kind, account_id, singleton_key,
                                  total_steps, QUEUED_DETAIL, *metrics_store.columns(counted))
        assert row is not None  # INSERT … RETURNING returns the row or raises
        return row_as(JobRow, row)

    async def get_for_account(self, job_id: str, account_id: str, kind: str) -> JobRow | None:
        return row_or_none(JobRow, await self.pool.fetchrow(q("get_account_job"), job_id,
                                                            account_id, kind))

    async def request_cancel(self, conn: Conn, job_id: str, account_id: str,
                             kind: str) -> CancelRequest | None:
        """The job after asking it to stop; None when it is not active (or not found)."""
        row = await conn.fetchrow(q("request_cancel"), job_id, account_id, kind,
                                  CANCELLED_BEFORE_START_DETAIL)
        return None if row is None else CancelRequest(row_as(JobRow, row),
                                                      row["already_requested"])

    async def requeue_failed(self, conn: Conn, job_id: str, account_id: str,
                             kind: str) -> JobRow | None:
        """The failed job back to pending; None when it is not failed. Raises
        asyncpg.UniqueViolationError when another job holds its singleton key."""
        return row_or_none(JobRow, await conn.fetchrow(q("requeue_failed_job"), job_id,
                                                       account_id, kind, QUEUED_DETAIL))

    # --- workers -------------------------------------------------------------------------

    async def acquire_lease(self, job_id: str, *, worker_id: str, owner: str, seconds: float,
                            kinds: list[str], fair_share: float = 1.0) -> LeasedJob | None:
        """The job with the lease taken; None when it is finished, leased, or of a kind not
        in `kinds` (those this worker runs: another worker must take it).

        Raises OverFairShare, having parked the job, when it has not started yet and its
        account holds `fair_share` of the fleet's slots while another account waits."""
        async with self.pool.acquire() as conn, conn.transaction():
            status = await conn.fetchval(q("lock_account_leases"), job_id, column=1)
            parked = (status == JobStatus.PENDING
                      and await conn.fetchval(q("over_fair_share"), job_id, fair_share)
                      and await conn.fetchval(q("park_job"), job_id, PARKED_DETAIL))
            if not parked:
                row = await conn.fetchrow(q("acquire_lease"), job_id, owner, seconds,
                                          worker_id, kinds)
                return None if row is None else LeasedJob(row_as(JobRow, row),
                                                          frozenset(row["finished_steps"]))
        raise OverFairShare(job_id)  # after the commit: the parking stands

    async def unpark(self, fair_share: float) -> list[str]:
        """Clear the parking of the jobs whose account is under its share again (all of
        them when no other account waits); their IDs, to be put back on the queue."""
        rows = await self.pool.fetch(q("unpark_jobs"), fair_share, QUEUED_DETAIL)
        return [r["id"] for r in rows]

    async def renew_lease(self, job_id: str, owner: str, seconds: float) -> bool | None:
        """Whether cancellation was requested; None when the lease is lost."""
        row = await self.pool.fetchrow(q("renew_lease"), job_id, owner, seconds)
        return None if row is None else bool(row["cancel_requested"])

    async def holds_lease(self, job_id: str, owner: str) -> bool:
        """Whether `owner` still holds the job's lease."""
        return await self.pool.fetchval(q("holds_lease"), job_id, owner) is not None

    async def release_lease(self, job_id: str, owner: str, detail: str) -> None:
        await self.pool.execute(q("release_lease"), job_id, owner, detail)

    async def checkpoint(self, conn: Executor, job_id: str, owner: str, step: str, number: int,
                         detail: str) -> bool | None:
        """Write progress under the lease (inside the caller's transaction when `conn` is
        one: the job row stays locked until it ends). Whether cancellation was requested;
        None: lease lost."""
        row: Any = await conn.fetchrow(q("checkpoint_job"), job_id, owner, step, number,
                                       detail)
        return None if row is None else bool(row["cancel_requested"])

    async def fail(self, conn: Conn, job_id: str, owner: str, *, error: str, code: str,
                   detail: str) -> bool:
        """Failed, under the lease; False when the lease is lost."""
        return await conn.fetchval(q("fail_job"), job_id, owner, error, code,
                                   detail) is not None

    async def cancel_now(self, conn: Conn, job_id: str, owner: str, detail: str) -> bool:
        """Cancelled, under the lease; False when the lease is lost."""
        return await conn.fetchval(q("cancel_job_now"), job_id, owner, detail) is not None

    async def complete(self, conn: Executor, job_id: str, owner: str, *,
                       entity_id: str | None, detail: str) -> bool:
        """Completed, under the lease and unless cancelled; False when neither holds."""
        return await conn.fetchval(q("complete_job"), job_id, owner, entity_id,
                                   detail) is not None

    # --- the sweep -----------------------------------------------------------------------

    async def to_sweep(self, min_age_seconds: float, limit: int) -> list[SweptJob]:
        return rows_as(SweptJob, await self.pool.fetch(q("jobs_to_sweep"), min_age_seconds,
                                                       limit))

    async def to_clean_up(self, limit: int, ended_before_seconds: float) -> list[UncleanedJob]:
        """Completed or cancelled jobs whose clean-up has not run, ended over
        `ended_before_seconds` ago."""
        return rows_as(UncleanedJob, await self.pool.fetch(q("jobs_to_clean_up"), limit,
                                                           ended_before_seconds))

    async def mark_cleaned_up(self, conn: Executor, job_id: str) -> None:
        await conn.execute(q("mark_cleaned_up"), job_id)
