"""How QuickBooks Online lays out a report (provider-exports.md): a title block (company,
report name, `As of …`), a blank line, a header whose first cell is empty, group rows (an
ageing bucket, a customer) with only that first cell, detail rows, `Total for …` rows, a
`TOTAL` row and a footer (`Accrual Basis Wednesday, October 7, 2026 09:41 AM GMT-07:00`).

QuickBooksReport sorts the rows below the header into those kinds and checks the totals
(reports.py); a layout's subclass reads the detail rows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from worker.kinds.wizard_import.layouts.base import CellReader, Item
from worker.kinds.wizard_import.layouts.reports import OVERALL, ReportTotals
from worker.kinds.wizard_import.values import cell_text, is_blank

# a report's footer: the basis and when it was run; a contact list's: when it was run
_FOOTER = re.compile(r"(?:(?:accrual|cash) basis\b.*|\w+day, \w+ \d{1,2}, \d{4}\b.*)",
                     re.IGNORECASE)


def is_footer(text: str) -> bool:
    """Whether a lone first cell is QuickBooks' footer line."""
    return _FOOTER.fullmatch(text.strip()) is not None


class QuickBooksReport(CellReader):
    """The rows of a QuickBooks report; `checked` names the amount columns its totals sum.
    A subclass reads detail rows in `detail` and gives their amounts to `self.totals`."""

    checked: tuple[str, ...] = ()
    # in a trial balance the account's name is the first cell of its detail row
    label_is_data: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self.totals = ReportTotals(self, self.checked)
        self.ended = False  # after the TOTAL row (and before the footer)

    def detail(self, number: int, cells: Sequence[object]) -> Item | None:
        raise NotImplementedError

    def row(self, number: int, cells: Sequence[object]) -> Item | None:
        label = cell_text(cells[0]) if cells else None
        if label is not None and (of := self.totals.total_of(label, cells)) is not None:
            self.totals.close(number, cells, of, label)
            self.ended = of == OVERALL
            return None
        rest_blank = all(is_blank(cell) for cell in cells[1:])
        if label is not None:
            if rest_blank:
                if not (self.ended or is_footer(label)):
                    self.totals.open(label, number)
                return None
            if not self.label_is_data:
                return self.detail(number, cells)  # a detail row with a first cell: read it
        elif rest_blank:
            return None
        return self.detail(number, cells)

    def end(self) -> Item | None:
        self.summary["reportTotals"] = self.totals.summary()
        return None

    @property
    def group(self) -> str | None:
        """The innermost open group's heading (the customer of an Open Invoices row)."""
        return self.totals.groups[-1].label if self.totals.groups else None
