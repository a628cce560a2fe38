"""xero.invoices: Xero's sales invoice export (Business > Invoices > Export): one row per
line item, Type ACCREC (invoices) or ACCRECCREDIT (credit notes)."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts._xero_documents import XeroDocuments, XeroLines
from worker.wizard.records import ImportType


class _SalesLines(XeroLines):
    prefix = "ACCREC"


class XeroInvoices(XeroDocuments):
    name = "xero.invoices"
    title = "Xero sales invoices export"
    import_type = ImportType.INVOICES
    lines = _SalesLines
