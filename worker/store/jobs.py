"""Reads and writes of `migration_jobs` for the API, the enqueue layer and the workers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from worker.db.queries import q
from worker.db.types import Conn
from worker.models import Job

Record = asyncpg.Record


@dataclass(frozen=True)
class JobPage:
    jobs: list[Job]
    has_more: bool


class JobStore:
    """The job manager. Worker-side writes take the lease owner and do nothing without it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get_for_account(self, job_id: str, account_id: str) -> Job | None:
        row = await self.pool.fetchrow(q("get_account_job"), job_id, account_id)
        return Job.from_row(row) if row else None

    async def list_for_account(
        self, account_id: str, *, status: str | None, starting_after: str | None, limit: int
    ) -> JobPage:
        rows = await self.pool.fetch(
            q("list_account_jobs"), account_id, status, starting_after, limit + 1
        )
        return JobPage([Job.from_row(r) for r in rows[:limit]], has_more=len(rows) > limit)

    async def migrated_environments(self, org_ids: list[str]) -> dict[str, set[str]]:
        rows = await self.pool.fetch(q("migrated_environments"), org_ids)
        return {r["legacy_org_id"]: set(r["environments"]) for r in rows}

    async def attempts(self, job_id: str) -> int:
        """How many times a worker took the job (1 if it never had to be resumed)."""
        return int(await self.pool.fetchval(q("job_attempts"), job_id) or 0)

    async def request_cancel(self, job_id: str, account_id: str) -> Job | None:
        """The job after asking it to stop; None when it is not active (or not found)."""
        row = await self.pool.fetchrow(q("request_cancel"), job_id, account_id)
        return Job.from_row(row) if row else None

    async def requeue_failed(
        self, job_id: str, account_id: str, sealed_token: bytes | None
    ) -> Job | None:
        row = await self.pool.fetchrow(q("requeue_failed_job"), job_id, account_id, sealed_token)
        return Job.from_row(row) if row else None

    # --- worker side -------------------------------------------------------------------

    async def acquire_lease(self, job_id: str, owner: str, seconds: float) -> Record | None:
        return await self.pool.fetchrow(q("acquire_lease"), job_id, owner, seconds)

    async def renew_lease(self, job_id: str, owner: str, seconds: float) -> bool | None:
        """Whether cancellation was requested; None when the lease is lost."""
        row = await self.pool.fetchrow(q("renew_lease"), job_id, owner, seconds)
        return None if row is None else bool(row["cancel_requested"])

    async def release_lease(self, job_id: str, owner: str, detail: str) -> None:
        await self.pool.execute(q("release_lease"), job_id, owner, detail)

    async def fail(self, job_id: str, owner: str, *, error: str, code: str, detail: str) -> None:
        await self.pool.execute(q("fail_job"), job_id, owner, error, code, detail)

    async def cancel_now(self, job_id: str, owner: str, detail: str) -> None:
        await self.pool.execute(q("cancel_job_now"), job_id, owner, detail)

    async def to_sweep(self, min_age_seconds: float, limit: int) -> list[Record]:
        return await self.pool.fetch(q("jobs_to_sweep"), min_age_seconds, limit)



async def checkpoint(
    conn: Conn, job_id: str, owner: str, step: str, number: int, detail: str
) -> bool | None:
    """Write progress under the lease inside the caller's transaction.

    Returns whether cancellation was requested, or None when the lease is lost.
    """
    row: Any = await conn.fetchrow(q("checkpoint_job"), job_id, owner, step, number, detail)
    return None if row is None else bool(row["cancel_requested"])
