"""Writes a migration into the target inside the caller's transaction, set-wise (COPY), and
computes the reconciliation proof from the rows written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from worker import collector
from worker.db.types import Conn
from worker.wizard.gates import MigrationData
from worker.wizard.proof import AccountRole, Journal, contact_key, document_identity, reconcile
from worker.wizard.records import ContactRecord, DocumentRecord

_ENTITY = """
INSERT INTO target.entities (id, environment, source_job_id, source_migration_id, name,
                             currency)
VALUES ($1, 'live', $2, $3, $4, $5)
"""
_WRITTEN_TOTALS = """
SELECT a.code AS account_code, a.name AS account_name,
       sum(l.debit_minor)::bigint AS debit_minor, sum(l.credit_minor)::bigint AS credit_minor
FROM target.journal_lines l
JOIN target.journal_entries e ON e.id = l.entry_id
JOIN target.ledger_accounts a ON a.id = l.account_id
WHERE e.entity_id = $1
GROUP BY a.code, a.name
ORDER BY a.code
"""


@dataclass(frozen=True)
class AccountTotal:
    """What the journal posted to one account, read back from the target."""

    account_code: str
    account_name: str
    debit_minor: int
    credit_minor: int


@dataclass(frozen=True)
class Written:
    proof: dict[str, Any]
    totals: list[AccountTotal]


async def _copy(conn: Conn, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
                ) -> None:
    if rows:
        await conn.copy_records_to_table(table, schema_name="target", columns=list(columns),
                                         records=rows)


async def _ids(conn: Conn, sql: str, entity_id: str) -> dict[str, int]:
    return {r[0]: r[1] for r in await conn.fetch(sql, entity_id)}


def _contact_row(entity_id: str, c: ContactRecord) -> tuple[Any, ...]:
    address = ", ".join(p for p in (c.address2, c.address3) if p) or None
    return (entity_id, contact_key(c.name), c.name, c.address1, address, c.town, c.postcode,
            c.country, c.vat_number, c.company_number, c.email, c.phone, "contact")


def _document_row(entity_id: str, d: DocumentRecord, customers: dict[str, int]
                  ) -> tuple[Any, ...]:
    paid = d.paid_minor if d.paid_minor is not None else d.total_minor - d.due_minor
    # a sales credit is the target's credit_note; a supplier credit stays a bill (negative)
    kind = "credit_note" if d.credit_note and d.kind == "invoice" else d.kind
    return (entity_id, kind, document_identity(d), d.reference, d.dated_on, d.due_on,
            d.currency,
            customers.get(contact_key(d.contact)), {"name": d.contact},
            d.net_minor if d.net_minor is not None else d.total_minor, d.total_minor, paid,
            d.due_minor, d.due_minor == 0)


def _files(data: MigrationData) -> list[dict[str, Any]]:
    """Each import's files (name, layout, SHA-256), the import's row counts and the file's
    own (`fileRows`, as read: duplicates of the account's records are known only for the
    import), and the report totals its reading checked: what the proof stands on."""
    files = []
    for slot, row in sorted(data.imports.items()):
        read = row["summary"].get("files", [])  # what reading found, file by file, in order
        for position, file in enumerate(row["files"] or []):
            reading = read[position] if position < len(read) else {}
            checked = reading.get("reportTotals")
            files.append({
                "type": slot, "import": row["id"], "filename": file["filename"],
                "sheet": file["sheet"], "layout": file["layout"], "sha256": file["sha256"],
                "rows": {"total": row["total_rows"], "created": row["created_count"],
                         "skipped": row["skipped_count"], "errors": row["error_count"]},
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


async def write_migration(conn: Conn, *, migration: Any, data: MigrationData,
                          journal: Journal, entity_id: str, job_id: str | None) -> Written:
    """Everything the migration creates, and the proof read back from what was written."""
    with collector.paused():  # its rows are built beside every record of the migration
        return await _write(conn, migration, data, journal, entity_id, job_id)


async def _write(conn: Conn, migration: Any, data: MigrationData, journal: Journal,
                 entity_id: str, job_id: str | None) -> Written:
    await conn.execute(_ENTITY, entity_id, job_id, migration["id"],
                       f"Books of {migration['account_id']}", migration["currency"])
    await _copy(conn, "ledger_accounts", ("entity_id", "code", "name", "category"),
                [(entity_id, a.code, a.name, a.category) for a in journal.accounts])
    accounts = await _ids(conn, "SELECT code, id FROM target.ledger_accounts "
                                "WHERE entity_id = $1", entity_id)
    await _copy(conn, "customers",
                ("entity_id", "legacy_id", "name", "address", "address2", "city", "zip",
                 "country", "tax_number", "company_number", "email", "phone", "legacy_type"),
                [_contact_row(entity_id, c) for c in data.contacts])
    customers = await _ids(conn, "SELECT legacy_id, id FROM target.customers "
                                 "WHERE entity_id = $1", entity_id)
    await _copy(conn, "documents",
                ("entity_id", "kind", "legacy_id", "number", "issued_on", "due_on", "currency",
                 "customer_id", "client_snapshot", "total_minor", "total_with_tax_minor",
                 "paid_minor", "due_minor", "paid_in_full"),
                [_document_row(entity_id, d, customers) for d in (*data.invoices, *data.bills)])
    await _copy(conn, "journal_entries",
                ("entity_id", "kind", "legacy_id", "entry_date", "description"),
                [(entity_id, e.kind, e.key, e.dated_on, e.description) for e in journal.entries])
    entries = await _ids(conn, "SELECT legacy_id, id FROM target.journal_entries "
                               "WHERE entity_id = $1", entity_id)
    await _copy(conn, "journal_lines",
                ("entry_id", "account_id", "currency", "debit_minor", "credit_minor"),
                [(entries[e.key], accounts[line.account_code], journal.currency,
                  line.debit_minor, line.credit_minor)
                 for e in journal.entries for line in e.lines])
    totals = [AccountTotal(**dict(r)) for r in await conn.fetch(_WRITTEN_TOTALS, entity_id)]
    proof = {
        **reconcile(totals).as_dict(),
        "currency": journal.currency,
        "cutoverDate": journal.cutover.isoformat(),
        "written": {"contacts": len(customers), "ledgerAccounts": len(accounts),
                    "journalEntries": len(entries),
                    "journalLines": sum(len(e.lines) for e in journal.entries),
                    "invoices": len(data.invoices), "bills": len(data.bills)},
        "files": _files(data),
        "balancingAccounts": _balancing(journal, totals),
    }
    return Written(proof, totals)
