"""Xero and QuickBooks Online export files, as those providers give them, for tests and demos.

The files are what a user downloads from the provider, unedited; the end-to-end tests, the
`scripts/dev` demo and the benchmarks upload them. From the repository root:

    .venv/bin/python -m scripts.provider_files {xero,quickbooks} OUT_DIR \\
        [--extra-invoices N] [--zip] [--seed S] [--alternatives]

Each export is built from an in-memory model (contacts, trial-balance accounts, documents
with their lines) and rendered; `Expected` is computed from the model with integers (minor
units), independently of the service. Both are dated at the cutover 2026-09-30.

- `model`: `ExportFile`, `Expected`, `ProviderExport`, the model's dataclasses, and the
  money, date and CSV formatting both providers share.
- `xero`: `xero_export()`, "Highland Widgets Ltd", GBP: Contacts.csv, Invoices.csv,
  Bills.csv, TrialBalance.xlsx (the formats are described there); its books in
  `xero_data`; `xero_export(aged_reports=True)` adds the Aged Receivables / Payables
  Detail reports of `xero_aged` in `alternatives`.
- `quickbooks`: `quickbooks_export()`, "Bayside Cycles LLC", USD: the customer and vendor
  contact lists, Trial Balance.csv, the A/R and A/P Aging Detail reports; its books in
  `quickbooks_data`; `quickbooks_export(open_reports=True)` adds the Open Invoices and
  Unpaid Bills reports of `quickbooks_open` in `alternatives`.
- `files`: `write_export`, `zip_export`, and the stamped zip and xlsx bytes.
- `cli`: the command line above (`__main__` runs it).

`extra_invoices=N` (benchmarks) appends N open invoices, generated from `seed`, to
existing customers (Xero: 5 line items each, numbered INV-100001…; QuickBooks: one A/R
row each, Nums 100001…, some part-paid) and adds their due to the receivables account
and to Sales, so each export stays balanced and reconciled; the alternatives list them
too. The base documents do not depend on the seed.

`write_export` writes the files and then the alternatives; `zip_export` zips the files
only (an upload).

Importable as `scripts.provider_files` (the repository root on sys.path) and as
`provider_files` (scripts/ on sys.path, as scripts/wizard_demo.py does).
"""

from __future__ import annotations

from .cli import main
from .files import STAMP, STAMP_W3CDTF, write_export, zip_export
from .model import (
    CENT,
    CUTOVER,
    Account,
    Address,
    AgingItem,
    Expected,
    ExportFile,
    Line,
    Person,
    ProviderExport,
    QBContact,
    XeroContact,
    XeroDocument,
)
from .quickbooks import (
    QB_AP_HEADER,
    QB_AR_HEADER,
    QB_AS_OF,
    QB_BUCKETS,
    QB_COMPANY,
    QB_CUSTOMERS_HEADER,
    QB_FILES,
    QB_STAMP,
    QB_TB_HEADER,
    QB_VENDORS_HEADER,
    quickbooks_export,
)
from .quickbooks_data import QB_PAYABLES, QB_RECEIVABLES, QB_SALES
from .quickbooks_open import QB_OPEN_FILES, QB_OPEN_INVOICES_HEADER, QB_UNPAID_BILLS_HEADER
from .xero import (
    XERO_CONTACTS_HEADER,
    XERO_DOCUMENTS_HEADER,
    XERO_FILES,
    XERO_SECTIONS,
    XERO_TB_HEADER,
    xero_export,
)
from .xero_aged import XERO_AGED_FILES, XERO_AGED_HEADER
from .xero_data import (
    VAT_EXPENSES,
    VAT_INCOME,
    XERO_PAYABLES,
    XERO_RECEIVABLES,
    XERO_SALES,
    ZERO_RATED,
)

__all__ = [
    "CENT",
    "CUTOVER",
    "QB_AP_HEADER",
    "QB_AR_HEADER",
    "QB_AS_OF",
    "QB_BUCKETS",
    "QB_COMPANY",
    "QB_CUSTOMERS_HEADER",
    "QB_FILES",
    "QB_OPEN_FILES",
    "QB_OPEN_INVOICES_HEADER",
    "QB_PAYABLES",
    "QB_RECEIVABLES",
    "QB_SALES",
    "QB_STAMP",
    "QB_TB_HEADER",
    "QB_UNPAID_BILLS_HEADER",
    "QB_VENDORS_HEADER",
    "STAMP",
    "STAMP_W3CDTF",
    "VAT_EXPENSES",
    "VAT_INCOME",
    "XERO_AGED_FILES",
    "XERO_AGED_HEADER",
    "XERO_CONTACTS_HEADER",
    "XERO_DOCUMENTS_HEADER",
    "XERO_FILES",
    "XERO_PAYABLES",
    "XERO_RECEIVABLES",
    "XERO_SALES",
    "XERO_SECTIONS",
    "XERO_TB_HEADER",
    "ZERO_RATED",
    "Account",
    "Address",
    "AgingItem",
    "Expected",
    "ExportFile",
    "Line",
    "Person",
    "ProviderExport",
    "QBContact",
    "XeroContact",
    "XeroDocument",
    "main",
    "quickbooks_export",
    "write_export",
    "xero_export",
    "zip_export",
]
