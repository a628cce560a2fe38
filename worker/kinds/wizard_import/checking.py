"""From a file's rows to checked rows: each data row parsed (RowParser) and looked at against
the rows above it (duplicates), ready to stage.

Pure and self-contained, so that it runs where the rows are: in the worker for CSV files, in
the reading child for workbooks (calamine_child.py), where a workbook's parsing and
validation take the other core while the worker stages what it has been sent. Both send
the same CheckedRow, the record already as the JSON text staged, and both end the same way:
`missing_header()` says why nothing was read when no header row was found.
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
    DocumentRecord,
    ImportType,
    Record,
    RowError,
)


class CheckedRow(NamedTuple):
    """One data row (title, header and blank rows have none): its record as staged (JSON
    text), or None with its errors; `skipped` says why a record is not created (a duplicate
    of an earlier row)."""

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
    if isinstance(record, DocumentRecord):  # the many rows first
        return record.reference.strip()
    if isinstance(record, ContactRecord):
        return contact_key(record.name)
    return record.code.strip()


class RowChecker:
    """Checks the rows of one file, in order, from the top (the header and the duplicates
    seen are found again on every read)."""

    def __init__(self, spec: ParseSpec) -> None:
        self.sheet = spec.sheet
        self.parser = RowParser(spec.import_type, spec.sheet, currency=spec.currency,
                                cutover=spec.cutover)
        self.seen: dict[str, int] = {}

    def check(self, number: int, cells: Any) -> CheckedRow | None:
        """The checked row, or None for a title, header or blank row."""
        parser = self.parser
        data_rows = parser.data_rows
        record, errors = parser.parse(number, cells)
        if parser.data_rows == data_rows:
            return None
        if record is None:
            return CheckedRow(number, None, None, errors)
        key = _identity(record)
        first = self.seen.setdefault(key, number)
        skipped: str | None = None
        if first != number:
            if isinstance(record, BalanceRecord):  # two balances of one account: ambiguous
                return CheckedRow(number, None, None, [*errors, RowError(
                    self.sheet, number, None, f"account code {key} appears again (first on "
                    f"row {first}); a trial balance has one row per account")])
            skipped = f"duplicate of row {first}"
        if errors:
            return CheckedRow(number, skipped, None, errors)
        # orjson writes a dataclass's fields in order, dates as ISO strings: the staged form
        return CheckedRow(number, skipped, orjson.dumps(record).decode(), [])

    def missing_header(self) -> str | None:
        """Why no row was read, when no header row was found (else None)."""
        return self.parser.missing_header()


def check_rows(rows: Iterable[tuple[int, Any]], spec: ParseSpec, batch: int = 2000
               ) -> Iterator[list[CheckedRow]]:
    """The checked data rows of `rows`, in batches of up to `batch`, checked here (the CSV
    files' way). Raises HeaderNotFound at the end when no header row was found."""
    checker = RowChecker(spec)
    checked = (c for number, cells in rows if (c := checker.check(number, cells)) is not None)
    while page := list(itertools.islice(checked, batch)):
        yield page
    missing = checker.missing_header()
    if missing is not None:
        raise HeaderNotFound(missing)
