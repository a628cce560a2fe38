"""POST /migrations/{id}/execute?dryRun=true: the whole execute in a transaction that is
rolled back, to show what it would post and the proof it would store."""

from __future__ import annotations

from typing import Any

import asyncpg

from worker.ids import new_entity_id
from worker.kinds.wizard_execute.books import write_migration
from worker.wizard.errors import InvalidTransition, MigrationNotFound
from worker.wizard.gates import evaluate, load_migration_data, require_gates
from worker.wizard.migrations import require_supported_vat_scheme
from worker.wizard.statuses import PAST_VALIDATION
from worker.wizard.store import WizardStore


async def dry_run(pool: asyncpg.Pool, *, migration_id: str, account_id: str
                  ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The whole execute in a transaction that is rolled back: (what it would post, per
    account: {account, debit, credit}; the proof it would store). Nothing is written and
    the status does not change."""
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            migration = await WizardStore(pool).migration(migration_id, account_id, conn)
            if migration is None:
                raise MigrationNotFound.named(migration_id)
            if migration.status in PAST_VALIDATION:
                raise InvalidTransition(f"Migration {migration_id} is {migration.status}: "
                                        "there is nothing to rehearse.")
            await require_supported_vat_scheme(conn, account_id)
            data = await load_migration_data(conn, migration)
            gates, built = evaluate(migration, data)
            journal = require_gates(gates, built)
            written = await write_migration(conn, migration=migration, data=data,
                                            journal=journal, entity_id=new_entity_id(),
                                            job_id=None)
            # the deferred checks (every journal entry balances) run now, as at a commit
            await conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        finally:
            await transaction.rollback()
    journal_lines = [{"account": f"{t.account_code} {t.account_name}", "debit": t.debit_minor,
                      "credit": t.credit_minor} for t in written.totals]
    return journal_lines, written.proof
