"""The canonical records the target takes from any kind.

A kind maps its source into these; `worker.target.writer` writes them, from where they are:

- staged, page by page as a kind reads a paged source (the legacy kind): each record type
  of `STAGING_TABLES` is a row of its staging table, its fields that table's columns in
  order, staged with `worker.staging.copy.copy_records` (as the record, or as a plain tuple
  in its field order: COPY's faster path, which the legacy kind takes); `write_staged`
  moves them;
- in memory, a whole write built in one transaction (the wizard's execute): `write_records`
  takes them, ledger accounts and the journal included.

Records name each other by source keys (`legacy_id`, a ledger account's code); the writer
maps those to target IDs. `job_id` is the staging key: the job that staged them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Entity:
    """The books a write creates: one per job (or per wizard migration)."""

    id: str
    environment: str  # live | sandbox
    name: str
    currency: str
    source_job_id: str | None
    source_migration_id: str | None = None
    legacy_org_id: str | None = None  # a legacy organisation reaches live at most once
    country: str | None = None
    tax_number: str | None = None


class Tax(NamedTuple):
    job_id: str
    legacy_id: str
    name: str
    abbreviation: str | None
    classification: str | None
    recoverable: bool
    compound: bool


class TaxRate(NamedTuple):
    job_id: str
    tax_legacy_id: str
    valid_from: date
    rate: Decimal


class Customer(NamedTuple):
    """A customer, supplier or both (`legacy_type`): the target's contact."""

    job_id: str
    legacy_id: str
    name: str
    address: str | None
    address2: str | None
    city: str | None
    zip: str | None
    country: str | None
    country_code: str | None
    tax_number: str | None
    tax_subject: bool | None
    company_number: str | None
    email: str | None
    phone: str | None
    is_end_customer: bool | None
    legacy_type: str


class Item(NamedTuple):
    job_id: str
    legacy_id: str
    name: str
    description: str | None
    unit_price: Decimal | None
    unit: str | None
    tax_legacy_ids: list[str]


class Document(NamedTuple):
    """An invoice, estimate, credit note, advance invoice or bill (`kind`); money in
    integer minor units of `currency`."""

    job_id: str
    legacy_id: str
    kind: str
    number: str | None
    issued_on: date | None
    due_on: date | None
    currency: str
    draft: bool
    canceled: bool
    customer_legacy_id: str | None
    client_snapshot: dict[str, Any] | None
    total_minor: int
    total_with_tax_minor: int
    paid_minor: int
    due_minor: int
    rounding_correction: Decimal
    paid_in_full: bool


class DocumentLine(NamedTuple):
    job_id: str
    document_legacy_id: str
    position: int
    name: str | None
    description: str | None
    quantity: Decimal
    unit: str | None
    unit_price: Decimal
    discount_percent: Decimal
    tax_legacy_ids: list[str]
    tax_rates: list[Decimal]


class Payment(NamedTuple):
    job_id: str
    legacy_id: str
    document_legacy_id: str
    amount_minor: int
    rounding_correction: Decimal
    currency: str
    paid_on: date | None
    method: str
    note: str | None


class LedgerAccount(NamedTuple):
    code: str
    name: str
    category: str | None


class JournalEntry(NamedTuple):
    kind: str
    legacy_id: str
    entry_date: date
    description: str | None


class JournalLine(NamedTuple):
    """One side of an entry (exactly one of debit and credit positive: the target's CHECK);
    every entry's lines balance by the end of the write's transaction."""

    entry_kind: str
    entry_legacy_id: str
    account_code: str
    currency: str
    debit_minor: int
    credit_minor: int


# each stageable record's staging table, in the order `write_staged` moves them: a record's
# references are to records moved before it
STAGING_TABLES: dict[type[tuple[Any, ...]], str] = {
    Tax: "taxes", TaxRate: "tax_rates", Customer: "customers", Item: "items",
    Document: "documents", DocumentLine: "document_lines", Payment: "payments",
}


@dataclass(frozen=True)
class Books:
    """What `write_records` writes from memory, in the order written. Each may be a
    generator, built as it is written (an execute's journal can be a million lines)."""

    ledger_accounts: Iterable[LedgerAccount] = ()
    customers: Iterable[Customer] = ()
    documents: Iterable[Document] = ()
    journal_entries: Iterable[JournalEntry] = ()  # the target's IDs follow this order
    journal_lines: Iterable[JournalLine] = ()
