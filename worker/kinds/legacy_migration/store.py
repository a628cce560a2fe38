"""Reads and writes of the legacy migration's own fields (`legacy_migration_jobs`)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from worker.db.queries import q
from worker.db.rows import row_as
from worker.db.types import Conn, Executor
from worker.kinds.legacy_migration.job import Job, LegacyFields


@dataclass(frozen=True, slots=True)
class LegacyDetails:
    """What a worker reads of its legacy job: the fields and the sealed legacy token."""

    fields: LegacyFields
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
        return None if row is None else LegacyDetails(row_as(LegacyFields, row),
                                                      row["legacy_token_sealed"])

    async def get_for_account(self, job_id: str, account_id: str) -> Job | None:
        row = await self.pool.fetchrow(q("get_account_legacy_migration"), job_id, account_id)
        return Job.from_row(row) if row else None

    async def list_for_account(self, account_id: str, *, status: str | None,
                               starting_after: str | None, limit: int) -> tuple[list[Job], bool]:
        """A page of the account's jobs, newest first, and whether more follow."""
        rows = await self.pool.fetch(q("list_account_legacy_migrations"), account_id, status,
                                     starting_after, limit + 1)
        return [Job.from_row(r) for r in rows[:limit]], len(rows) > limit

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
