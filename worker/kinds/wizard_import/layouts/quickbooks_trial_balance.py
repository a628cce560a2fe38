"""quickbooks.trial_balance: QuickBooks Online's Trial Balance report (Reports > Trial
Balance > Export): title block, a header `,Debit,Credit`, one row per account (codes inside
the name when the company uses them: `Salaries (6000)`, `6000 · Salaries`), a `TOTAL` row
that is checked, a footer."""

from __future__ import annotations

from collections.abc import Sequence

from worker.kinds.wizard_import.layouts.balances import balance_item
from worker.kinds.wizard_import.layouts.base import (
    Column,
    Header,
    Item,
    Layout,
    ReadContext,
    Reader,
)
from worker.kinds.wizard_import.layouts.quickbooks_report import QuickBooksReport
from worker.wizard.records import ImportType, RowError


class QuickBooksTrialBalanceRows(QuickBooksReport):
    checked = ("debit", "credit")
    label_is_data = True

    def __post_init__(self) -> None:
        super().__post_init__()
        self.map(code="label", name="label", debit_minor="debit", credit_minor="credit")

    def detail(self, number: int, cells: Sequence[object]) -> Item | None:
        errors: list[RowError] = []
        debit = self.money(number, cells, "debit", errors)
        credit = self.money(number, cells, "credit", errors)
        self.totals.add({"debit": debit, "credit": credit})
        return balance_item(self, number, self.text(cells, "label"), debit, credit, errors)


class QuickBooksTrialBalance(Layout):
    name = "quickbooks.trial_balance"
    provider = "quickbooks"
    title = "QuickBooks Trial Balance report"
    import_type = ImportType.BALANCES
    label_first = True
    windows_1252 = True
    columns = (
        Column("debit", ("Debit",), required=True),
        Column("credit", ("Credit",), required=True),
    )

    def required(self, import_type: ImportType) -> tuple[tuple[str, ...], ...]:
        return (("label", "debit", "credit"),)

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return QuickBooksTrialBalanceRows(ctx, header)
