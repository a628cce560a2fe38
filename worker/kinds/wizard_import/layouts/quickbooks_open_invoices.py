"""quickbooks.open_invoices: the Open Invoices report: `,Date,Transaction type,Num,Term,Due
date,Open balance`, grouped under a row per customer (the customer of the rows below it),
with `Total for <customer>` and `TOTAL` rows, all checked."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts._quickbooks_open import (
    DATE,
    DUE,
    NUMBER,
    OPEN,
    TYPE,
    OpenItemsLayout,
)
from worker.kinds.wizard_import.layouts.base import Column
from worker.wizard.records import ImportType


class QuickBooksOpenInvoices(OpenItemsLayout):
    name = "quickbooks.open_invoices"
    title = "QuickBooks Open Invoices report"
    import_type = ImportType.INVOICES
    columns = (DATE, TYPE, NUMBER, Column("term", ("Term", "Terms"), required=True), DUE, OPEN)
