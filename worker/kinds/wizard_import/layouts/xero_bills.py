"""xero.bills: Xero's bills export (Business > Bills to pay > Export): the invoice export's
columns, Type ACCPAY (bills) or ACCPAYCREDIT (supplier credit notes)."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts._xero_documents import XeroDocuments, XeroLines
from worker.wizard.records import ImportType


class _PurchaseLines(XeroLines):
    prefix = "ACCPAY"


class XeroBills(XeroDocuments):
    name = "xero.bills"
    title = "Xero bills export"
    import_type = ImportType.BILLS
    lines = _PurchaseLines
