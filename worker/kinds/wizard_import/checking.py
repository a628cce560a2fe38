"""From a file's rows to checked rows: each data row parsed (RowParser: a record as the JSON
text staged, or its errors), then looked at against the rows above it (Duplicates).

Parsing is pure and self-contained, so that it runs where the rows are: in the worker for
CSV files, in the reading processes for workbooks (calamine_child.py), where a workbook's
parsing and validation take the other core while the worker stages what it is sent. Both
send the same ParsedRow, and both end the same way: `missing_header()` says why nothing was
read when no header row was found. Duplicates are found in the worker, which sees every row
in order whichever process parsed it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import orjson

from worker.kinds.wizard_import.errors import HeaderNotFound
from worker.kinds.wizard_import.rows import RowParser
from worker.wizard.proof import contact_key
from worker.wizard.records import (
    BalanceRecord,
    ContactRecord,
    ImportType,
    Record,
    RowError,
    record_to_json,
)


class ParsedRow(NamedTuple):
    """One data row parsed (title, header and blank rows have none): its record as staged
    (JSON text) and what makes it the same as another (`key`), or None with its errors."""

    number: int
    key: str | None
    record: str | None
    errors: list[RowError]


class CheckedRow(NamedTuple):
    """A parsed row once duplicates were looked for: `skipped` says why a record is not
    created (a duplicate of an earlier row); a second balance of an account is an error."""

    number: int
    skipped: str | None
    record: str | None
    errors: list[RowError]


@dataclass(frozen=True)
class ParseSpec:
    """What parsing a file needs to know of its import."""

    import_type: ImportType
    sheet: str  # as named in errors: the sheet's name, or a CSV file's name
    currency: str
    cutover: date | None

    def to_json(self) -> dict[str, Any]:
        return {"import_type": self.import_type.value, "sheet": self.sheet,
                "currency": self.currency,
                "cutover": self.cutover.isoformat() if self.cutover else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParseSpec:
        return cls(ImportType(data["import_type"]), data["sheet"], data["currency"],
                   date.fromisoformat(data["cutover"]) if data["cutover"] else None)


def _identity(record: Record) -> str:
    """What makes two records the same: a contact's name, an account's code, a document's
    reference."""
    if isinstance(record, ContactRecord):
        return contact_key(record.name)
    if isinstance(record, BalanceRecord):
        return record.code.strip()
    return record.reference.strip()


class RowChecker:
    """Parses the rows of one file, in order, from the top (the header is found again on
    every read). Rows may be left out once the header is found (`skip`): a reading process
    that shares a sheet with another parses only its own batches."""

    def __init__(self, spec: ParseSpec) -> None:
        self.parser = RowParser(spec.import_type, spec.sheet, currency=spec.currency,
                                cutover=spec.cutover)

    @property
    def header_found(self) -> bool:
        return self.parser.header is not None

    def check(self, number: int, cells: Any) -> ParsedRow | None:
        """The parsed row, or None for a title, header or blank row."""
        parser = self.parser
        data_rows = parser.data_rows
        record, errors = parser.parse(number, cells)
        if parser.data_rows == data_rows:
            return None
        if record is None:
            return ParsedRow(number, None, None, errors)
        return ParsedRow(number, _identity(record), orjson.dumps(record_to_json(record)).decode(),
                         errors)

    def missing_header(self) -> str | None:
        """Why no row was read, when no header row was found (else None)."""
        return self.parser.missing_header()


class Duplicates:
    """The rows' identities seen so far, from the top of the file."""

    def __init__(self, import_type: ImportType, sheet: str) -> None:
        self.balances = import_type is ImportType.BALANCES
        self.sheet = sheet
        self.seen: dict[str, int] = {}

    def check(self, row: ParsedRow) -> CheckedRow:
        number, key, record, errors = row
        if key is None:
            return CheckedRow(number, None, record, errors)
        first = self.seen.setdefault(key, number)
        if first == number:
            return CheckedRow(number, None, record, errors)
        if self.balances:  # two balances of one account: ambiguous
            return CheckedRow(number, None, None, [*errors, RowError(
                self.sheet, number, None, f"account code {key} appears again (first on row "
                f"{first}); a trial balance has one row per account")])
        return CheckedRow(number, f"duplicate of row {first}", record, errors)


def check_rows(rows: Iterable[tuple[int, Any]], spec: ParseSpec, batch: int = 2000
               ) -> Iterator[list[ParsedRow]]:
    """The parsed data rows of `rows`, in batches of up to `batch`, parsed here (the CSV
    files' way). Raises HeaderNotFound at the end when no header row was found."""
    checker = RowChecker(spec)
    checked = (c for number, cells in rows if (c := checker.check(number, cells)) is not None)
    while page := list(itertools.islice(checked, batch)):
        yield page
    missing = checker.missing_header()
    if missing is not None:
        raise HeaderNotFound(missing)
