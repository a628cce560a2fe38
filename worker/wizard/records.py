"""What an import reads from a file, one record per data row: contacts, trial-balance lines
and outstanding invoices or bills (freeagent-workbook.md). Amounts are integer minor units
of the record's currency; no float anywhere."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal


class ImportType(StrEnum):
    CONTACTS = "contacts"
    BALANCES = "balances"
    INVOICES = "invoices"
    BILLS = "bills"


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (or one row, when `column` is None), as the user sees it:
    the sheet as named in the file, the row number as Excel (or a text editor) shows it,
    the column header as written in the file."""

    sheet: str
    row: int
    column: str | None
    message: str


# Records are values, never changed once made; not frozen only because a frozen dataclass
# costs five times as much to build, and an import builds one per row (bench/README.md).


@dataclass(slots=True)
class ContactRecord:
    row: int
    name: str  # the organisation, else "First Last"
    email: str | None = None
    phone: str | None = None
    address1: str | None = None
    address2: str | None = None
    address3: str | None = None
    town: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    vat_number: str | None = None
    company_number: str | None = None
    payment_terms_days: int | None = None


@dataclass(slots=True)
class BalanceRecord:
    """One trial-balance row. Exactly one of debit_minor, credit_minor is positive, or both
    are zero: a negative Debit cell is a credit of that amount, and vice versa."""

    row: int
    code: str
    name: str
    debit_minor: int
    credit_minor: int
    category: str | None = None
    code_derived: bool = False  # the file gave no code: made from the name (layouts.accounts)


@dataclass(slots=True)
class DocumentRecord:
    """An outstanding invoice (document_type "invoice") or bill ("bill") as at the cutover
    date (`document_type`, not `kind`: a kind is a job's).
    `due_minor` is what is still owed: the Due column, else total - paid. A credit note
    (a sales credit or a supplier credit) is one of these with `credit_note` set and its
    amounts negative: it reduces the debtors' or creditors' balance."""

    row: int
    document_type: Literal["invoice", "bill"]
    reference: str
    contact: str
    dated_on: date
    currency: str
    total_minor: int
    due_minor: int
    due_on: date | None = None
    net_minor: int | None = None
    vat_minor: int | None = None
    paid_minor: int | None = None
    credit_note: bool = False


WizardRecord = ContactRecord | BalanceRecord | DocumentRecord


_RECORD_OF: dict[ImportType, type[ContactRecord] | type[BalanceRecord] | type[DocumentRecord]] = {
    ImportType.CONTACTS: ContactRecord,
    ImportType.BALANCES: BalanceRecord,
    ImportType.INVOICES: DocumentRecord,
    ImportType.BILLS: DocumentRecord,
}
_DATES = ("dated_on", "due_on")


_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls))
           for cls in (ContactRecord, BalanceRecord, DocumentRecord)}


def record_from_json(import_type: ImportType | str, data: dict[str, Any]) -> WizardRecord:
    """A staged record back as its dataclass."""
    return records_from_json(import_type, [dict(data)])[0]


def records_from_json(import_type: ImportType | str, datas: Iterable[dict[str, Any]]
                      ) -> list[WizardRecord]:
    """Staged records back as dataclasses (an execute reads every record of an import: the
    class is looked up once; each dict is changed in place, so pass dicts read for this)."""
    cls = _RECORD_OF[ImportType(import_type)]
    dates = [key for key in _DATES if key in _FIELDS[cls]]
    records: list[WizardRecord] = []
    renamed = cls is DocumentRecord
    for data in datas:
        if renamed and "kind" in data:  # staged before the field was renamed (issue 21)
            data["document_type"] = data.pop("kind")
        for key in dates:
            if type(value := data.get(key)) is str:
                data[key] = date.fromisoformat(value)
        records.append(cls(**data))
    return records
