"""xero.trial_balance: Xero's Trial Balance report (Accounting > Reports > Trial Balance,
exported to Excel; a CSV of it reads the same): title rows (`Trial Balance`, the
organisation, `As at …`), the header `Account, Debit, Credit, YTD Debit, YTD Credit`,
section rows (`Revenue`, `Assets`, …) with no amounts, account rows `Sales (200)`, and a
`Total` row. The YTD pair is the account's balance at the report's date: that is what is
posted. Every column's total is checked."""

from __future__ import annotations

from collections.abc import Sequence

from worker.kinds.wizard_import.layouts.balances import balance_item
from worker.kinds.wizard_import.layouts.base import (
    CellReader,
    Column,
    Header,
    Item,
    Layout,
    ReadContext,
    Reader,
)
from worker.kinds.wizard_import.layouts.reports import ReportTotals
from worker.wizard.records import ImportType, RowError

_AMOUNTS = ("debit", "credit", "ytd_debit", "ytd_credit")


class XeroTrialBalanceRows(CellReader):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.totals = ReportTotals(self, _AMOUNTS)
        self.map(code="account", name="account", debit_minor="ytd_debit",
                 credit_minor="ytd_credit")

    def row(self, number: int, cells: Sequence[object]) -> Item | None:
        label = self.text(cells, "account")
        errors: list[RowError] = []
        amounts = {key: self.money(number, cells, key, errors) for key in _AMOUNTS}
        if label is not None and (of := self.totals.total_of(label, cells)) is not None:
            self.totals.close(number, cells, of, label)
            return None
        if not errors and all(value is None for value in amounts.values()):
            if label is not None:
                self.totals.open(label, number)  # a section's heading
            return None
        self.totals.add(amounts)
        return balance_item(self, number, label, amounts["ytd_debit"], amounts["ytd_credit"],
                            errors)

    def end(self) -> Item | None:
        self.summary["reportTotals"] = self.totals.summary()
        return None


class XeroTrialBalance(Layout):
    name = "xero.trial_balance"
    provider = "xero"
    title = "Xero Trial Balance report"
    import_type = ImportType.BALANCES
    windows_1252 = True
    columns = (
        Column("account", ("Account",), required=True),
        Column("debit", ("Debit",), required=True),
        Column("credit", ("Credit",), required=True),
        Column("ytd_debit", ("YTD Debit",), required=True),
        Column("ytd_credit", ("YTD Credit",), required=True),
    )

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return XeroTrialBalanceRows(ctx, header)
