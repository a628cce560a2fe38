"""What a layout is: a named reading of one kind of export (provider-imports.md). It knows
its tell-tale header columns, finds its header row below any title block, and makes a
reader that turns the rows under that header into records, row errors and, at the end,
what blocks the import (a report's totals that do not add up) and what it noticed.

A reader takes the data rows one at a time, in order, and gives back at most one item a
row: the record (or errors) of that row, or of the document that row ended (line items),
numbered by the document's first row so that items come in row order. `end()` gives the
last one. Title, header, blank, group and total rows give nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeVar

from worker.kinds.wizard_import.columns import Header
from worker.kinds.wizard_import.date_order import DateReader
from worker.kinds.wizard_import.values import CellError, cell_text, is_blank, money_parser
from worker.wizard.records import ImportType, RowError, WizardRecord

T = TypeVar("T")

# (row number, record or None, its errors, why it is skipped or None)
Item = tuple[int, WizardRecord | None, list[RowError], str | None]

NO_ERRORS: list[RowError] = []  # shared, never changed
__all__ = ["Header"]  # re-exported: a layout's header is the FreeAgent columns' one


def header_name(cell: object) -> str:
    """How header cells compare: Xero's required-column star dropped, case-folded, spaces
    trimmed and collapsed (non-breaking ones too)."""
    if cell is None:
        return ""
    return " ".join(str(cell).lstrip().lstrip("*").split()).casefold()


@dataclass(frozen=True)
class Column:
    key: str  # the record field it feeds, or the layout's own ("type", "status", ...)
    names: tuple[str, ...]  # as the provider writes it first, then aliases
    required: bool = False


@dataclass
class ReadContext:
    """What reading one file of an import needs to know."""

    import_type: ImportType
    sheet: str  # the file's name in row errors: its sheet, or the CSV file's name
    currency: str
    cutover: dt.date | None
    dates: DateReader


class Reader(Protocol):
    mapping: dict[str, str]  # record field -> the file's column that fed it
    blockers: list[str]  # known once the rows end
    summary: dict[str, Any]

    def row(self, number: int, cells: Sequence[object]) -> Item | None: ...
    def end(self) -> Item | None: ...


class Layout:
    """A layout; each module of this package defines one (or a few of one shape)."""

    name: ClassVar[str]
    provider: ClassVar[str]  # "freeagent", "xero", "quickbooks", or "generic"
    title: ClassVar[str]  # what it is, for messages: "Xero sales invoices export"
    import_type: ClassVar[ImportType | None]  # None: given by the upload (sheet or form)
    columns: ClassVar[tuple[Column, ...]]
    # a report whose header's first cell is empty (QuickBooks): that column is "label"
    label_first: ClassVar[bool] = False
    date_keys: ClassVar[tuple[str, ...]] = ()
    default_date_order: ClassVar[str | None] = None
    # Xero and QuickBooks CSVs may come in Windows-1252 (provider-imports.md)
    windows_1252: ClassVar[bool] = False

    def required(self, import_type: ImportType) -> tuple[tuple[str, ...], ...]:
        """The alternative sets of column keys that make a header row."""
        return (tuple(c.key for c in self.columns if c.required),)

    def _by_name(self, import_type: ImportType) -> dict[str, str]:
        return {header_name(n): c.key for c in self.columns for n in c.names}

    def read_header(self, row: int, cells: Sequence[object], import_type: ImportType
                    ) -> Header | None:
        """The header, if this row is one: it names every column of a required set."""
        by_name = self._by_name(import_type)
        index: dict[str, int] = {}
        labels: dict[str, str] = {}
        if self.label_first:
            if not cells or not is_blank(cells[0]):
                return None
            index["label"], labels["label"] = 0, "(first column)"
        for position, cell in enumerate(cells):
            if (isinstance(cell, str) and (key := by_name.get(header_name(cell))) is not None
                    and key not in index):  # a repeated column: the first one counts
                index[key], labels[key] = position, cell.strip()
        if any(all(key in index for key in keys) for keys in self.required(import_type)):
            return Header(row, index, labels)
        return None

    def found(self, cells: Sequence[object], import_type: ImportType) -> int:
        """How many of the best required set's columns a row names (the closest layout is
        the one a row comes nearest to)."""
        names = {header_name(cell) for cell in cells if isinstance(cell, str)}
        by_name = self._by_name(import_type)
        keys = {by_name[n] for n in names if n in by_name}
        return max(len(keys & set(s)) for s in self.required(import_type))

    def missing(self, cells: Sequence[object], import_type: ImportType) -> list[str]:
        """The required columns a row lacks, by the provider's names (the nearest set)."""
        names = {header_name(cell) for cell in cells if isinstance(cell, str)}
        by_name = self._by_name(import_type)
        keys = {by_name[n] for n in names if n in by_name}
        best = max(self.required(import_type), key=lambda s: len(keys & set(s)))
        named = {c.key: c.names[0] for c in self.columns}
        return [named.get(k, "(an empty first column)") for k in best if k not in keys]

    def accepts(self, header: Header, rows: Sequence[tuple[int, Sequence[object]]]) -> bool:
        """Whether a file whose header this is is this layout's, from its first rows (title
        block, header, first data rows): Xero's invoices and bills share one header and
        differ in their Type column, its aged receivables and payables in their title."""
        return True

    def refusal(self, header: Header) -> str:
        """Why a file with this layout's header is not of this layout (accepts said no)."""
        return "its first rows are not this layout's"

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        raise NotImplementedError


