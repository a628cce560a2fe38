"""Reads and writes of the wizard's tables: the account's VAT scheme, uploads, imports and
their staged rows, wizard migrations. SQL in sql/queries/wizard.sql."""

from __future__ import annotations

from typing import Any

import asyncpg

from worker.db.queries import q
from worker.db.rows import row_as, row_or_none, rows_as
from worker.db.types import Conn, Executor
from worker.wizard.rows import (
    ImportCountsRow,
    ImportFileRow,
    ImportJobRow,
    ImportRow,
    MigrationRow,
    MigrationWithJob,
    StagedRows,
    UploadUsageRow,
)
from worker.wizard.statuses import MigrationStatus

__all__ = ["ImportCountsRow", "ImportFileRow", "ImportJobRow", "ImportRow", "MigrationRow",
           "MigrationWithJob", "StagedRows", "UploadUsageRow", "WizardStore"]


class WizardStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- the account ---------------------------------------------------------------------

    async def vat_scheme(self, account_id: str) -> str:
        return await self.vat_scheme_of(self.pool, account_id)

    @staticmethod
    async def vat_scheme_of(executor: Executor, account_id: str) -> str:
        return str(await executor.fetchval(q("account_vat_scheme"), account_id))

    async def set_vat_scheme(self, account_id: str, scheme: str) -> str:
        return str(await self.pool.fetchval(q("set_account_vat_scheme"), account_id, scheme))

    # --- uploads and imports -------------------------------------------------------------

    @staticmethod
    async def insert_upload(conn: Conn, upload_id: str, *, account_id: str, filename: str,
                            file_format: str, content: bytes, sha256: str) -> None:
        await conn.execute(q("insert_upload"), upload_id, account_id, filename, file_format,
                           len(content), sha256, content)

    @staticmethod
    async def insert_import(conn: Conn, import_id: str, *, account_id: str, import_type: str,
                            upload_id: str, sheet: str | None, currency: str,
                            cutover: Any, job_id: str, layout: str,
                            date_order: str | None) -> None:
        await conn.execute(q("insert_import"), import_id, account_id, import_type, upload_id,
                           sheet, currency, cutover, job_id, layout, date_order)

    @staticmethod
    async def lock_uploads(conn: Executor, account_id: str) -> None:
        """The account's uploads one at a time, until the caller's transaction ends."""
        await conn.execute(q("lock_account_uploads"), account_id)

    @staticmethod
    async def upload_usage(executor: Executor, account_id: str,
                           window_seconds: float) -> UploadUsageRow:
        row = await executor.fetchrow(q("upload_usage"), account_id, window_seconds)
        assert row is not None  # an aggregate always returns its row
        return row_as(UploadUsageRow, row)

    @staticmethod
    async def imports(executor: Executor, import_ids: list[str],
                      account_id: str) -> dict[str, ImportRow]:
        """The account's imports among `import_ids`, by ID, with their job's status."""
        rows = await executor.fetch(q("get_imports"), import_ids, account_id)
        return {row.id: row for row in rows_as(ImportRow, rows)}

    async def import_of_job(self, job_id: str) -> ImportJobRow | None:
        return row_or_none(ImportJobRow, await self.pool.fetchrow(q("import_of_job"), job_id))

    async def import_files(self, import_id: str) -> list[ImportFileRow]:
        """The files an import reads, in order, with their content."""
        return rows_as(ImportFileRow, await self.pool.fetch(q("import_files"), import_id))

    @staticmethod
    async def insert_import_file(conn: Conn, import_id: str, *, position: int, upload_id: str,
                                 layout: str, sheet: str | None) -> None:
        await conn.execute(q("insert_import_file"), import_id, position, upload_id, layout,
                           sheet)

    @staticmethod
    async def save_import_reading(conn: Conn, import_id: str, *, blockers: list[str],
                                  summary: dict[str, Any], mapping: dict[str, str]) -> None:
        """What reading the import's files found beside their rows."""
        await conn.execute(q("save_import_reading"), import_id, blockers, summary, mapping)

    @staticmethod
    async def save_import_progress(conn: Conn, import_id: str, *, total: int, created: int,
                                   skipped: int, errors: int,
                                   first_errors: list[dict[str, Any]]) -> None:
        await conn.execute(q("save_import_progress"), import_id, total, created, skipped,
                           errors, first_errors)

    @staticmethod
    async def finish_import(conn: Conn, import_id: str, *, created: int, skipped: int,
                            blockers: list[str], summary: dict[str, Any]) -> None:
        await conn.execute(q("finish_import"), import_id, created, skipped, blockers, summary)

    async def confirm_import(self, import_id: str, account_id: str) -> bool:
        return await self.pool.fetchval(q("confirm_import"), import_id,
                                        account_id) is not None

    @staticmethod
    async def import_row_counts(executor: Executor, import_id: str) -> ImportCountsRow:
        row = await executor.fetchrow(q("import_row_counts"), import_id)
        assert row is not None  # an aggregate always returns its row
        return row_as(ImportCountsRow, row)

    @staticmethod
    async def import_rows(executor: Executor, import_id: str) -> StagedRows:
        """The staged rows of an import, in file order."""
        rows = await executor.fetch(q("import_rows"), import_id)
        return StagedRows([r["record"] for r in rows], [r["skipped"] for r in rows])

    # --- wizard migrations ---------------------------------------------------------------

    async def insert_migration(self, migration_id: str, *, account_id: str, provider: str,
                               cutover: Any, currency: str, date_order: str | None = None,
                               conn: Executor | None = None) -> MigrationRow:
        """Raises asyncpg.UniqueViolationError when the account has an active one."""
        row = await (conn or self.pool).fetchrow(
            q("insert_wizard_migration"), migration_id, account_id, provider, cutover,
            currency, date_order)
        assert row is not None  # INSERT … RETURNING returns the row or raises
        return row_as(MigrationRow, row)

    async def migration(self, migration_id: str, account_id: str,
                        conn: Executor | None = None) -> MigrationWithJob | None:
        """The migration with its execute job's status and progress."""
        return row_or_none(MigrationWithJob, await (conn or self.pool).fetchrow(
            q("get_wizard_migration"), migration_id, account_id))

    async def active_migration(self, account_id: str) -> MigrationWithJob | None:
        return row_or_none(MigrationWithJob, await self.pool.fetchrow(
            q("active_wizard_migration"), account_id))

    async def history(self, account_id: str, limit: int) -> list[MigrationWithJob]:
        return rows_as(MigrationWithJob, await self.pool.fetch(
            q("wizard_migration_history"), account_id, limit))

    @staticmethod
    async def lock_migration(conn: Conn, migration_id: str,
                             account_id: str) -> MigrationRow | None:
        return row_or_none(MigrationRow, await conn.fetchrow(
            q("lock_wizard_migration"), migration_id, account_id))

    @staticmethod
    async def save_attachments(conn: Conn, migration_id: str, attached: dict[str, str | None],
                               *, provider_upload_id: str | None,
                               deferred_sheets: dict[str, str],
                               status: MigrationStatus) -> None:
        await conn.execute(q("save_wizard_attachments"), migration_id, attached["contacts"],
                           attached["balances"], attached["invoices"], attached["bills"],
                           provider_upload_id, deferred_sheets, status)

    @staticmethod
    async def set_date_order(conn: Executor, migration_id: str, date_order: str) -> None:
        await conn.execute(q("set_wizard_date_order"), migration_id, date_order)

    @staticmethod
    async def set_status(conn: Executor, migration_id: str, status: MigrationStatus) -> None:
        await conn.execute(q("set_wizard_status"), migration_id, status)

    @staticmethod
    async def start_execute(conn: Conn, migration_id: str, job_id: str) -> bool:
        return await conn.fetchval(q("start_wizard_execute"), migration_id,
                                   job_id) is not None

    async def migration_of_job(self, job_id: str) -> MigrationRow | None:
        return row_or_none(MigrationRow, await self.pool.fetchrow(
            q("wizard_migration_of_job"), job_id))

    @staticmethod
    async def complete_migration(conn: Conn, migration_id: str, *, entity_id: str,
                                 reconciliation: dict[str, Any]) -> bool:
        return await conn.fetchval(q("complete_wizard_migration"), migration_id, entity_id,
                                   reconciliation) is not None

    @staticmethod
    async def execute_failed(conn: Conn, job_id: str, error: dict[str, str]) -> None:
        await conn.execute(q("wizard_execute_failed"), job_id, error)

    async def abandon(self, migration_id: str, account_id: str,
                      conn: Executor | None = None) -> MigrationRow | None:
        return row_or_none(MigrationRow, await (conn or self.pool).fetchrow(
            q("abandon_wizard_migration"), migration_id, account_id))
