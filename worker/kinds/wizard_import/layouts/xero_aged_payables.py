"""xero.aged_payables: Xero's Aged Payables Detail report as at the cutover: one row per
unpaid bill or supplier credit under its contact's heading, with totals, checked."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts._xero_aged import XeroAgedDetail
from worker.wizard.records import ImportType


class XeroAgedPayables(XeroAgedDetail):
    name = "xero.aged_payables"
    title = "Xero Aged Payables Detail report"
    import_type = ImportType.BILLS
