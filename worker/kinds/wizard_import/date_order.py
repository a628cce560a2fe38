"""The order of day and month in one file's text dates, decided once from all of them
(provider-imports.md, "Dates"): never guessed from one cell.

A file's dates are read by one DateReader. Date cells and ISO or month-name text need no
order; the first numeric text date (`03/04/2026`) makes the reader look at every date cell
of the file (its date columns, below the header: a second pass over the rows, made only
for files that have such dates) and decide: day-first or month-first from the dates that
can only be read one way, else the order stated for the import or migration, else the
layout's default (FreeAgent, a UK ledger: DMY), else none — then such dates are row errors
and the import is blocked with DATE_ORDER_AMBIGUOUS, quoting one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from worker.kinds.wizard_import.dates import (
    DateDecision,
    DateEvidence,
    numeric_parts,
    parse_date,
)
from worker.kinds.wizard_import.values import CellError

DATE_ORDER_AMBIGUOUS = "DATE_ORDER_AMBIGUOUS"
ORDERS = ("DMY", "MDY")


def scan_dates(rows: Iterable[tuple[int, Sequence[object]]], header_row: int,
               positions: Sequence[int]) -> DateEvidence:
    """The evidence of every text date in the given columns of the rows below the header."""
    evidence = DateEvidence()
    add = evidence.add
    for number, cells in rows:
        if number <= header_row:
            continue
        count = len(cells)
        for position in positions:
            if position < count and type(value := cells[position]) is str:
                add(number, value)
    return evidence


class DateReader:
    """Reads one file's dates in the order decided for the file."""

    def __init__(self, stated: str | None = None, default: str | None = None) -> None:
        self.stated = stated if stated in ORDERS else None
        self.default = default if default in ORDERS else None
        self.decision: DateDecision | None = None
        self.mixed = False  # decided, and no numeric date can be read (_mixed)
        self._scan: Callable[[], DateEvidence] | None = None

    def look_with(self, scan: Callable[[], DateEvidence]) -> None:
        """How to see every date of the file, when an order must be decided."""
        self._scan = scan

    @property
    def order(self) -> Any:
        return self.decision.order if self.decision is not None else None

    def parse(self, value: object) -> date:
        """The date of a cell; CellError (DateOrderNeeded among them) saying why not."""
        if type(value) is date:
            return value
        if self.decision is None and type(value) is str and numeric_parts(value):
            evidence = self._scan() if self._scan is not None else DateEvidence()
            self.decision = evidence.decide(self.stated, self.default)  # type: ignore[arg-type]
            self.mixed = self._mixed()
        if self.mixed and type(value) is str and numeric_parts(value):
            raise CellError(f"'{value.strip()}': {self._mixed_text()}")
        return parse_date(value, self.order)

    def _mixed(self) -> bool:
        """As many dates read only day-first as only month-first, and no order stated: no
        numeric date of the file can be trusted."""
        decision = self.decision
        return (decision is not None and decision.order is None
                and decision.day_first_example is not None
                and decision.month_first_example is not None)

    def _mixed_text(self) -> str:
        decision = self.decision
        assert decision is not None
        assert decision.day_first_example is not None
        assert decision.month_first_example is not None
        (day_row, day), (month_row, month) = (decision.day_first_example,
                                              decision.month_first_example)
        return (f"the file's dates are written day-first ('{day}' on row {day_row}) as "
                f"often as month-first ('{month}' on row {month_row}), so none can be read "
                "for sure: correct the wrong ones, or state the file's dateOrder (DMY or "
                "MDY) so that the others are reported.")

    def blocker(self, sheet: str) -> str | None:
        """DATE_ORDER_AMBIGUOUS, when the file's dates could not be read for want of an
        order; None otherwise."""
        decision = self.decision
        if decision is None or decision.order is not None or decision.source != "ambiguous":
            return None
        if self._mixed():
            return f"{DATE_ORDER_AMBIGUOUS}: in {sheet}, {self._mixed_text()}"
        if decision.example is None:
            return None
        where = f" on row {decision.example_row}" if decision.example_row else ""
        return (f"{DATE_ORDER_AMBIGUOUS}: every text date in {sheet} reads either way (for "
                f"example '{decision.example}'{where} could be day/month or month/day), so "
                "its dates were not read. Upload the file again with dateOrder DMY (day "
                "first) or MDY (month first): a field of the upload, or of the migration "
                "when it is created.")

    def summary(self) -> dict[str, Any] | None:
        """How the file's dates were read, for the import's summary (None: no text dates
        that needed an order)."""
        decision = self.decision
        if decision is None or decision.source == "none":
            return None
        return {"order": decision.order, "decidedBy": decision.source,
                "example": decision.example}
