"""Reads and writes of the legacy migration's own fields (`legacy_migration_jobs`)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from worker.db.queries import q
from worker.db.rows import row_as, rows_as
from worker.db.types import Conn, Executor
from worker.kinds.legacy_migration.job import Job, JobAtEvent, LegacyFields
from worker.models import JobStatus
from worker.store.events import latest_job_event


@dataclass(frozen=True, slots=True)
class LegacyDetails:
    """What a worker reads of its legacy job: its fields, whether unsupported data was
    accepted, and the sealed legacy token."""

    fields: LegacyFields
    confirm_unsupported_data: bool
    sealed_token: bytes | None


class LegacyMigrationStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def insert(self, conn: Conn, job_id: str, *, legacy_org_id: str,
                     legacy_user_id: str, environment: str, confirm_unsupported_data: bool,
                     sealed_token: bytes) -> None:
        await conn.execute(q("insert_legacy_migration"), job_id, legacy_org_id,
                           legacy_user_id, environment, confirm_unsupported_data,
                           sealed_token)

    async def details(self, job_id: str) -> LegacyDetails | None:
        """The legacy fields, the sealed token included (worker side)."""
        row = await self.pool.fetchrow(q("get_legacy_migration"), job_id)
        if row is None:
            return None
        return LegacyDetails(row_as(LegacyFields, row), row["confirm_unsupported_data"],
                             row["legacy_token_sealed"])

    async def get_for_account(self, job_id: str, account_id: str) -> Job | None:
        row = await self.pool.fetchrow(q("get_account_legacy_migration"), job_id, account_id)
        return Job.from_row(row) if row else None

    async def list_for_account(self, account_id: str, *, status: JobStatus | None,
                               starting_after: str | None, limit: int) -> tuple[list[Job], bool]:
        """A page of the account's jobs, newest first, and whether more follow."""
        rows = await self.pool.fetch(q("list_account_legacy_migrations"), account_id, status,
                                     starting_after, limit + 1)
        return [Job.from_row(r) for r in rows[:limit]], len(rows) > limit

    async def events_after(self, job_id: str, account_id: str, after: int,
                           limit: int) -> list[JobAtEvent]:
        """The account's job as each of its events after `after` left it, oldest first."""
        return rows_as(JobAtEvent, await self.pool.fetch(
            q("legacy_job_events_after"), job_id, account_id, after, limit))

    async def snapshot(self, job_id: str, account_id: str) -> JobAtEvent | None:
        """The account's job as its latest event left it, read in one snapshot (so the
        event ID is the job's state's); None when there is no such job."""
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                                 readonly=True):
            row = await conn.fetchrow(q("get_account_legacy_migration"), job_id, account_id)
            if row is None:
                return None
            event_id = await latest_job_event(conn, [job_id])
        return row_as(JobAtEvent, {**row, "event_id": event_id})

    async def replace_token(self, conn: Conn, job_id: str, sealed_token: bytes) -> None:
        await conn.execute(q("replace_legacy_token"), job_id, sealed_token)

    @staticmethod
    async def wipe_token(conn: Executor, job_id: str) -> None:
        await conn.execute(q("wipe_legacy_token"), job_id)

    async def org_migrated_live(self, legacy_org_id: str) -> bool:
        return bool(await self.pool.fetchval(q("org_migrated_live"), legacy_org_id))

    async def migrated_environments(self, org_ids: list[str]) -> dict[str, set[str]]:
        """{org ID: environments it was migrated to by a completed job}."""
        rows = await self.pool.fetch(q("migrated_environments"), org_ids)
        return {r["legacy_org_id"]: set(r["environments"]) for r in rows}
