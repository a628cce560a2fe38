"""QuickBooks' Open Invoices and Unpaid Bills reports.

`quickbooks_export(open_reports=True)` adds, in `alternatives` (not `files`), the A/R and
A/P Aging Detail's open items as the two other QuickBooks reports of them, with the same
title block and footer:

- **Open Invoices.csv** (`Open Invoices`): header `,Date,Transaction type,Num,Term,Due
  date,Open balance`; per customer, sorted by name, a row with its name alone, its items
  by date (credit memos and the unapplied payment negative; Term `Net 30`, `Net 15`, blank
  for credits) and `Total for <customer>`; a `TOTAL` row.
- **Unpaid Bills.csv** (`Unpaid Bills`): header `,Date,Transaction type,Num,Due date,Past
  due,Amount,Open balance`, grouped under vendor rows likewise; Past due is a bill's days
  past its due date (0 when not yet due, blank for a supplier credit); the totals give
  Amount and Open balance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .model import CUTOVER, AgingItem, _dollars, _grouped, _us

QB_OPEN_INVOICES_HEADER = ["", "Date", "Transaction type", "Num", "Term", "Due date",
                           "Open balance"]
QB_UNPAID_BILLS_HEADER = ["", "Date", "Transaction type", "Num", "Due date", "Past due",
                          "Amount", "Open balance"]
QB_OPEN_FILES = ("Open Invoices.csv", "Unpaid Bills.csv")


def _qb_term(item: AgingItem) -> str:
    """An invoice's or bill's term from its dates ("Net 30", "Due on receipt"); none for
    credits and payments."""
    if item.type not in ("Invoice", "Bill"):
        return ""
    days = (item.due_date - item.dated).days
    return f"Net {days}" if days else "Due on receipt"


def _qb_past_due(item: AgingItem) -> str:
    """Unpaid Bills' `Past due`: a bill's days past its due date at the cutover (0 when
    not yet due); blank for a supplier credit."""
    return str(max(0, (CUTOVER - item.due_date).days)) if item.type == "Bill" else ""


def _qb_open_invoices_row(item: AgingItem) -> list[str]:
    return ["", _us(item.dated), item.type, item.num, _qb_term(item), _us(item.due_date),
            _grouped(item.open_minor)]


def _qb_unpaid_bills_row(item: AgingItem) -> list[str]:
    return ["", _us(item.dated), item.type, item.num, _us(item.due_date), _qb_past_due(item),
            _grouped(item.amount_minor), _grouped(item.open_minor)]


def _qb_open_rows(items: Sequence[AgingItem], detail: Callable[[AgingItem], list[str]],
                  width: int, *, amount: bool) -> list[list[str]]:
    """Open Invoices / Unpaid Bills: per customer or vendor (by name) a row with its name
    alone, its open items (by date) and `Total for <name>`; a `TOTAL` row. The totals give
    Open balance and, with `amount`, Amount (the last columns)."""
    by_name: dict[str, list[AgingItem]] = {}
    for item in items:
        by_name.setdefault(item.name, []).append(item)

    def total(label: str, group: Sequence[AgingItem]) -> list[str]:
        sums = [sum(item.open_minor for item in group)]
        if amount:
            sums.insert(0, sum(item.amount_minor for item in group))
        return [label, *[""] * (width - 1 - len(sums)), *map(_dollars, sums)]

    rows: list[list[str]] = []
    for name in sorted(by_name, key=lambda name: (name.casefold(), name)):
        rows.append([name])
        group = sorted(by_name[name], key=lambda item: (item.dated, item.num))
        rows.extend(map(detail, group))
        rows.append(total(f"Total for {name}", group))
    rows.append(total("TOTAL", items))
    return rows
