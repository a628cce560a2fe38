"""Writes an entity and its records into the target, set-wise, inside the caller's
transaction (which also completes the job: a crash leaves all of it or nothing).

Records come from where a kind has them, each by the path that measured faster for it
(`python -m bench.target_paths`, bench/README.md):

- staged (`write_staged`): one `INSERT … SELECT` per table, source keys joined to target
  IDs in the database: 0.45× the time of reading them out and COPYing them back;
- in memory (`write_records`): COPY, source keys mapped to target IDs between tables:
  0.50× the time of staging them first.

Either way a record whose reference does not resolve refuses the whole write
(CommitMismatch) and the caller's transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import astuple
from typing import Any

import asyncpg

from worker.db.queries import q
from worker.db.types import Conn, Executor
from worker.target.errors import CommitMismatch, LiveAlreadyExists
from worker.target.records import STAGING_TABLES, Books, Customer, Document, Entity

# one statement per staging table, in STAGING_TABLES' order: each maps the source keys of
# records written before it
WRITE_ORDER = tuple(STAGING_TABLES.values())

_CUSTOMER = ("entity_id", *Customer._fields[1:])
_DOCUMENT = ("entity_id", "legacy_id", "kind", "number", "issued_on", "due_on", "currency",
             "draft", "canceled", "customer_id", "client_snapshot", "total_minor",
             "total_with_tax_minor", "paid_minor", "due_minor", "rounding_correction",
             "paid_in_full")


async def create_entity(conn: Conn, entity: Entity) -> None:
    """The entity the records are written to; a legacy organisation's live entity is
    refused a second time (LiveAlreadyExists)."""
    try:
        await conn.execute(q("insert_entity"), *astuple(entity))
    except asyncpg.UniqueViolationError as exc:
        if "entities_one_live_per_legacy_org" in str(exc):
            raise LiveAlreadyExists from None
        raise


async def staged_counts(conn: Executor, job_id: str) -> dict[str, int]:
    """How many records of each table `job_id` has staged."""
    row = await conn.fetchrow(q("staged_row_counts"), job_id)
    assert row is not None  # one row, always
    return {table: int(n) for table, n in row.items()}


def _mismatch(table: str, staged: int, written: int) -> CommitMismatch:
    return CommitMismatch(f"The commit was rolled back, nothing was written: {table}: "
                          f"staged {staged}, written {written}. Retry the job.")


async def write_staged(conn: Conn, job_id: str, entity_id: str) -> dict[str, int]:
    """Every record `job_id` staged, written to entity `entity_id`; rows written per table.
    A record whose references do not resolve is not written, so the counts differ and the
    write is refused (CommitMismatch)."""
    staged = await staged_counts(conn, job_id)
    written: dict[str, int] = {}
    # A job's staged rows may be in no statistics yet (staged since the last ANALYZE):
    # planned for "one row", a nested loop turns quadratic (20,000 payments: 18.6 s, against
    # 0.18 s hash-joined). Set-wise writes of whole jobs are what hash joins are for.
    await conn.execute("SET LOCAL enable_nestloop = off")
    for table in WRITE_ORDER:
        if not staged[table]:  # nothing of this table staged: spare the round trip
            written[table] = 0
            continue
        status = await conn.execute(q(f"commit_{table}"), job_id, entity_id)
        written[table] = int(status.rsplit(" ", 1)[-1])
        if written[table] != staged[table]:
            raise _mismatch(table, staged[table], written[table])
    await conn.execute("SET LOCAL enable_nestloop TO DEFAULT")  # the rest of the transaction
    return written


class _Counted:
    """Rows as COPY takes them, counted."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self.rows:
            self.count += 1
            yield row


async def _copy(conn: Conn, table: str, columns: tuple[str, ...],
                rows: Iterable[tuple[Any, ...]]) -> int:
    counted = _Counted(rows)
    await conn.copy_records_to_table(table, schema_name="target", columns=list(columns),
                                     records=counted)
    return counted.count


async def _ids(conn: Conn, query: str, entity_id: str) -> dict[Any, int]:
    """{source key: target ID} of the rows just written (a key of two columns: a tuple)."""
    ids: dict[Any, int] = {}
    for row in await conn.fetch(q(query), entity_id):
        *key, ident = row
        ids[key[0] if len(key) == 1 else tuple(key)] = ident
    return ids


def _resolved(ids: dict[Any, int], key: Any, what: str) -> int:
    try:
        return ids[key]
    except KeyError:
        raise CommitMismatch(f"The write was rolled back, nothing was written: {what} {key!r} "
                             "is not among the records written.") from None


def _document_row(entity_id: str, d: Document, customers: dict[Any, int]) -> tuple[Any, ...]:
    customer = customers.get(d.customer_legacy_id)  # none, as a staged one's LEFT JOIN
    return (entity_id, d.legacy_id, d.kind, d.number, d.issued_on, d.due_on, d.currency,
            d.draft, d.canceled, customer, d.client_snapshot, d.total_minor,
            d.total_with_tax_minor, d.paid_minor, d.due_minor, d.rounding_correction,
            d.paid_in_full)


async def write_records(conn: Conn, entity_id: str, books: Books) -> dict[str, int]:
    """The books' records, written to entity `entity_id`; rows written per table."""
    written = {"ledger_accounts": await _copy(
        conn, "ledger_accounts", ("entity_id", "code", "name", "category"),
        ((entity_id, *a) for a in books.ledger_accounts))}
    accounts = await _ids(conn, "target_ledger_account_ids", entity_id)
    written["customers"] = await _copy(conn, "customers", _CUSTOMER,
                                       ((entity_id, *c[1:]) for c in books.customers))
    customers = await _ids(conn, "target_customer_ids", entity_id)
    written["documents"] = await _copy(conn, "documents", _DOCUMENT,
                                       (_document_row(entity_id, d, customers)
                                        for d in books.documents))
    written["journal_entries"] = await _copy(
        conn, "journal_entries", ("entity_id", "kind", "legacy_id", "entry_date", "description"),
        ((entity_id, *e) for e in books.journal_entries))
    entries = await _ids(conn, "target_journal_entry_ids", entity_id)
    written["journal_lines"] = await _copy(
        conn, "journal_lines", ("entry_id", "account_id", "currency", "debit_minor",
                                "credit_minor"),
        ((_resolved(entries, (line.entry_kind, line.entry_legacy_id), "journal entry"),
          _resolved(accounts, line.account_code, "ledger account"), line.currency,
          line.debit_minor, line.credit_minor) for line in books.journal_lines))
    return written
