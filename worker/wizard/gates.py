"""The validation gates (wizard-api.md) and what validate does with them: every gate passing
moves a `preview_ready` migration to `ready_to_execute`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from worker import collector
from worker.db.types import Executor
from worker.errors import ServiceError
from worker.wizard.errors import InvalidTransition
from worker.wizard.ledger import LedgerError, build_journal
from worker.wizard.migrations import (
    SLOTS,
    attachments,
    locked_migration,
    require_supported_vat_scheme,
)
from worker.wizard.proof import (
    RECONCILIATION_VALID,
    GateResult,
    Journal,
    check_reconciliation,
    contacts_resolved,
)
from worker.wizard.records import (
    BalanceRecord,
    ContactRecord,
    DocumentRecord,
    ImportType,
    WizardRecord,
    records_from_json,
)
from worker.wizard.statuses import ELIGIBLE, PAST_VALIDATION, MigrationStatus
from worker.wizard.store import ImportRow, MigrationRow, WizardStore


class GatesFailed(ServiceError):
    """The migration does not pass its gates: run POST /migrations/{id}/validate to see
    which, fix them, and try again."""

    code = "GATES_FAILED"
    status = 422


@dataclass
class MigrationData:
    """What a migration's attached imports hold: each import row by type, and the records
    each will create (`created`) or all it staged (`staged`, duplicates included)."""

    imports: dict[str, ImportRow]
    staged: dict[str, list[WizardRecord]] = field(default_factory=dict)
    created: dict[str, list[WizardRecord]] = field(default_factory=dict)

    def records(self, import_type: ImportType, *, created: bool = True) -> list[Any]:
        return (self.created if created else self.staged).get(import_type.value, [])

    @property
    def balances(self) -> list[BalanceRecord]:
        return self.records(ImportType.BALANCES)

    @property
    def invoices(self) -> list[DocumentRecord]:
        return self.records(ImportType.INVOICES)

    @property
    def bills(self) -> list[DocumentRecord]:
        return self.records(ImportType.BILLS)

    @property
    def contacts(self) -> list[ContactRecord]:
        return self.records(ImportType.CONTACTS)


async def load_migration_data(executor: Executor, migration: MigrationRow
                              ) -> MigrationData:
    """The attached imports and their staged records."""
    with collector.paused():
        return await _load_migration_data(executor, migration)


async def _load_migration_data(executor: Executor, migration: MigrationRow) -> MigrationData:
    attached = {slot: i for slot, i in attachments(migration).items() if i}
    rows = await WizardStore.imports(executor, list(attached.values()), migration.account_id)
    data = MigrationData({slot: rows[i] for slot, i in attached.items() if i in rows})
    for slot, row in data.imports.items():
        staged = await WizardStore.import_rows(executor, row.id)
        records = data.staged[slot] = records_from_json(slot, staged.records)
        # the same objects (records are never changed): built once, not once per list
        data.created[slot] = [record for record, skipped
                              in zip(records, staged.skipped, strict=True) if skipped is None]
    return data


def _deferred(migration: MigrationRow) -> dict[str, str]:
    """{import type: sheet} of the provider workbook's sheets that wait for
    upload-deferred (FreeAgent's invoices and bills, read once the balances are confirmed)."""
    return dict(migration.deferred_sheets or {})


def _confirmed(migration: MigrationRow, data: MigrationData, slot: str, code: str, *,
               required: bool) -> GateResult:
    row = data.imports.get(slot)
    sheet = _deferred(migration).get(slot)
    if row is None and sheet is not None:
        # not "nothing to check": the workbook has the sheet, not yet imported
        return GateResult(code, False, (
            f"Waiting for the deferred {slot} sheet '{sheet}': once the balances are "
            f"confirmed, import it with POST /migrations/{migration.id}/upload-deferred, "
            "then confirm it."))
    if row is None:
        if required:
            return GateResult(code, False, f"No {slot} import is attached: upload or attach "
                                           "one, then confirm it.")
        return GateResult(code, True, f"No {slot} import is attached: nothing to check.")
    if row.confirmed_at is None:
        return GateResult(code, False, f"The {slot} import {row.id} is not confirmed: "
                                       f"review it and POST /imports/{row.id}/confirm.")
    return GateResult(code, True, f"The {slot} import {row.id} is confirmed.")


def evaluate(migration: MigrationRow, data: MigrationData
             ) -> tuple[list[GateResult], Journal | None]:
    """Every gate, in the order of wizard-api.md, and the journal the migration would post
    (None when it cannot be built: RECONCILIATION_VALID says why). The journal is built
    once, for the gate and for whoever executes."""
    with collector.paused():
        return _evaluate(migration, data)


def _evaluate(migration: MigrationRow, data: MigrationData
              ) -> tuple[list[GateResult], Journal | None]:
    contact_names = [c.name for c in data.records(ImportType.CONTACTS, created=False)]
    journal = None
    waiting = _deferred(migration)
    if waiting:
        # the trial balance's trade debtors and creditors are reconciled against the
        # invoices and bills of these sheets: without them any check would blame the
        # trial balance for what is only not imported yet
        sheets = " and ".join(f"'{waiting[slot]}'" for slot in SLOTS if slot in waiting)
        reconciliation = GateResult(RECONCILIATION_VALID, False, (
            f"Not checked yet: the workbook's deferred sheets {sheets} are not imported, and "
            "the trial balance is reconciled against them. Import them with POST "
            f"/migrations/{migration.id}/upload-deferred first."))
    elif not (data.balances or data.invoices or data.bills):
        reconciliation = GateResult(RECONCILIATION_VALID, True, "Nothing to post.")
    else:
        try:
            journal = build_journal(data.balances, data.invoices, data.bills,
                                    migration.cutover_date, migration.currency)
            reconciliation = check_reconciliation(journal)
        except LedgerError as exc:
            reconciliation = GateResult(RECONCILIATION_VALID, False, exc.message)
    return [
        _confirmed(migration, data, "contacts", "CONTACTS_CONFIRMED", required=True),
        _confirmed(migration, data, "balances", "BALANCES_CONFIRMED", required=True),
        _confirmed(migration, data, "invoices", "INVOICES_IMPORTED", required=False),
        _confirmed(migration, data, "bills", "BILLS_IMPORTED", required=False),
        contacts_resolved(contact_names, data.invoices, data.bills),
        reconciliation,
    ], journal


def run_gates(migration: MigrationRow, data: MigrationData) -> list[GateResult]:
    """Every gate, in the order of wizard-api.md."""
    return evaluate(migration, data)[0]


def require_gates(gates: list[GateResult], journal: Journal | None) -> Journal:
    """The journal to post, when every gate passes; GatesFailed otherwise."""
    failed = [g for g in gates if not g.passed]
    if failed:
        raise GatesFailed("The migration does not pass its gates: "
                          + " ".join(f"{g.code}: {g.message}" for g in failed))
    if journal is None:
        raise GatesFailed("The migration's imports hold nothing to post.")
    return journal


async def validate_migration(pool: asyncpg.Pool, *, migration_id: str, account_id: str
                             ) -> tuple[MigrationStatus, list[GateResult]]:
    """POST /migrations/{id}/validate: (the status after, every gate)."""
    async with pool.acquire() as conn, conn.transaction():
        migration = await locked_migration(conn, migration_id, account_id)
        status = migration.status
        if status in PAST_VALIDATION:
            raise InvalidTransition(f"Migration {migration_id} is {status}: there is nothing "
                                    "to validate.")
        await require_supported_vat_scheme(conn, account_id)
        gates = run_gates(migration, await load_migration_data(conn, migration))
        if status in ELIGIBLE and all(g.passed for g in gates):
            status = MigrationStatus.READY_TO_EXECUTE
            await WizardStore.set_status(conn, migration_id, status)
    return status, gates
