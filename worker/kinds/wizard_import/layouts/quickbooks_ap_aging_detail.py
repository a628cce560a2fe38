"""quickbooks.ap_aging_detail: the A/P Aging Detail report: `,Date,Transaction type,Num,
Vendor display name,Due date,Amount,Open balance` under ageing buckets, with `Total for …`
and `TOTAL` rows, all checked. Supplier credits are negative: credit notes."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts._quickbooks_open import (
    AMOUNT,
    DATE,
    DUE,
    NUMBER,
    OPEN,
    TYPE,
    VENDOR,
    OpenItemsLayout,
)
from worker.wizard.records import ImportType


class QuickBooksApAgingDetail(OpenItemsLayout):
    name = "quickbooks.ap_aging_detail"
    title = "QuickBooks A/P Aging Detail report"
    import_type = ImportType.BILLS
    columns = (DATE, TYPE, NUMBER, VENDOR, DUE, AMOUNT, OPEN)
