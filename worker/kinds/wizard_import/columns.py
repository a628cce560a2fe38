"""Sheet and column names of the accepted files (freeagent-workbook.md), with their aliases.

Names match case-insensitively, ignoring surrounding (and repeated) spaces. The header row
is the first row whose cells include a type's required columns; title rows above it are
allowed, extra columns are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from worker.wizard.records import ImportType


def normalise(name: object) -> str:
    """The form names are compared in: case-folded, spaces trimmed and collapsed."""
    return " ".join(str(name).split()).casefold() if name is not None else ""


# --- sheets --------------------------------------------------------------------------------

SHEETS: dict[ImportType, tuple[str, ...]] = {  # the canonical name first
    ImportType.CONTACTS: ("Contacts",),
    ImportType.BALANCES: ("Trial Balance", "TB"),
    ImportType.INVOICES: ("Invoices", "Outstanding Invoices"),
    ImportType.BILLS: ("Bills", "Outstanding Bills"),
}
REQUIRED_SHEETS = (ImportType.CONTACTS, ImportType.BALANCES)


def sheet_aliases(canonical: str) -> tuple[str, ...]:
    """The other names accepted for the sheet named `canonical`."""
    for names in SHEETS.values():
        if names[0] == canonical:
            return names[1:]
    return ()


def match_sheets(names: Iterable[str]) -> dict[ImportType, str]:
    """Each import type found → its sheet's name as written in the file (the first sheet
    that matches, in workbook order)."""
    wanted = {normalise(alias): kind for kind, aliases in SHEETS.items() for alias in aliases}
    found: dict[ImportType, str] = {}
    for name in names:
        kind = wanted.get(normalise(name))
        if kind is not None and kind not in found:
            found[kind] = name
    return found


def missing_sheets(names: Iterable[str]) -> list[str]:
    """The canonical names of the required sheets not found among `names`."""
    found = match_sheets(names)
    return [SHEETS[kind][0] for kind in REQUIRED_SHEETS if kind not in found]


# --- columns -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  # the record field it feeds
    names: tuple[str, ...]  # the canonical header first, then its aliases
    required: bool = False


def _columns(*columns: Column) -> dict[str, Column]:
    return {column.key: column for column in columns}


_DOCUMENT_OPTIONAL = (
    Column("currency", ("Currency",)),
    Column("net", ("Net", "Net Value")),
    Column("vat", ("VAT", "Sales Tax Value")),
    Column("paid", ("Paid", "Paid Value", "Amount Paid")),
    Column("due", ("Due", "Due Value", "Outstanding")),
    Column("due_on", ("Due On", "Due Date")),
)

COLUMNS: dict[ImportType, dict[str, Column]] = {
    ImportType.CONTACTS: _columns(
        Column("organisation", ("Organisation", "Organisation Name", "Company")),
        Column("first_name", ("First Name",)),
        Column("last_name", ("Last Name",)),
        Column("email", ("Email",)),
        Column("phone", ("Phone",)),
        Column("address1", ("Address 1",)),
        Column("address2", ("Address 2",)),
        Column("address3", ("Address 3",)),
        Column("town", ("Town",)),
        Column("region", ("Region",)),
        Column("postcode", ("Postcode",)),
        Column("country", ("Country",)),
        Column("vat_number", ("VAT Registration Number",)),
        Column("company_number", ("Company Number",)),
        Column("payment_terms_days", ("Default Payment Terms",)),
    ),
    ImportType.BALANCES: _columns(
        Column("code", ("Code", "Nominal Code", "Account Code"), required=True),
        Column("name", ("Name", "Account Name", "Account"), required=True),
        Column("debit", ("Debit",), required=True),
        Column("credit", ("Credit",), required=True),
        Column("category", ("Category",)),
    ),
    ImportType.INVOICES: _columns(
        Column("reference", ("Reference", "Invoice Number", "Number"), required=True),
        Column("contact", ("Contact", "Customer"), required=True),
        Column("dated_on", ("Dated On", "Date", "Invoice Date"), required=True),
        Column("total", ("Total", "Total Value", "Gross"), required=True),
        *_DOCUMENT_OPTIONAL,
    ),
    ImportType.BILLS: _columns(
        Column("reference", ("Reference", "Bill Reference"), required=True),
        Column("contact", ("Contact", "Supplier"), required=True),
        Column("dated_on", ("Dated On", "Date"), required=True),
        Column("total", ("Total", "Total Value", "Gross"), required=True),
        *_DOCUMENT_OPTIONAL,
    ),
}

_BY_NAME: dict[ImportType, dict[str, str]] = {
    kind: {normalise(name): column.key for column in columns.values() for name in column.names}
    for kind, columns in COLUMNS.items()
}

# Contacts need an organisation, or a first and a last name: either set makes a header.
_CONTACT_HEADERS = (("organisation",), ("first_name", "last_name"))


def required_sets(kind: ImportType) -> tuple[tuple[str, ...], ...]:
    """The alternative sets of column keys that make a header row of `kind`."""
    if kind is ImportType.CONTACTS:
        return _CONTACT_HEADERS
    return (tuple(key for key, column in COLUMNS[kind].items() if column.required),)


@dataclass(frozen=True)
class Header:
    """A header row: where each known column is and how the file names it."""

    row: int
    index: dict[str, int]  # column key → cell position
    labels: dict[str, str]  # column key → the header as written in the file


def read_header(kind: ImportType, row: int, cells: Sequence[object]) -> Header | None:
    """The header, if this row is one (it names every column of a required set)."""
    by_name = _BY_NAME[kind]
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    for position, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        key = by_name.get(normalise(cell))
        if key is not None and key not in index:  # a repeated column: the first one counts
            index[key] = position
            labels[key] = cell.strip()
    if any(all(key in index for key in keys) for keys in required_sets(kind)):
        return Header(row, index, labels)
    return None


def found_keys(kind: ImportType, cells: Sequence[object]) -> set[str]:
    """Which of `kind`'s required column keys a (non-header) row names."""
    names = {normalise(cell) for cell in cells if isinstance(cell, str)}
    wanted = {key for keys in required_sets(kind) for key in keys}
    return {key for key in wanted
            if any(normalise(name) in names for name in COLUMNS[kind][key].names)}


def describe(kind: ImportType, key: str) -> str:
    """A column for messages: its canonical name and aliases, "Code (or Nominal Code,
    Account Code)"."""
    names = COLUMNS[kind][key].names
    return names[0] + (f" (or {', '.join(names[1:])})" if len(names) > 1 else "")
