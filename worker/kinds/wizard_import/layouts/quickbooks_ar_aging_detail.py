"""quickbooks.ar_aging_detail: the A/R Aging Detail report (Reports > A/R Aging Detail >
Export): `,Date,Transaction type,Num,Customer full name,Due date,Amount,Open balance`
under ageing buckets, `Total for …` rows per bucket and a `TOTAL` row, all checked. Credit
memos and unapplied payments are negative: credit notes."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts._quickbooks_open import (
    AMOUNT,
    CUSTOMER,
    DATE,
    DUE,
    NUMBER,
    OPEN,
    TYPE,
    OpenItemsLayout,
)
from worker.wizard.records import ImportType


class QuickBooksArAgingDetail(OpenItemsLayout):
    name = "quickbooks.ar_aging_detail"
    title = "QuickBooks A/R Aging Detail report"
    import_type = ImportType.INVOICES
    columns = (DATE, TYPE, NUMBER, CUSTOMER, DUE, AMOUNT, OPEN)
