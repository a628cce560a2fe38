"""What the wizard's API reads for an account: its migrations (one, the active one, the
history), its imports and its VAT scheme; an ID of another account's is not found."""

from __future__ import annotations

import asyncpg

from worker.wizard.errors import ImportNotFound, MigrationNotFound
from worker.wizard.store import ImportRow, MigrationWithJob, WizardStore

# the rows' types, for the API's annotations (a route imports no store)
__all__ = ["ImportRow", "MigrationWithJob", "active_migration", "history", "imports", "migration",
           "one_import", "set_vat_scheme", "vat_scheme"]


async def migration(pool: asyncpg.Pool, migration_id: str, account_id: str) -> MigrationWithJob:
    """The account's migration; MigrationNotFound."""
    row = await WizardStore(pool).migration(migration_id, account_id)
    if row is None:
        raise MigrationNotFound.named(migration_id)
    return row


async def active_migration(pool: asyncpg.Pool, account_id: str) -> MigrationWithJob | None:
    return await WizardStore(pool).active_migration(account_id)


async def history(pool: asyncpg.Pool, account_id: str, limit: int) -> list[MigrationWithJob]:
    """The account's last `limit` migrations, newest first."""
    return await WizardStore(pool).history(account_id, limit)


async def imports(pool: asyncpg.Pool, import_ids: list[str], account_id: str
                  ) -> dict[str, ImportRow]:
    """The account's imports among `import_ids`, by ID, with their job's status."""
    return await WizardStore.imports(pool, import_ids, account_id)


async def one_import(pool: asyncpg.Pool, import_id: str, account_id: str) -> ImportRow:
    """The account's import; ImportNotFound."""
    found = (await imports(pool, [import_id], account_id)).get(import_id)
    if found is None:
        raise ImportNotFound.named(import_id)
    return found


async def vat_scheme(pool: asyncpg.Pool, account_id: str) -> str:
    return await WizardStore(pool).vat_scheme(account_id)


async def set_vat_scheme(pool: asyncpg.Pool, account_id: str, scheme: str) -> str:
    """Set the account's VAT scheme; the scheme now."""
    return await WizardStore(pool).set_vat_scheme(account_id, scheme)
