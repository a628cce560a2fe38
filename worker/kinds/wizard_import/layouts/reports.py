"""A report's own totals as checksums (provider-imports.md): `Total for …` (QuickBooks) or
`Total <heading>` (Xero) rows close a group (an ageing bucket, a customer, a section), a
`TOTAL` or `Total` row closes the report; the rows read must add up to each, column by
column, or the import is blocked with a message naming the group, the report's figure and
ours: the file was cut or edited. A report without its closing total is blocked too.

What is a total row is decided here for every report layout: a row whose label is a total's
and that has figures, and, for Xero's `Total <heading>`, whose heading is a group still open
(so that a contact named "Total Gas & Power" or an account "Total Fees (410)" stays data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from worker.kinds.wizard_import.layouts.base import CellReader
from worker.kinds.wizard_import.values import is_blank
from worker.wizard.proof import format_money
from worker.wizard.records import RowError

REPORT_TOTAL_MISMATCH = "REPORT_TOTAL_MISMATCH"
REPORT_TOTAL_MISSING = "REPORT_TOTAL_MISSING"
OVERALL = "TOTAL"  # what total_of answers for the report's own total
_SHOWN = 20  # mismatches kept for the summary and the proof
_BLOCKERS = 5  # mismatches named as blockers


def _key(label: str) -> str:
    return " ".join(label.split()).casefold()


@dataclass
class _Group:
    label: str
    row: int
    sums: dict[str, int] = field(default_factory=dict)


class ReportTotals:
    """The open groups of a report and their sums of the columns `keys`."""

    def __init__(self, reader: CellReader, keys: Sequence[str]) -> None:
        self.reader = reader
        self.keys = tuple(key for key in keys if key in reader.header.index)
        self.overall = _Group("the whole report", 0)
        self.groups: list[_Group] = []
        self.closed_overall = False
        self.checked = 0
        self.mismatched = 0
        self.mismatches: list[dict[str, Any]] = []
        self.totals: list[dict[str, Any]] = []  # the overall TOTAL row's figures

    def total_of(self, label: str | None, cells: Sequence[object]) -> str | None:
        """OVERALL for the report's total row, a group's heading for a group's total row,
        None for any other row."""
        if label is None or not any(not is_blank(self.reader.cell(cells, key))
                                    for key in self.keys):
            return None  # a heading or a note, not a total: totals have figures
        text = _key(label)
        if text == "total":
            return OVERALL
        if text.startswith("total for "):
            return label.strip()[len("total for "):].strip()
        if text.startswith("total ") and any(_key(g.label) == text[len("total "):]
                                             for g in self.groups):
            return label.strip()[len("total "):].strip()
        return None

    def open(self, label: str, row: int) -> None:
        """A group's heading row."""
        self.groups.append(_Group(label, row))

    def add(self, amounts: dict[str, int | None]) -> None:
        """A data row's amounts (None: blank or unreadable, adds nothing)."""
        for group in (self.overall, *self.groups):
            sums = group.sums
            for key in self.keys:
                if (value := amounts.get(key)) is not None:
                    sums[key] = sums.get(key, 0) + value

    def close(self, number: int, cells: Sequence[object], of: str, label: str) -> None:
        """A total row (`of` as total_of gave it; `label` its text): its figures compared
        with the sums read."""
        if of == OVERALL:
            group: _Group | None = self.overall
            self.closed_overall = True
        else:
            index = next((i for i in range(len(self.groups) - 1, -1, -1)
                          if _key(self.groups[i].label) == _key(of)), None)
            group = None if index is None else self.groups[index]
            if index is not None:
                del self.groups[index:]
        if group is None:
            self._block(f"{REPORT_TOTAL_MISMATCH}: in {self.reader.ctx.sheet}, row {number} "
                        f"('{label.strip()}') totals a group with no heading above it: the "
                        "file was cut or edited. Export the report again, unedited, and "
                        "upload it.")
            return
        for key in self.keys:
            errors: list[RowError] = []
            figure = self.reader.money(number, cells, key, errors)
            if figure is None and not errors:
                continue  # the report gives no total for this column
            read = group.sums.get(key, 0)
            column = self.reader.header.labels[key]
            self.checked += 1
            if of == OVERALL:
                self.totals.append({"row": number, "column": column, "report": figure,
                                    "read": read})
            if figure == read:
                continue
            shown = (format_money(figure, self.reader.ctx.currency) if figure is not None
                     else "an unreadable figure")
            self._block(
                f"{REPORT_TOTAL_MISMATCH}: in {self.reader.ctx.sheet}, row {number} "
                f"('{label.strip()}') gives {column} {shown}, but the rows read add up to "
                f"{format_money(read, self.reader.ctx.currency)}: the file was cut or "
                "edited. Export the report again, unedited, and upload it.",
                {"row": number, "group": of, "column": column, "report": figure,
                 "read": read})

    def _block(self, message: str, mismatch: dict[str, Any] | None = None) -> None:
        self.mismatched += 1
        if self.mismatched <= _BLOCKERS:  # the first few say enough; all are counted
            self.reader.blockers.append(message)
        if len(self.mismatches) < _SHOWN:
            self.mismatches.append(mismatch or {"message": message})

    def summary(self) -> dict[str, Any]:
        """What was checked, for the import's summary and the proof; a report that never
        reached its own total is blocked here (the file was cut)."""
        if not self.closed_overall:
            self.reader.blockers.append(
                f"{REPORT_TOTAL_MISSING}: {self.reader.ctx.sheet} ends without the report's "
                "own total row (TOTAL or Total): the file was cut or edited, so what was "
                "read cannot be checked. Export the report again, unedited, and upload it.")
        return {"checked": self.checked, "mismatched": self.mismatched, "total": self.totals,
                "mismatches": self.mismatches}