@dataclass
class CellReader:
    """Cell reading for the readers of this package: each bad cell a row error naming the
    sheet, row and column as the file names them."""

    ctx: ReadContext
    header: Header
    mapping: dict[str, str] = field(default_factory=dict)
    blockers: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._money = money_parser(self.ctx.currency)

    def map(self, **fields: str) -> None:
        """WizardRecord which column fed each record field (field=column key)."""
        for record_field, key in fields.items():
            if key in self.header.labels:
                self.mapping[record_field] = self.header.labels[key]

    def cell(self, cells: Sequence[object], key: str) -> object:
        position = self.header.index.get(key)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def text(self, cells: Sequence[object], key: str) -> str | None:
        return cell_text(self.cell(cells, key))

    def error(self, row: int, key: str | None, message: str) -> RowError:
        column = self.header.labels.get(key) if key is not None else None
        return RowError(self.ctx.sheet, row, column, message)

    def required_text(self, row: int, cells: Sequence[object], key: str,
                      errors: list[RowError]) -> str:
        text = self.text(cells, key)
        if text is None:
            errors.append(self.error(row, key, f"{self.header.labels[key]} is empty."))
            return ""
        return text

    def money(self, row: int, cells: Sequence[object], key: str, errors: list[RowError],
              required: bool = False) -> int | None:
        return self._read(row, cells, key, errors, required, self._money)

    def date(self, row: int, cells: Sequence[object], key: str, errors: list[RowError],
             required: bool = False) -> dt.date | None:
        return self._read(row, cells, key, errors, required, self.ctx.dates.parse)

    def _read(self, row: int, cells: Sequence[object], key: str, errors: list[RowError],
              required: bool, parse: Callable[[object], T]) -> T | None:
        """A cell read by `parse`: None when blank (an error when required) or bad (its
        error added)."""
        value = self.cell(cells, key)
        if is_blank(value):
            if required:
                errors.append(self.error(row, key, f"{self.header.labels[key]} is empty."))
            return None
        try:
            return parse(value)
        except CellError as exc:
            errors.append(self.error(row, key, str(exc)))
            return None

    def after_cutover(self, row: int, key: str, dated_on: dt.date, errors: list[RowError]
                      ) -> None:
        cutover = self.ctx.cutover
        if cutover is not None and dated_on > cutover:
            errors.append(self.error(
                row, key, f"{dated_on.isoformat()} is after the cutover date "
                f"{cutover.isoformat()}: only documents dated on or before it can be "
                "outstanding."))
