"""QuickBooks Online's reports and `quickbooks_export`.

`quickbooks_export()` — "Bayside Cycles LLC", USD, US dates (MM/DD/YYYY); CSVs UTF-8
without BOM, CRLF; every file opens with a title block (company, report name, `As of
September 30, 2026` on reports), a blank line, the header, and ends with a blank line and
a footer (`Accrual Basis Wednesday, October 7, 2026 09:41 AM GMT-07:00`; the contact lists
without `Accrual Basis `). Title and footer lines are single CSV cells, so those holding a
comma are quoted. Detail amounts `"1,234.56"` / `-150.00`; report totals `"$1,234.56"`,
negative totals `"($1,240.00)"`.

- **Customer Contact List.csv** (10 customers) and **Vendor Contact List.csv** (5 vendors):
  unicode names, a name with a comma ("Bayview Rentals, Inc."), addresses with commas,
  blank cells, phones as `Phone:(415) 555-0100 Mobile:(415) 555-0101`.
- **Trial Balance.csv**: header `,Debit,Credit`, 13 accounts, codes inside some names
  (`Salaries (6000)`, `4000 Sales`, `6100 · Office Supplies`), `TOTAL,"$X","$X"`. Checking
  takes what balances it.
- **A_R Aging Detail.csv** (`A/R Aging Detail`): 13 open items in the buckets Current,
  1 - 30, 31 - 60, 61 - 90 (a credit memo alone, so its totals are negative) and 91 or
  more days past due (a due date exactly 91 days before the cutover), sorted by date
  within each: invoices (3 part-paid), 3 credit memos and an unapplied payment (Amount
  -500.00, Open balance -200.00), `Total for <bucket>` rows and a `TOTAL` row.
- **A_P Aging Detail.csv** (`A/P Aging Detail`): 6 open items (one part-paid bill, one
  bill without a Num, a supplier credit), buckets and totals likewise.

Base figures: A/R 11,986.85, A/P 9,298.28, trial balance 207,203.06 a side, proof
232,838.19 a side.

The books are in `quickbooks_data`; `open_reports=True` adds the reports of
`quickbooks_open`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import date

from .model import (
    CUTOVER,
    Account,
    AgingItem,
    Expected,
    ExportFile,
    ProviderExport,
    _csv,
    _dollars,
    _grouped,
    _proof,
    _us,
)
from .quickbooks_data import _qb_aging, _qb_customers, _qb_extras, _qb_trial_balance, _qb_vendors
from .quickbooks_open import (
    QB_OPEN_FILES,
    QB_OPEN_INVOICES_HEADER,
    QB_UNPAID_BILLS_HEADER,
    _qb_open_invoices_row,
    _qb_open_rows,
    _qb_unpaid_bills_row,
)

QB_COMPANY = "Bayside Cycles LLC"
QB_AS_OF = "As of September 30, 2026"
QB_STAMP = "Wednesday, October 7, 2026 09:41 AM GMT-07:00"
QB_CUSTOMERS_HEADER = ["Customer full name", "Phone numbers", "Email", "Full name",
                       "Bill address", "Ship address"]
QB_VENDORS_HEADER = ["Vendor", "Phone numbers", "Email", "Full name", "Address",
                     "Account #"]
QB_TB_HEADER = ["", "Debit", "Credit"]
QB_AR_HEADER = ["", "Date", "Transaction type", "Num", "Customer full name", "Due date",
                "Amount", "Open balance"]
QB_AP_HEADER = ["", "Date", "Transaction type", "Num", "Vendor display name", "Due date",
                "Amount", "Open balance"]
QB_BUCKETS = ["Current", "1 - 30 days past due", "31 - 60 days past due",
              "61 - 90 days past due", "91 or more days past due"]
QB_FILES = ("Customer Contact List.csv", "Vendor Contact List.csv", "Trial Balance.csv",
            "A_R Aging Detail.csv", "A_P Aging Detail.csv")


def _bucket(item: AgingItem) -> int:
    late = (CUTOVER - item.due_date).days
    return 0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4


def _qb_report(report: str, header: Sequence[str] | None, body: Iterable[Sequence[str]],
               *, as_of: bool = True, basis: bool = True) -> bytes:
    """A QuickBooks report: title block, blank line, header and rows, blank line, footer."""
    title: list[list[str]] = [[QB_COMPANY], [report]]
    if as_of:
        title.append([QB_AS_OF])
    footer = f"Accrual Basis {QB_STAMP}" if basis else QB_STAMP
    head = [list(header)] if header is not None else []
    return _csv([*title, [], *head, *body, [], [footer]], bom=False)


def _qb_aging_rows(items: Sequence[AgingItem]) -> list[list[str]]:
    date_text: dict[date, str] = {}

    def us(day: date) -> str:
        text = date_text.get(day)
        if text is None:
            text = date_text[day] = _us(day)
        return text

    buckets: list[list[AgingItem]] = [[] for _ in QB_BUCKETS]
    for item in items:
        buckets[_bucket(item)].append(item)
    rows: list[list[str]] = []
    amount_total = open_total = 0
    for name, bucket in zip(QB_BUCKETS, buckets, strict=True):
        if not bucket:
            continue
        bucket.sort(key=lambda item: (item.dated, item.num))
        rows.append([name])
        for item in bucket:
            rows.append(["", us(item.dated), item.type, item.num, item.name,
                         us(item.due_date), _grouped(item.amount_minor),
                         _grouped(item.open_minor)])
        amount = sum(item.amount_minor for item in bucket)
        open_ = sum(item.open_minor for item in bucket)
        amount_total += amount
        open_total += open_
        rows.append([f"Total for {name}", "", "", "", "", "", _dollars(amount),
                     _dollars(open_)])
    rows.append(["TOTAL", "", "", "", "", "", _dollars(amount_total), _dollars(open_total)])
    return rows


def _qb_tb_rows(accounts: Sequence[Account]) -> list[list[str]]:
    rows = [[a.name, _grouped(a.balance_minor) if a.balance_minor > 0 else "",
             _grouped(-a.balance_minor) if a.balance_minor < 0 else ""] for a in accounts]
    debits = sum(a.balance_minor for a in accounts if a.balance_minor > 0)
    credits = -sum(a.balance_minor for a in accounts if a.balance_minor < 0)
    rows.append(["TOTAL", _dollars(debits), _dollars(credits)])
    return rows


def quickbooks_export(*, extra_invoices: int = 0, seed: int = 7,
                      open_reports: bool = False) -> ProviderExport:
    """Bayside Cycles LLC's QuickBooks Online reports at the cutover: the customer and
    vendor contact lists, the trial balance and the A/R and A/P Aging Detail reports, and
    what reading them must find. `open_reports`: the Open Invoices and Unpaid Bills
    reports of the same open items as well, in `alternatives` (Open Invoices.csv, Unpaid
    Bills.csv)."""
    customers, vendors = _qb_customers(), _qb_vendors()
    receivable, payable = _qb_aging(customers, vendors)
    extras = _qb_extras(extra_invoices, customers, random.Random(seed))
    receivable += extras
    debtors = sum(item.open_minor for item in receivable)
    creditors = sum(item.open_minor for item in payable)
    accounts = _qb_trial_balance(debtors, creditors,
                                 sum(item.open_minor for item in extras))
    files = (
        ExportFile("Customer Contact List.csv", _qb_report(
            "Customer Contact List", QB_CUSTOMERS_HEADER,
            ([c.name, c.phones, c.email, c.full_name, c.address, c.ship_address]
             for c in customers), as_of=False, basis=False)),
        ExportFile("Vendor Contact List.csv", _qb_report(
            "Vendor Contact List", QB_VENDORS_HEADER,
            ([v.name, v.phones, v.email, v.full_name, v.address, v.account_number]
             for v in vendors), as_of=False, basis=False)),
        ExportFile("Trial Balance.csv", _qb_report("Trial Balance", QB_TB_HEADER,
                                                   _qb_tb_rows(accounts))),
        ExportFile("A_R Aging Detail.csv", _qb_report("A/R Aging Detail", QB_AR_HEADER,
                                                      _qb_aging_rows(receivable))),
        ExportFile("A_P Aging Detail.csv", _qb_report("A/P Aging Detail", QB_AP_HEADER,
                                                      _qb_aging_rows(payable))),
    )
    alternatives = (
        ExportFile(QB_OPEN_FILES[0], _qb_report(
            "Open Invoices", QB_OPEN_INVOICES_HEADER,
            _qb_open_rows(receivable, _qb_open_invoices_row,
                          len(QB_OPEN_INVOICES_HEADER), amount=False))),
        ExportFile(QB_OPEN_FILES[1], _qb_report(
            "Unpaid Bills", QB_UNPAID_BILLS_HEADER,
            _qb_open_rows(payable, _qb_unpaid_bills_row, len(QB_UNPAID_BILLS_HEADER),
                          amount=True))),
    ) if open_reports else ()
    proof = _proof(accounts, [item.open_minor for item in (*receivable, *payable)])
    expected = Expected(
        contacts=len(customers) + len(vendors), balances=len(accounts),
        invoices_created=len(receivable), invoices_skipped=0,
        bills_created=len(payable), bills_skipped=0,
        invoice_line_rows=len(receivable), bill_line_rows=len(payable),
        debtors_minor=debtors, creditors_minor=creditors, total_debits_minor=proof,
        total_credits_minor=proof, currency="USD", cutover=CUTOVER)
    return ProviderExport("quickbooks", files, expected, alternatives)
