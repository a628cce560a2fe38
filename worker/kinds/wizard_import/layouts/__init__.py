"""Every layout the wizard reads (provider-imports.md), one module each, registered here.
Adding a provider's export means adding its module and a line below, nothing else."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts.base import Layout
from worker.kinds.wizard_import.layouts.freeagent_workbook import FreeAgentWorkbook
from worker.kinds.wizard_import.layouts.generic_csv import GenericCsv
from worker.kinds.wizard_import.layouts.quickbooks_ap_aging_detail import QuickBooksApAgingDetail
from worker.kinds.wizard_import.layouts.quickbooks_ar_aging_detail import QuickBooksArAgingDetail
from worker.kinds.wizard_import.layouts.quickbooks_customers import QuickBooksCustomers
from worker.kinds.wizard_import.layouts.quickbooks_open_invoices import QuickBooksOpenInvoices
from worker.kinds.wizard_import.layouts.quickbooks_trial_balance import QuickBooksTrialBalance
from worker.kinds.wizard_import.layouts.quickbooks_unpaid_bills import QuickBooksUnpaidBills
from worker.kinds.wizard_import.layouts.quickbooks_vendors import QuickBooksVendors
from worker.kinds.wizard_import.layouts.xero_aged_payables import XeroAgedPayables
from worker.kinds.wizard_import.layouts.xero_aged_receivables import XeroAgedReceivables
from worker.kinds.wizard_import.layouts.xero_bills import XeroBills
from worker.kinds.wizard_import.layouts.xero_contacts import XeroContacts
from worker.kinds.wizard_import.layouts.xero_invoices import XeroInvoices
from worker.kinds.wizard_import.layouts.xero_trial_balance import XeroTrialBalance

LAYOUTS: tuple[Layout, ...] = (
    FreeAgentWorkbook(),
    GenericCsv(),
    XeroContacts(),
    XeroInvoices(),
    XeroBills(),
    XeroTrialBalance(),
    XeroAgedReceivables(),
    XeroAgedPayables(),
    QuickBooksCustomers(),
    QuickBooksVendors(),
    QuickBooksTrialBalance(),
    QuickBooksArAgingDetail(),
    QuickBooksApAgingDetail(),
    QuickBooksOpenInvoices(),
    QuickBooksUnpaidBills(),
)
_BY_NAME = {layout.name: layout for layout in LAYOUTS}
NATIVE_PROVIDERS = ("xero", "quickbooks")


def layout_named(name: str) -> Layout:
    """The layout of that name (KeyError for none)."""
    return _BY_NAME[name]


def native_layouts(provider: str | None = None) -> list[Layout]:
    """The layouts of one provider's own exports, or of every provider (None), in order;
    not the flat ones, whose type the upload must give."""
    return [layout for layout in LAYOUTS if layout.import_type is not None
            and (provider is None or layout.provider == provider)]
