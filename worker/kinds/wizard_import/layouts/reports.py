"""A report's own totals as checksums (provider-imports.md): `Total for …` rows close a group
(an ageing bucket, a customer), a `TOTAL` or `Total` row closes the report; the rows read
must add up to each, column by column, or the import is blocked with a message naming the
group, the report's figure and ours: the file was cut or edited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from worker.kinds.wizard_import.layouts.base import CellReader
from worker.wizard.proof import format_money
from worker.wizard.records import RowError

REPORT_TOTAL_MISMATCH = "REPORT_TOTAL_MISMATCH"
_SHOWN = 20  # mismatches kept for the summary and the proof
_BLOCKERS = 5  # mismatches named as blockers


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
        self.checked = 0
        self.mismatched = 0
        self.mismatches: list[dict[str, Any]] = []
        self.totals: list[dict[str, Any]] = []  # the overall TOTAL row's figures

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

    def close(self, number: int, cells: Sequence[object], label: str | None) -> None:
        """A total row: of the group `label` (its heading's text), or of the whole report
        (None). Its figures are compared with the sums read."""
        if label is None:
            group = self.overall
        else:
            wanted = " ".join(label.split()).casefold()
            index = next((i for i in range(len(self.groups) - 1, -1, -1)
                          if " ".join(self.groups[i].label.split()).casefold() == wanted),
                         len(self.groups) - 1)
            if index < 0:
                group = _Group(label, number)
            else:
                group = self.groups[index]
                del self.groups[index:]
        for key in self.keys:
            errors: list[RowError] = []
            figure = self.reader.money(number, cells, key, errors)
            if figure is None and not errors:
                continue  # the report gives no total for this column
            read = group.sums.get(key, 0)
            column = self.reader.header.labels[key]
            self.checked += 1
            if label is None:
                self.totals.append({"row": number, "column": column, "report": figure,
                                    "read": read})
            if figure == read:
                continue
            shown = (format_money(figure, self.reader.ctx.currency) if figure is not None
                     else "an unreadable figure")
            name = f"'Total for {label}'" if label is not None else "the report's total"
            self.mismatched += 1
            if self.mismatched > _BLOCKERS:
                continue  # the first few say enough; the summary counts them all
            self.reader.blockers.append(
                f"{REPORT_TOTAL_MISMATCH}: in {self.reader.ctx.sheet}, row {number} "
                f"({name}) gives {column} {shown}, but the rows read add up to "
                f"{format_money(read, self.reader.ctx.currency)}: the file was cut or "
                "edited. Export the report again, unedited, and upload it.")
            if len(self.mismatches) < _SHOWN:
                self.mismatches.append({"row": number, "group": label or "TOTAL",
                                        "column": column, "report": figure, "read": read})

    def summary(self) -> dict[str, Any]:
        """What was checked, for the import's summary and the proof."""
        return {"checked": self.checked, "mismatched": self.mismatched, "total": self.totals,
                "mismatches": self.mismatches}
