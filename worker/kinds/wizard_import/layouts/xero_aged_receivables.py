"""xero.aged_receivables: Xero's Aged Receivables Detail report as at the cutover (Xero's
own guidance for a conversion's opening debtors): one row per unpaid invoice, credit note
or overpayment under its contact's heading, with per-contact and overall totals, checked."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts._xero_aged import XeroAgedDetail
from worker.wizard.records import ImportType


class XeroAgedReceivables(XeroAgedDetail):
    name = "xero.aged_receivables"
    title = "Xero Aged Receivables Detail report"
    import_type = ImportType.INVOICES
