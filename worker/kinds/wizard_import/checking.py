"""From a file's rows to checked rows: each data row read by the file's layout (its header
found, its rows turned into records), looked at against the rows above it (duplicates),
ready to stage.

Pure and self-contained, so that it runs where the rows are: in the worker for CSV files, in
the reading child for workbooks (calamine_child.py), where a workbook's parsing and
validation take the other core while the worker stages what it has been sent. Both send
the same CheckedRow, the record already as the JSON text staged, and both end the same way:
a ReadOutcome with what blocks the import (a report's totals, dates that read either way),
what the reading noticed, which column fed each field, and why nothing was read when no
header row was found.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import orjson

from worker.kinds.wizard_import.date_order import DateReader, scan_dates
from worker.kinds.wizard_import.errors import HeaderNotFound
from worker.kinds.wizard_import.layouts import layout_named
from worker.kinds.wizard_import.layouts.base import Item, ReadContext, Reader
from worker.kinds.wizard_import.text_checks import record_problems, visible_error, visible_json
from worker.wizard.proof import contact_key, document_identity
from worker.wizard.records import (
    BalanceRecord,
    ContactRecord,
    DocumentRecord,
    ImportType,
    RowError,
    WizardRecord,
)

Rows = Iterable[tuple[int, Sequence[object]]]


class CheckedRow(NamedTuple):
    """One data row (title, header and blank rows have none): its record as staged (JSON
    text), or None with its errors; `skipped` says why a record is not created (a duplicate
    of an earlier row, a document not outstanding)."""

    number: int
    skipped: str | None
    record: str | None
    errors: list[RowError]


@dataclass(frozen=True)
class ParseSpec:
    """What reading a file needs to know of its import."""

    import_type: ImportType
    sheet: str  # as named in errors: the sheet's name, or a CSV file's name
    currency: str
    cutover: date | None
    layout: str = "generic.csv"
    date_order: str | None = None  # "DMY" or "MDY", as stated for the import
    row_offset: int = 0  # added to the staged row numbers of an import's later files

    def to_json(self) -> dict[str, Any]:
        return {"import_type": self.import_type.value, "sheet": self.sheet,
                "currency": self.currency,
                "cutover": self.cutover.isoformat() if self.cutover else None,
                "layout": self.layout, "date_order": self.date_order,
                "row_offset": self.row_offset}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParseSpec:
        return cls(ImportType(data["import_type"]), data["sheet"], data["currency"],
                   date.fromisoformat(data["cutover"]) if data["cutover"] else None,
                   data.get("layout", "generic.csv"), data.get("date_order"),
                   data.get("row_offset", 0))


@dataclass
class ReadOutcome:
    """What a read of one file found beside its rows, known once the rows end."""

    missing: str | None = None  # why no row was read: no header row found
    blockers: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"missing": self.missing, "blockers": self.blockers, "summary": self.summary,
                "mapping": self.mapping}

    def take(self, data: dict[str, Any]) -> None:
        """Fill this outcome from its JSON form (the reading child's end frame)."""
        self.missing = data.get("missing")
        self.blockers = list(data.get("blockers") or [])
        self.summary = dict(data.get("summary") or {})
        self.mapping = dict(data.get("mapping") or {})


def _identity(record: WizardRecord) -> str:
    """What makes two records the same: a contact's name, an account's code, a document's
    identity (proof.document_identity)."""
    if isinstance(record, DocumentRecord):  # the many rows first
        return document_identity(record)
    if isinstance(record, ContactRecord):
        return contact_key(record.name)
    return record.code.strip()


class RowChecker:
    """Checks the rows of one file, in order, from the top (the header and the duplicates
    seen are found again on every read). `rows_again` gives the file's rows once more, for
    a file whose text dates need their order decided from all of them."""

    def __init__(self, spec: ParseSpec, rows_again: Callable[[], Rows] | None = None) -> None:
        self.spec = spec
        self.layout = layout_named(spec.layout)
        self.dates = DateReader(spec.date_order, self.layout.default_date_order)
        self.ctx = ReadContext(spec.import_type, spec.sheet, spec.currency, spec.cutover,
                               self.dates)
        self.rows_again = rows_again
        self.reader: Reader | None = None
        self.seen: dict[str, int] = {}
        self._best: tuple[int, Sequence[object]] = (-1, ())

    def check(self, number: int, cells: Any) -> CheckedRow | None:
        """The checked row, or None for a title, header, blank, group or total row (or a
        line item whose document is not complete yet)."""
        reader = self.reader
        if reader is None:
            self._find_header(number, cells)
            return None
        item = reader.row(number, cells)
        return None if item is None else self._checked(item)

    def finish(self) -> tuple[CheckedRow | None, ReadOutcome]:
        """The last checked row (a document its last line completed), and the outcome."""
        reader = self.reader
        if reader is None:
            return None, ReadOutcome(missing=self._missing_header())
        item = reader.end()
        blockers = list(reader.blockers)
        if blocker := self.dates.blocker(self.spec.sheet):
            blockers.insert(0, blocker)
        summary = {"layout": self.layout.name, **reader.summary}
        if (dates := self.dates.summary()) is not None:
            summary["dates"] = dates
        # what is read goes to Postgres as JSON: no text of the file's in it unescaped
        return (None if item is None else self._checked(item),
                ReadOutcome(None, visible_json(blockers), visible_json(summary),
                            visible_json(dict(reader.mapping))))

    def _find_header(self, number: int, cells: Sequence[object]) -> None:
        layout, kind = self.layout, self.spec.import_type
        header = layout.read_header(number, cells, kind)
        if header is None:
            found = layout.found(cells, kind)
            if found > self._best[0]:
                self._best = (found, list(cells))
            return
        self.reader = layout.reader(self.ctx, header)
        positions = [header.index[key] for key in layout.date_keys if key in header.index]
        if self.rows_again is not None and positions:
            again = self.rows_again
            self.dates.look_with(lambda: scan_dates(again(), header.row, positions))

    def _missing_header(self) -> str:
        wanted = ", ".join(self.layout.missing(self._best[1], self.spec.import_type))
        return (f"'{self.spec.sheet}' has no header row: the columns {wanted} were not "
                "found. Put the column names in one row above the data (names match "
                "ignoring case) and upload the file again.")

    def _checked(self, item: Item) -> CheckedRow:
        row, record, errors, skipped = item
        number = row + self.spec.row_offset
        if record is None:
            return CheckedRow(number, None, None, _visible(errors))
        # orjson writes a dataclass's fields in order, dates as ISO strings: the staged form
        try:
            text: str | None = orjson.dumps(record).decode()
        except orjson.JSONEncodeError:  # a lone surrogate: record_problems names it
            text = None
        assert self.reader is not None  # an item comes from the reader
        if problems := record_problems(record, text, self.spec.sheet, row,
                                       self.reader.mapping):
            return CheckedRow(number, None, None, _visible([*errors, *problems]))
        key = _identity(record)
        # a document not posted (a draft, a voided one) claims no number: its reissue may
        # follow under the same one
        first = self.seen.setdefault(key, number) if skipped is None else number
        if first != number:
            first -= self.spec.row_offset
            if isinstance(record, BalanceRecord):  # two balances of one account: ambiguous
                return CheckedRow(number, None, None, _visible([*errors, RowError(
                    self.spec.sheet, record.row, None, f"account code {key} appears again "
                    f"(first on row {first}); a trial balance has one row per account")]))
            skipped = f"duplicate of row {first}"
        if errors:
            return CheckedRow(number, skipped, None, _visible(errors))
        return CheckedRow(number, skipped, text, [])


def _visible(errors: list[RowError]) -> list[RowError]:
    """Row errors as they may be stored: a message quoting a cell's text shows its control
    characters as escapes, and no more than part of a long text (text_checks.visible)."""
    return [visible_error(error) for error in errors]


def check_rows(rows: Rows, spec: ParseSpec, batch: int = 2000,
               rows_again: Callable[[], Rows] | None = None,
               outcome: ReadOutcome | None = None) -> Iterator[list[CheckedRow]]:
    """The checked data rows of `rows`, in batches of up to `batch`, checked here (the CSV
    files' way); `outcome`, when given, is filled at the end. Raises HeaderNotFound at the
    end when no header row was found."""
    checker = RowChecker(spec, rows_again)
    checked = (c for number, cells in rows if (c := checker.check(number, cells)) is not None)
    while page := list(itertools.islice(checked, batch)):
        yield page
    last, found = checker.finish()
    if last is not None:
        yield [last]
    if found.missing is not None:
        raise HeaderNotFound(found.missing)
    if outcome is not None:
        outcome.take(found.to_json())
