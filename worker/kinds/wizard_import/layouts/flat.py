"""The flat layouts: one data row, one record, in the columns of freeagent-workbook.md
(FreeAgent's workbook sheets as accountants assemble them, and our own CSV columns). The
rows are read by rows.RowParser, whose fast path an import of 170,000 invoices depends on."""

from __future__ import annotations

from collections.abc import Sequence

from worker.kinds.wizard_import.columns import (
    COLUMNS,
    describe,
    found_keys,
    read_header,
    required_sets,
)
from worker.kinds.wizard_import.layouts.base import Header, Item, Layout, ReadContext, Reader
from worker.kinds.wizard_import.rows import RowParser
from worker.wizard.records import ImportType

# record field -> column key, where they differ
_FIELD_OF = {"dated_on": "dated_on", "total": "total_minor", "net": "net_minor",
             "vat": "vat_minor", "paid": "paid_minor", "due": "due_minor",
             "debit": "debit_minor", "credit": "credit_minor", "organisation": "name"}


class FlatRows:
    """A RowParser given the header the layout found."""

    def __init__(self, ctx: ReadContext, header: Header) -> None:
        self.parser = RowParser(ctx.import_type, ctx.sheet, currency=ctx.currency,
                                cutover=ctx.cutover, dates=ctx.dates)
        self.parser.use_header(header)
        self.mapping = {_FIELD_OF.get(key, key): label for key, label in header.labels.items()}
        self.blockers: list[str] = []
        self.summary: dict[str, object] = {}

    def row(self, number: int, cells: Sequence[object]) -> Item | None:
        parser = self.parser
        data_rows = parser.data_rows
        record, errors = parser.parse(number, cells)
        if parser.data_rows == data_rows:
            return None
        return number, record, errors, None

    def end(self) -> Item | None:
        return None


class FlatLayout(Layout):
    """freeagent-workbook.md's columns for the import type the upload gives."""

    columns = ()

    def read_header(self, row: int, cells: Sequence[object], import_type: ImportType
                    ) -> Header | None:
        return read_header(import_type, row, cells)

    def required(self, import_type: ImportType) -> tuple[tuple[str, ...], ...]:
        return required_sets(import_type)

    def found(self, cells: Sequence[object], import_type: ImportType) -> int:
        return len(found_keys(import_type, cells))

    def missing(self, cells: Sequence[object], import_type: ImportType) -> list[str]:
        found = found_keys(import_type, cells)
        best = max(required_sets(import_type), key=lambda keys: len(found & set(keys)))
        return [describe(import_type, key) for key in best if key not in found]

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return FlatRows(ctx, header)


def column_names(import_type: ImportType) -> list[str]:
    """Every column the flat layout reads for a type, canonical names first."""
    return [column.names[0] for column in COLUMNS[import_type].values()]
