"""quickbooks.unpaid_bills: the Unpaid Bills report: `,Date,Transaction type,Num,Due date,
Past due,Amount,Open balance`, grouped under a row per vendor, with `Total for <vendor>` and
`TOTAL` rows, all checked."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts._quickbooks_open import (
    AMOUNT,
    DATE,
    DUE,
    NUMBER,
    OPEN,
    TYPE,
    OpenItemsLayout,
)
from worker.kinds.wizard_import.layouts.base import Column
from worker.wizard.records import ImportType


class QuickBooksUnpaidBills(OpenItemsLayout):
    name = "quickbooks.unpaid_bills"
    title = "QuickBooks Unpaid Bills report"
    import_type = ImportType.BILLS
    columns = (DATE, TYPE, NUMBER, DUE, Column("past_due", ("Past due",), required=True),
               AMOUNT, OPEN)
