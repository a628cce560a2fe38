"""The wizard's books as the target's canonical records, written by the target's writer
inside the caller's transaction, and the reconciliation proof computed from the rows
written."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from worker import collector
from worker.db.types import Conn
from worker.target.reads import AccountTotal, account_totals
from worker.target.records import (
    Books,
    Customer,
    Document,
    Entity,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from worker.target.writer import create_entity, write_records
from worker.wizard.gates import MigrationData
from worker.wizard.proof import AccountRole, Journal, contact_key, document_identity, reconcile
from worker.wizard.records import ContactRecord, DocumentRecord
from worker.wizard.store import MigrationRow


@dataclass(frozen=True)
class Written:
    proof: dict[str, Any]
    totals: list[AccountTotal]


def _customer(key: str, c: ContactRecord) -> Customer:
    address = ", ".join(p for p in (c.address2, c.address3) if p) or None
    return Customer(key, contact_key(c.name), c.name, c.address1, address, c.town, c.postcode,
                    c.country, None, c.vat_number, None, c.company_number, c.email, c.phone,
                    None, "contact")


def _document(key: str, d: DocumentRecord) -> Document:
    paid = d.paid_minor if d.paid_minor is not None else d.total_minor - d.due_minor
    # a sales credit is the target's credit_note; a supplier credit stays a bill (negative)
    kind = "credit_note" if d.credit_note and d.document_type == "invoice" else d.document_type
    return Document(key, document_identity(d), kind, d.reference, d.dated_on, d.due_on,
                    d.currency, False, False, contact_key(d.contact), {"name": d.contact},
                    d.net_minor if d.net_minor is not None else d.total_minor, d.total_minor,
                    paid, d.due_minor, Decimal(0), d.due_minor == 0)


def _books(key: str, data: MigrationData, journal: Journal) -> Books:
    """The migration as the target's records, built as they are written."""
    return Books(
        ledger_accounts=(LedgerAccount(a.code, a.name, a.category) for a in journal.accounts),
        customers=(_customer(key, c) for c in data.contacts),
        documents=(_document(key, d) for d in (*data.invoices, *data.bills)),
        journal_entries=(JournalEntry(e.kind, e.key, e.dated_on, e.description)
                         for e in journal.entries),
        journal_lines=(JournalLine(e.kind, e.key, line.account_code, journal.currency,
                                   line.debit_minor, line.credit_minor)
                       for e in journal.entries for line in e.lines))


def _files(data: MigrationData) -> list[dict[str, Any]]:
    """Each import's files (name, layout, SHA-256), the import's row counts and the file's
    own (`fileRows`, as read: duplicates of the account's records are known only for the
    import), and the report totals its reading checked: what the proof stands on."""
    files = []
    for slot, row in sorted(data.imports.items()):
        read = row.summary.get("files", [])  # what reading found, file by file, in order
        for position, file in enumerate(row.files or []):
            reading = read[position] if position < len(read) else {}
            checked = reading.get("reportTotals")
            files.append({
                "type": slot, "import": row.id, "filename": file["filename"],
                "sheet": file["sheet"], "layout": file["layout"], "sha256": file["sha256"],
                "rows": {"total": row.total_rows, "created": row.created_count,
                         "skipped": row.skipped_count, "errors": row.error_count},
                **({"fileRows": reading["rows"]} if "rows" in reading else {}),
                **({"reportTotals": checked} if checked else {})})
    return files


def _balancing(journal: Journal, totals: list[AccountTotal]) -> list[dict[str, Any]]:
    """The provider's balancing accounts (Historical Adjustment, Opening Balance Equity,
    Suspense) and what was posted to them: accepted as equity, shown so that nobody misses
    them (one with nothing posted too)."""
    posted = {t.account_code: t.debit_minor - t.credit_minor for t in totals}
    return [{"code": a.code, "name": a.name, "net": posted.get(a.code, 0)}
            for a in journal.accounts if a.role is AccountRole.BALANCING]


async def write_migration(conn: Conn, *, migration: MigrationRow, data: MigrationData,
                          journal: Journal, entity_id: str, job_id: str | None) -> Written:
    """Everything the migration creates, and the proof read back from what was written."""
    with collector.paused():  # its rows are built beside every record of the migration
        return await _write(conn, migration, data, journal, entity_id, job_id)


async def _write(conn: Conn, migration: MigrationRow, data: MigrationData, journal: Journal,
                 entity_id: str, job_id: str | None) -> Written:
    await create_entity(conn, Entity(
        id=entity_id, environment="live", name=f"Books of {migration.account_id}",
        currency=migration.currency, source_job_id=job_id,
        source_migration_id=migration.id))
    written = await write_records(conn, entity_id, _books(job_id or entity_id, data, journal))
    totals = await account_totals(conn, entity_id)
    proof = {
        **reconcile(totals).as_dict(),
        "currency": journal.currency,
        "cutoverDate": journal.cutover.isoformat(),
        "written": {"contacts": written["customers"],
                    "ledgerAccounts": written["ledger_accounts"],
                    "journalEntries": written["journal_entries"],
                    "journalLines": written["journal_lines"],
                    "invoices": len(data.invoices), "bills": len(data.bills)},
        "files": _files(data),
        "balancingAccounts": _balancing(journal, totals),
    }
    return Written(proof, totals)
