"""Xero and QuickBooks Online export files, as those providers give them, for tests and demos.

The files are what a user downloads from the provider, unedited; the end-to-end tests, the
`scripts/dev` demo and the benchmarks upload them.

    .venv/bin/python scripts/provider_files.py {xero,quickbooks} OUT_DIR \\
        [--extra-invoices N] [--zip] [--seed S] [--alternatives]

Each export is built from an in-memory model (contacts, trial-balance accounts, documents
with their lines) and rendered; `Expected` is computed from the model with integers (minor
units), independently of the service. Both are dated at the cutover 2026-09-30.

`xero_export()` — "Highland Widgets Ltd", GBP, UK dates (dd/mm/yyyy); CSVs UTF-8 with a
BOM, CRLF, comma separated, quoted where needed:

- **Contacts.csv**: Xero's contact export columns (`*ContactName` … `Person2Email`), 14
  contacts (9 customers, 5 suppliers): unicode names (Café Zürich GmbH, Łukasz Nowak Ltd,
  東京デザイン株式会社, Παπαδόπουλος Α.Ε.…), one with commas in its name ("Brontë, Hughes &
  Daughters LLP"), one person (First/Last name), postal and street addresses, persons,
  sales and bill terms, one contact without documents.
- **Invoices.csv**: one row per line item, the document's cells repeated on each row;
  13 sales invoices and 1 credit note, 29 rows: 8 open (AUTHORISED, due > 0, INV-0003 and
  INV-0009 part-paid), 2 PAID, 1 DRAFT, 1 VOIDED, 1 DELETED, and CN-0001 (ACCRECCREDIT,
  AUTHORISED, written with positive amounts as Xero writes it). Discounts, 4-decimal unit
  prices, descriptions with commas and unicode, zero-rated lines for the Japanese
  customer, a tracking category. INV-0009's contact is written "café zürich  gmbh" (the
  contact is "Café Zürich GmbH"). Credit notes have no DueDate (Xero gives them none).
  Skipped documents (paid aside) keep InvoiceAmountPaid + InvoiceAmountDue = Total.
- **Bills.csv**: the same layout for 7 bills (ACCPAY / ACCPAYCREDIT): 4 open (SUP-8812 from
  Müller Logistik part-paid; SUP-8812 also from Paperclip Supplies), 1 PAID, 1 DRAFT and a
  supplier credit note CR-5521; Sent is blank on bills.
- **TrialBalance.xlsx**: sheet "Trial Balance", title rows (`Trial Balance`, organisation,
  `As at 30 September 2026`), a blank row, the header `Account, Debit, Credit, YTD Debit,
  YTD Credit`, sections Revenue, Expenses, Assets, Liabilities, Equity (title row, account
  rows, blank row), a `Total` row. 14 accounts as `Name (Code)`, one without a code
  (`Owner A Funds Introduced`), one unicode name (`Ventes à l'étranger (210)`), a zero
  balance (`Historical Adjustment (840)`, moved this month only). Debit/Credit: this
  month's net movement, one side; YTD pair: the balance, one side; numbers are float
  cells (blank for zero sides), strings shared as Excel writes them. Business Bank Account
  takes what balances both pairs.

Base figures: debtors 7,513.00 (open invoices' due less the credit note's), creditors
4,481.62, trial balance 134,841.29 a side (YTD), proof 146,973.91 a side.

`xero_export(aged_reports=True)` adds, in `alternatives` (not `files`: uploaded with
Invoices.csv and Bills.csv they would give the documents twice), the same open documents
(AUTHORISED, something due) as Xero's Aged Receivables / Payables Detail reports:

- **AgedReceivablesDetail.xlsx** / **AgedPayablesDetail.xlsx**: sheet named as the report,
  title rows (`Aged Receivables Detail` / `Aged Payables Detail`, organisation, `As at 30
  September 2026`, `Ageing by due date`), a blank row, the header `Invoice Date, Invoice
  Number, Invoice Reference, Due Date, Current, < 1 Month, 1 Month, 2 Months, 3 Months,
  Older, Total`; per contact, sorted by name (the contact's own name, not the variant a
  document was written with), a heading row with the name alone, its documents by date
  and `Total <contact>`; then `Total` and `Percentage of total` (text, "67%"). A
  document's amount due (credit notes negative) is in its ageing column and in Total:
  Current if due on or after the cutover, else by whole calendar months overdue (< 1
  Month, 1 Month, 2 Months, 3 Months, Older); a credit note, which has no due date, by its
  date. Dates are Excel date cells (`d mmm yyyy`), amounts float cells, blank for zero.
  The base documents fill Current to 2 Months; 3 Months and Older stay blank.

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

`quickbooks_export(open_reports=True)` adds, in `alternatives` (not `files`), the A/R and
A/P Aging Detail's open items as the two other QuickBooks reports of them, with the same
title block and footer:

- **Open Invoices.csv** (`Open Invoices`): header `,Date,Transaction type,Num,Term,Due
  date,Open balance`; per customer, sorted by name, a row with its name alone, its items
  by date (credit memos and the unapplied payment negative; Term `Net 30`, `Net 15`, blank
  for credits) and `Total for <customer>`; a `TOTAL` row.
- **Unpaid Bills.csv** (`Unpaid Bills`): header `,Date,Transaction type,Num,Due date,Past
  due,Amount,Open balance`, grouped under vendor rows likewise; Past due is a bill's days
  past its due date (0 when not yet due, blank for a supplier credit); the totals give
  Amount and Open balance.

`extra_invoices=N` (benchmarks) appends N open invoices, generated from `seed`, to
existing customers (Xero: 5 line items each, numbered INV-100001…; QuickBooks: one A/R
row each, Nums 100001…, some part-paid) and adds their due to the receivables account
and to Sales, so each export stays balanced and reconciled; the alternatives list them
too. The base documents do not depend on the seed.

`write_export` writes the files and then the alternatives; `zip_export` zips the files
only (an upload).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path
from typing import Literal

from openpyxl import Workbook

if __package__ in (None, ""):  # run as a script, or beside scripts/dev: find the root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.demo_workbook import share_strings

CUTOVER = date(2026, 9, 30)
CENT = Decimal("0.01")
STAMP = (2026, 10, 7, 9, 41, 0)  # when the files were exported (local time, GMT-07:00)
STAMP_W3CDTF = b"2026-10-07T16:41:00Z"

# ---------------------------------------------------------------------------------------
# What an export is, and what reading it must find
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    name: str  # e.g. "Contacts.csv"
    data: bytes


@dataclass(frozen=True)
class Expected:
    """What the service must find in an export, computed from the model."""

    contacts: int  # contact records the contacts import(s) create
    balances: int  # trial-balance account rows (zero-balance rows counted)
    invoices_created: int  # sales documents posted: something still due at cutover
    invoices_skipped: int  # paid, draft, voided, deleted (Xero); 0 for QuickBooks
    bills_created: int
    bills_skipped: int
    invoice_line_rows: int  # Xero: data rows of Invoices.csv; QuickBooks: A/R detail rows
    bill_line_rows: int
    debtors_minor: int  # open invoices' due - open sales credits' due
    creditors_minor: int  # open bills' due - open supplier credits' due
    total_debits_minor: int  # the proof: trial balance's debits + sum(|due| posted)
    total_credits_minor: int
    currency: str
    cutover: date


@dataclass(frozen=True)
class ProviderExport:
    provider: Literal["xero", "quickbooks"]
    files: tuple[ExportFile, ...]
    expected: Expected
    # other reports of the same open documents (Xero's aged reports, QuickBooks' Open
    # Invoices / Unpaid Bills), only when asked for: never uploaded with `files`, which
    # already give the invoices and bills (two files giving them are refused)
    alternatives: tuple[ExportFile, ...] = ()


# ---------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A trial-balance account: its cell as the provider writes it, its balance at the
    cutover (debit positive) and, for Xero, this month's net movement (debit positive)."""

    name: str
    balance_minor: int
    section: str = ""
    month_minor: int = 0


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    attention: str = ""


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class XeroContact:
    name: str
    customer: bool  # else a supplier
    account_number: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    postal: Address | None = None
    street: Address | None = None
    phone: str = ""
    mobile: str = ""
    tax_number: str = ""
    company_number: str = ""
    legal_name: str = ""
    website: str = ""
    terms: tuple[int, str] | None = None  # (day, Xero term): sales terms or bill terms
    default_account: str = ""
    persons: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Line:
    """A document's line item; amounts positive, as Xero writes them."""

    description: str
    quantity: Decimal
    unit_amount: Decimal  # written with its own places (2-4)
    account_code: str
    tax_type: str
    net_minor: int  # LineAmount: quantity x unit amount less the discount, half-up
    tax_minor: int  # TaxAmount: the line's VAT, half-up
    discount: Decimal | None = None  # percent
    item_code: str = ""
    tracking: tuple[str, str] | None = None


@dataclass(frozen=True)
class XeroDocument:
    type: str  # ACCREC, ACCRECCREDIT, ACCPAY, ACCPAYCREDIT
    number: str
    contact: XeroContact
    written_name: str  # the ContactName cell (the contact's name, or a variant of it)
    dated: date
    due_date: date | None
    lines: tuple[Line, ...]
    paid_minor: int
    status: str  # AUTHORISED, PAID, DRAFT, VOIDED, DELETED
    reference: str = ""
    sent: bool = False

    @cached_property
    def total_minor(self) -> int:
        return sum(line.net_minor + line.tax_minor for line in self.lines)

    @cached_property
    def tax_total_minor(self) -> int:
        return sum(line.tax_minor for line in self.lines)

    @property
    def due_minor(self) -> int:
        return self.total_minor - self.paid_minor

    @property
    def posted(self) -> bool:
        return self.status == "AUTHORISED" and self.due_minor > 0

    @property
    def signed_due_minor(self) -> int:
        """What the document adds to the debtor or creditor balance."""
        return -self.due_minor if self.type.endswith("CREDIT") else self.due_minor


@dataclass(frozen=True)
class QBContact:
    name: str
    phones: str = ""
    email: str = ""
    full_name: str = ""
    address: str = ""  # bill address (customers), address (vendors)
    ship_address: str = ""
    account_number: str = ""


@dataclass(frozen=True)
class AgingItem:
    """An open item of an A/R or A/P Aging Detail report (credits negative)."""

    dated: date
    type: str  # Invoice, Credit Memo, Payment, Bill, Supplier Credit
    num: str
    name: str
    due_date: date
    amount_minor: int
    open_minor: int


# ---------------------------------------------------------------------------------------
# Rendering helpers
# ---------------------------------------------------------------------------------------


def _plain(minor: int) -> str:
    """1234.50, -150.00: Xero's plain numbers."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


def _grouped(minor: int) -> str:
    """1,234.50 / -150.00: QuickBooks' detail amounts."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100:,}.{minor % 100:02d}"


def _dollars(minor: int) -> str:
    """$1,234.50 / ($150.00): QuickBooks' report totals."""
    text = f"${_grouped(abs(minor))}"
    return f"({text})" if minor < 0 else text


def _uk(day: date | None) -> str:
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year}"


def _us(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def _csv(rows: Iterable[Sequence[str]], *, bom: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # QUOTE_MINIMAL, comma
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def _zip(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip of `parts`, stamped with the export's time, so the same export is
    always the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def _line(description: str, quantity: str, unit: str, account: str, tax_type: str,
          rate: str = "0.20", *, discount: str | None = None, item: str = "",
          tracking: tuple[str, str] | None = None) -> Line:
    """A line item, its LineAmount and TaxAmount rounded half-up."""
    q, u = Decimal(quantity), Decimal(unit)
    percent = Decimal(discount) if discount is not None else None
    net = q * u
    if percent is not None:
        net = net * (100 - percent) / 100
    net = net.quantize(CENT, ROUND_HALF_UP)
    tax = (net * Decimal(rate)).quantize(CENT, ROUND_HALF_UP)
    return Line(description=description, quantity=q, unit_amount=u, account_code=account,
                tax_type=tax_type, net_minor=int(net * 100), tax_minor=int(tax * 100),
                discount=percent, item_code=item, tracking=tracking)


def _balanced(accounts: list[Account], plug: str) -> list[Account]:
    """The accounts with `plug`'s balance and month movement set to what balances them."""
    others = [a for a in accounts if a.name != plug]
    balance = -sum(a.balance_minor for a in others)
    month = -sum(a.month_minor for a in others)
    assert balance > 0, f"{plug} would be {balance}: not a debit"
    return [Account(a.name, balance, a.section, month) if a.name == plug else a
            for a in accounts]


def _proof(accounts: Sequence[Account], posted_dues: Iterable[int]) -> int:
    """One side of the reconciliation proof: the trial balance's debits plus each posted
    document's due amount (a credit's too, as its absolute value)."""
    debits = sum(a.balance_minor for a in accounts if a.balance_minor > 0)
    return debits + sum(abs(due) for due in posted_dues)


# ---------------------------------------------------------------------------------------
# Xero
# ---------------------------------------------------------------------------------------

XERO_CONTACTS_HEADER = [
    "*ContactName", "AccountNumber", "EmailAddress", "FirstName", "LastName",
    "POAttentionTo", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "SAAttentionTo", "SAAddressLine1",
    "SAAddressLine2", "SAAddressLine3", "SAAddressLine4", "SACity", "SARegion",
    "SAPostalCode", "SACountry", "PhoneNumber", "FaxNumber", "MobileNumber", "DDINumber",
    "SkypeName", "BankAccountName", "BankAccountNumber", "BankAccountParticulars",
    "TaxNumber", "AccountsReceivableTaxCodeName", "AccountsPayableTaxCodeName", "Website",
    "LegalName", "Discount", "CompanyNumber", "DueDateBillDay", "DueDateBillTerm",
    "DueDateSalesDay", "DueDateSalesTerm", "SalesAccount", "PurchasesAccount",
    "Person1FirstName", "Person1LastName", "Person1Email", "Person2FirstName",
    "Person2LastName", "Person2Email",
]
XERO_DOCUMENTS_HEADER = [
    "ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3",
    "POAddressLine4", "POCity", "PORegion", "POPostalCode", "POCountry", "InvoiceNumber",
    "Reference", "InvoiceDate", "DueDate", "Total", "TaxTotal", "InvoiceAmountPaid",
    "InvoiceAmountDue", "InventoryItemCode", "Description", "Quantity", "UnitAmount",
    "Discount", "LineAmount", "AccountCode", "TaxType", "TaxAmount", "TrackingName1",
    "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency", "Type", "Sent",
    "Status",
]
XERO_TB_HEADER = ["Account", "Debit", "Credit", "YTD Debit", "YTD Credit"]
XERO_SECTIONS = ["Revenue", "Expenses", "Assets", "Liabilities", "Equity"]
XERO_FILES = ("Contacts.csv", "Invoices.csv", "Bills.csv", "TrialBalance.xlsx")
XERO_AGED_HEADER = ["Invoice Date", "Invoice Number", "Invoice Reference", "Due Date",
                    "Current", "< 1 Month", "1 Month", "2 Months", "3 Months", "Older",
                    "Total"]
XERO_AGED_FILES = ("AgedReceivablesDetail.xlsx", "AgedPayablesDetail.xlsx")
XERO_RECEIVABLES = "Accounts Receivable (610)"
XERO_PAYABLES = "Accounts Payable (800)"
XERO_SALES = "Sales (200)"
VAT_INCOME = "20% (VAT on Income)"
VAT_EXPENSES = "20% (VAT on Expenses)"
ZERO_RATED = "Zero Rated Income"


def _xero_contacts() -> list[XeroContact]:
    return [
        XeroContact("Acme Widgets Ltd", True, "CUST-001", "accounts@acme.example",
                    postal=Address(("1 High Street", "Unit 4"), "London", "Greater London",
                                   "EC1A 1BB", "United Kingdom", "Accounts Payable"),
                    street=Address(("1 High Street",), "London", "", "EC1A 1BB",
                                   "United Kingdom"),
                    phone="020 7946 0000", tax_number="GB123456789",
                    company_number="01234567", terms=(30, "OFFOLLOWINGMONTH"),
                    default_account="200",
                    persons=(Person("Amira", "Khan", "amira.khan@acme.example"),
                             Person("Tom", "Bell", "tom.bell@acme.example"))),
        XeroContact("Café Zürich GmbH", True, "CUST-002", "buchhaltung@cafe-zuerich.example",
                    postal=Address(("Bahnhofstrasse 1",), "Zürich", "ZH", "8001",
                                   "Switzerland"),
                    legal_name="Café Zürich GmbH", terms=(14, "DAYSAFTERBILLDATE"),
                    persons=(Person("Jürg", "Meier", "juerg@cafe-zuerich.example"),)),
        XeroContact("Łukasz Nowak Ltd", True, "CUST-003", "lukasz@nowak.example",
                    postal=Address(("ul. Długa 5", "lok. 12"), "Kraków", "Małopolskie",
                                   "31-147", "Poland"),
                    phone="+48 22 123 45 67", mobile="+48 601 234 567"),
        XeroContact("東京デザイン株式会社", True, "CUST-004", "info@tokyo-design.example",
                    postal=Address(("千代田区丸の内1-1-1",), "東京", "東京都", "100-0001",
                                   "Japan"),
                    website="https://tokyo-design.example", terms=(30, "DAYSAFTERBILLDATE")),
        XeroContact("Brontë, Hughes & Daughters LLP", True, "CUST-005", "hello@bronte.example",
                    postal=Address(("2 Moor Lane",), "Haworth", "West Yorkshire", "BD22 8DR",
                                   "United Kingdom"),
                    tax_number="GB987654321", terms=(30, "OFFOLLOWINGMONTH"),
                    persons=(Person("Emily", "Brontë", "emily@bronte.example"),)),
        XeroContact("Siobhán Ó Súilleabháin", True, "", "siobhan@example.ie", "Siobhán",
                    "Ó Súilleabháin",
                    postal=Address(("14 Merrion Square",), "Dublin", "", "D02 X285",
                                   "Ireland")),
        XeroContact("Northwind Traders", True, "CUST-007",
                    street=Address(("Unit 9, Riverside Park",), "Leeds", "", "LS1 4AP",
                                   "United Kingdom"),
                    terms=(30, "DAYSAFTERBILLDATE")),
        XeroContact("Ørsted Kontor ApS", True, "CUST-008", "faktura@orsted-kontor.example",
                    postal=Address(("Nørregade 7",), "København", "", "1165", "Denmark")),
        XeroContact("Παπαδόπουλος Α.Ε.", True, "CUST-009", "info@papadopoulos.example",
                    postal=Address(("Οδός Ερμού 25",), "Αθήνα", "", "105 63", "Greece")),
        XeroContact("Paperclip Supplies Ltd", False, "SUPP-001", "sales@paperclip.example",
                    postal=Address(("Harbourside", "3 Canon's Road"), "Bristol", "",
                                   "BS1 5TR", "United Kingdom"),
                    tax_number="GB111222333", terms=(20, "OFFOLLOWINGMONTH"),
                    default_account="429"),
        XeroContact("CloudHost Ltd", False, "SUPP-002", "billing@cloudhost.example",
                    phone="0161 496 0000", terms=(14, "DAYSAFTERBILLDATE"),
                    default_account="489"),
        XeroContact("Ōtaki Electrical Ltd", False, "SUPP-003",
                    postal=Address(("Castle Arcade",), "Cardiff", "", "CF10 1EP",
                                   "United Kingdom")),
        XeroContact("Müller Logistik GmbH", False, "SUPP-004", "rechnung@mueller.example",
                    postal=Address(("Hafenstraße 12",), "Hamburg", "", "20457", "Germany"),
                    persons=(Person("Anke", "Müller", "anke@mueller.example"),)),
        XeroContact("Ñandú Software S.L.", False, "SUPP-005", "hola@nandu.example",
                    postal=Address(("Calle Mayor 3",), "Madrid", "", "28013", "Spain")),
    ]


def _xero_contact_row(contact: XeroContact) -> list[str]:
    cells: dict[str, str] = {
        "*ContactName": contact.name, "AccountNumber": contact.account_number,
        "EmailAddress": contact.email, "FirstName": contact.first_name,
        "LastName": contact.last_name, "PhoneNumber": contact.phone,
        "MobileNumber": contact.mobile, "TaxNumber": contact.tax_number,
        "Website": contact.website, "LegalName": contact.legal_name,
        "CompanyNumber": contact.company_number,
    }
    for prefix, address in (("PO", contact.postal), ("SA", contact.street)):
        if address is None:
            continue
        cells[f"{prefix}AttentionTo"] = address.attention
        for i, text in enumerate(address.lines, start=1):
            cells[f"{prefix}AddressLine{i}"] = text
        cells[f"{prefix}City"] = address.city
        cells[f"{prefix}Region"] = address.region
        cells[f"{prefix}PostalCode"] = address.postal_code
        cells[f"{prefix}Country"] = address.country
    if contact.terms is not None:
        kind = "Sales" if contact.customer else "Bill"
        cells[f"DueDate{kind}Day"] = str(contact.terms[0])
        cells[f"DueDate{kind}Term"] = contact.terms[1]
    if contact.default_account:
        cells["SalesAccount" if contact.customer else "PurchasesAccount"] = (
            contact.default_account)
    for i, person in enumerate(contact.persons, start=1):
        cells[f"Person{i}FirstName"] = person.first_name
        cells[f"Person{i}LastName"] = person.last_name
        cells[f"Person{i}Email"] = person.email
    return [cells.get(column, "") for column in XERO_CONTACTS_HEADER]


def _due_date(contact: XeroContact, dated: date) -> date:
    """A document's due date from its contact's terms (30 days without)."""
    if contact.terms is None:
        return dated + timedelta(days=30)
    day, term = contact.terms
    if term == "DAYSAFTERBILLDATE":
        return dated + timedelta(days=day)
    assert term == "OFFOLLOWINGMONTH"
    following = (dated.replace(day=1) + timedelta(days=32)).replace(day=1)
    month_end = (following + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return following.replace(day=min(day, month_end.day))


def _xero_documents(contacts: dict[str, XeroContact]) -> tuple[list[XeroDocument],
                                                               list[XeroDocument]]:
    """The base sales documents and bills."""

    def doc(type_: str, number: str, contact: str, dated: date, lines: Sequence[Line],
            status: str = "AUTHORISED", paid: str = "0", *,
            written: str | None = None, reference: str = "",
            sent: bool | None = None) -> XeroDocument:
        total = sum(line.net_minor + line.tax_minor for line in lines)
        paid_minor = total if status == "PAID" else int(Decimal(paid) * 100)
        return XeroDocument(
            type=type_, number=number, contact=contacts[contact],
            written_name=written if written is not None else contact, dated=dated,
            due_date=None if type_.endswith("CREDIT") else _due_date(contacts[contact], dated),
            lines=tuple(lines), paid_minor=paid_minor, status=status, reference=reference,
            sent=(type_.startswith("ACCREC") and status not in ("DRAFT", "DELETED"))
            if sent is None else sent)

    sale, acc = "ACCREC", "ACCRECCREDIT"
    widgets = _line("Widgets, blue (large)", "10", "12.50", "200", VAT_INCOME,
                    item="WID-BLU-L")
    invoices = [
        doc(sale, "INV-0001", "Acme Widgets Ltd", date(2026, 6, 3),
            [widgets, _line("Delivery", "1", "15.00", "200", VAT_INCOME)], "PAID",
            reference="PO 4471"),
        doc(sale, "INV-0002", "Café Zürich GmbH", date(2026, 7, 14), [
            _line("Espressomaschine – Wartung, jährlich", "1", "480.00", "200", VAT_INCOME),
            _line("Ersatzteile: Dichtungen, Ventile", "6", "7.3750", "200", VAT_INCOME),
            _line("Anfahrt (Zürich)", "2.5", "36.00", "200", VAT_INCOME),
        ], reference="Wartung Q3"),
        doc(sale, "INV-0003", "Łukasz Nowak Ltd", date(2026, 7, 28), [
            _line("Consulting, September — 2 days", "2", "650.00", "200", VAT_INCOME),
            _line("Travel: Kraków ↔ London", "1", "212.37", "200", VAT_INCOME),
        ], paid="1000.00", reference="Projekt Wisła"),
        doc(sale, "INV-0004", "東京デザイン株式会社", date(2026, 8, 17), [
            _line("ウィジェット 青（大）", "40", "11.2500", "200", ZERO_RATED, "0"),
            _line("Packaging, export grade", "4", "18.00", "200", ZERO_RATED, "0"),
        ]),
        doc(sale, "INV-0005", "Brontë, Hughes & Daughters LLP", date(2026, 8, 21), [
            _line("Widgets, blue (large)", "24", "12.50", "200", VAT_INCOME,
                  discount="10.00", item="WID-BLU-L"),
            _line("Widgets, red (small)", "50", "3.9900", "200", VAT_INCOME,
                  discount="10.00", item="WID-RED-S"),
            _line("Brackets, steel", "12", "2.35", "200", VAT_INCOME, item="BRK-01"),
            _line("Installation, on site", "3.5", "45.00", "200", VAT_INCOME,
                  tracking=("Region", "North")),
            _line("Delivery", "1", "15.00", "200", VAT_INCOME),
        ], reference="Order 2026/118, Haworth"),
        doc(sale, "INV-0006", "Siobhán Ó Súilleabháin", date(2026, 8, 25),
            [_line("Design review", "1", "350.00", "200", VAT_INCOME)], "PAID"),
        doc(sale, "INV-0007", "Northwind Traders", date(2026, 9, 14),
            [_line("Widgets, red (small)", "100", "3.99", "200", VAT_INCOME,
                   item="WID-RED-S")], "DRAFT"),
        doc(sale, "INV-0008", "Acme Widgets Ltd", date(2026, 9, 2),
            [widgets], "VOIDED", reference="raised twice"),
        doc(sale, "INV-0009", "Café Zürich GmbH", date(2026, 9, 15), [
            _line("Kaffeemühle, Modell „Alpen“", "2", "189.90", "200", VAT_INCOME),
            _line("Schulung für Baristas", "1", "240.00", "200", VAT_INCOME),
        ], paid="300.00", written="café zürich  gmbh"),
        doc(sale, "INV-0010", "Ørsted Kontor ApS", date(2026, 9, 18), [
            _line("Kontorstole, grå", "6", "89.00", "200", VAT_INCOME),
            _line("Montering", "4", "32.50", "200", VAT_INCOME),
            _line("Levering, København", "1", "60.00", "200", VAT_INCOME),
        ]),
        doc(sale, "INV-0011", "Παπαδόπουλος Α.Ε.", date(2026, 9, 21),
            [_line("Σχεδιασμός λογότυπου", "1", "900.00", "200", VAT_INCOME)], "DELETED"),
        doc(sale, "INV-0012", "Acme Widgets Ltd", date(2026, 9, 24), [
            widgets,
            _line("Widgets, green (medium)", "30", "7.4500", "200", VAT_INCOME,
                  item="WID-GRN-M"),
            _line("Rush fee, 48 hours", "1", "75.00", "200", VAT_INCOME),
            _line("Delivery", "1", "15.00", "200", VAT_INCOME),
        ], reference="PO 4502"),
        doc(sale, "INV-0013", "Northwind Traders", date(2026, 9, 30), [
            _line("Annual support contract, Oct 2026 – Sep 2027", "1", "2400.00", "200",
                  VAT_INCOME, tracking=("Region", "North")),
        ]),
        doc(acc, "CN-0001", "Acme Widgets Ltd", date(2026, 9, 28), [
            _line("Returned: widgets, blue (large), damaged", "4", "12.50", "200",
                  VAT_INCOME, item="WID-BLU-L"),
        ], reference="INV-0012"),
    ]
    bill, credit = "ACCPAY", "ACCPAYCREDIT"
    bills = [
        doc(bill, "SUP-8812", "Paperclip Supplies Ltd", date(2026, 8, 31), [
            _line("Paper, A4, 80gsm (box of 5 reams)", "12", "21.99", "429", VAT_EXPENSES),
            _line("Toner cartridges", "3", "64.50", "429", VAT_EXPENSES),
        ]),
        doc(bill, "PS-1002", "Paperclip Supplies Ltd", date(2026, 7, 31),
            [_line("Staples, clips & pins", "1", "38.40", "429", VAT_EXPENSES)], "PAID"),
        doc(bill, "CH-2026-09", "CloudHost Ltd", date(2026, 9, 1), [
            _line("Hosting, September", "1", "1200.00", "489", VAT_EXPENSES),
            _line("Backup storage, 500 GB", "5", "8.0000", "489", VAT_EXPENSES),
        ]),
        doc(bill, "SUP-8812", "Müller Logistik GmbH", date(2026, 9, 16), [
            _line("Fracht Hamburg → Leeds", "1", "2150.00", "425", VAT_EXPENSES),
            _line("Zollabfertigung", "1", "180.00", "425", VAT_EXPENSES),
            _line("Palettengebühr", "8", "12.5000", "425", VAT_EXPENSES),
        ], paid="1000.00", reference="Sendung 77-31"),
        doc(bill, "OE/77", "Ōtaki Electrical Ltd", date(2026, 9, 28), [
            _line("Rewiring, workshop", "1", "420.00", "473", VAT_EXPENSES),
            _line("Cable, 2.5mm² (per metre)", "75", "0.3750", "473", VAT_EXPENSES),
        ]),
        doc(bill, "ML-0450", "Müller Logistik GmbH", date(2026, 9, 29),
            [_line("Fracht, Oktober (Entwurf)", "1", "950.00", "425", VAT_EXPENSES)],
            "DRAFT"),
        doc(credit, "CR-5521", "Ōtaki Electrical Ltd", date(2026, 9, 30),
            [_line("Credit: cable returned", "20", "0.3750", "473", VAT_EXPENSES)],
            reference="OE/77"),
    ]
    return invoices, bills


def _line_pool() -> list[Line]:
    """Line items the generated invoices draw from."""
    products = [("Widgets, blue (large)", "12.50", "WID-BLU-L"),
                ("Widgets, red (small)", "3.9900", "WID-RED-S"),
                ("Widgets, green (medium)", "7.4500", "WID-GRN-M"),
                ("Brackets, steel", "2.35", "BRK-01"),
                ("Installation, on site", "45.00", ""),
                ("Delivery", "15.00", ""),
                ("Ersatzteile: Dichtungen", "7.3750", ""),
                ("Consulting — half day", "325.00", "")]
    pool: list[Line] = []
    for description, unit, item in products:
        for quantity in ("1", "2", "3", "5", "12"):
            pool.append(_line(description, quantity, unit, "200", VAT_INCOME, item=item))
        pool.append(_line(description, "4", unit, "200", VAT_INCOME, discount="10.00",
                          item=item))
    return pool


def _xero_extras(count: int, customers: Sequence[XeroContact],
                 rng: random.Random) -> list[XeroDocument]:
    pool = _line_pool()
    extras: list[XeroDocument] = []
    for i in range(count):
        lines = tuple(rng.choice(pool) for _ in range(5))
        dated = CUTOVER - timedelta(days=rng.randrange(120))
        total = sum(line.net_minor + line.tax_minor for line in lines)
        paid = total // 2 if rng.random() < 0.25 else 0
        contact = customers[rng.randrange(len(customers))]
        extras.append(XeroDocument(
            type="ACCREC", number=f"INV-{100001 + i}", contact=contact,
            written_name=contact.name, dated=dated, due_date=dated + timedelta(days=30),
            lines=lines, paid_minor=paid, status="AUTHORISED",
            reference=f"PO {7000 + i % 900}" if i % 3 else "", sent=True))
    return extras


def _xero_trial_balance(debtors: int, creditors: int, extra_sales: int) -> list[Account]:
    accounts = [
        Account(XERO_SALES, -(9_648_000 + extra_sales), "Revenue", -912_000),
        Account("Ventes à l'étranger (210)", -721_540, "Revenue", -64_000),
        Account("Rent (469)", 1_800_000, "Expenses", 150_000),
        Account("Wages and Salaries (477)", 4_125_000, "Expenses", 343_750),
        Account("Bank Fees (404)", 31_275, "Expenses", 2_650),
        Account("Business Bank Account (090)", 0, "Assets"),  # balances the rest
        Account(XERO_RECEIVABLES, debtors, "Assets", 234_000),
        Account("Office Equipment (710)", 640_000, "Assets"),
        Account(XERO_PAYABLES, -creditors, "Liabilities", -118_045),
        Account("VAT (820)", -431_860, "Liabilities", -84_200),
        Account("Historical Adjustment (840)", 0, "Liabilities", 125_000),
        Account("Owner A Funds Introduced", -1_000_000, "Equity"),
        Account("Retained Earnings (960)", -1_234_567, "Equity"),
        Account("Dividends (970)", 500_000, "Equity", 250_000),
    ]
    return _balanced(accounts, "Business Bank Account (090)")


def _xero_document_rows(documents: Sequence[XeroDocument]) -> list[list[str]]:
    line_cells: dict[int, list[str]] = {}
    date_text: dict[date | None, str] = {}
    contact_cells: dict[int, list[str]] = {}
    rows: list[list[str]] = []
    for document in documents:
        contact = document.contact
        address = contact_cells.get(id(contact))
        if address is None:
            po = contact.postal
            lines = [*po.lines, "", "", "", ""][:4] if po else ["", "", "", ""]
            address = contact_cells[id(contact)] = [
                contact.email, *lines, po.city if po else "", po.region if po else "",
                po.postal_code if po else "", po.country if po else ""]
        dates = []
        for day in (document.dated, document.due_date):
            text = date_text.get(day)
            if text is None:
                text = date_text[day] = _uk(day)
            dates.append(text)
        head = [document.written_name, *address, document.number, document.reference,
                *dates, _plain(document.total_minor), _plain(document.tax_total_minor),
                _plain(document.paid_minor), _plain(document.due_minor)]
        tail = ["GBP", document.type, "Sent" if document.sent else "", document.status]
        for line in document.lines:
            cells = line_cells.get(id(line))
            if cells is None:
                track = line.tracking or ("", "")
                cells = line_cells[id(line)] = [
                    line.item_code, line.description, f"{line.quantity:.4f}",
                    str(line.unit_amount),
                    "" if line.discount is None else f"{line.discount:.2f}",
                    _plain(line.net_minor), line.account_code, line.tax_type,
                    _plain(line.tax_minor), *track, "", ""]
            rows.append(head + cells + tail)
    return rows


_W3CDTF = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _shared_strings(xlsx: bytes) -> bytes:
    """openpyxl's inline strings rewritten as a shared-strings table, as Excel (and Xero's
    export) writes them, and the export's own time stamped in."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    share_strings(parts)
    parts["docProps/core.xml"] = _W3CDTF.sub(STAMP_W3CDTF, parts["docProps/core.xml"])
    return _zip(parts.items())


def _xero_tb_xlsx(accounts: Sequence[Account]) -> bytes:
    """Xero's Trial Balance report as Excel: title rows, header, sections, Total."""
    wb = Workbook()
    wb.properties.creator = "Xero"
    ws = wb.active
    ws.title = "Trial Balance"
    ws.append(["Trial Balance"])
    ws.append(["Highland Widgets Ltd"])
    ws.append([f"As at {CUTOVER.day} {CUTOVER:%B %Y}"])
    ws.append([])
    ws.append(XERO_TB_HEADER)
    totals = [0, 0, 0, 0]

    def sides(minor: int) -> list[int | None]:
        return [minor if minor > 0 else None, -minor if minor < 0 else None]

    for section in XERO_SECTIONS:
        ws.append([section])
        for account in accounts:
            if account.section != section:
                continue
            amounts = sides(account.month_minor) + sides(account.balance_minor)
            for i, amount in enumerate(amounts):
                totals[i] += amount or 0
            ws.append([account.name, *(None if a is None else a / 100 for a in amounts)])
        ws.append([])
    ws.append(["Total", *(t / 100 for t in totals)])
    for row in ws.iter_rows(min_row=6, min_col=2, max_col=5):
        for cell in row:
            if cell.value is not None:
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return _shared_strings(out.getvalue())


def _months_late(due: date, on: date) -> int:
    """Whole calendar months from `due` to `on` (a later day): 31 Aug to 30 Sep is 0."""
    months = (on.year - due.year) * 12 + on.month - due.month
    return months - 1 if on.day < due.day else months


def _xero_aged_column(document: XeroDocument) -> int:
    """The ageing column (0 Current … 5 Older) of a document's due at the cutover, by its
    due date (a credit note, which has none, by its date)."""
    day = document.due_date or document.dated
    return 0 if day >= CUTOVER else 1 + min(_months_late(day, CUTOVER), 4)


def _percent(part: int, whole: int) -> str:
    """`part` as a whole percentage of `whole`, half away from zero: "14%", "-2%"."""
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{value}%"


def _xero_aged_xlsx(title: str, documents: Sequence[XeroDocument]) -> bytes:
    """Xero's Aged Receivables / Payables Detail report as Excel, ageing by due date: title
    rows, header, per contact (by name) a heading row, its open documents (by date) with
    the amount due in its ageing column and in Total, credit notes negative, and `Total
    <contact>`; a `Total` row and a `Percentage of total` row. Blank for zero."""
    wb = Workbook()
    wb.properties.creator = "Xero"
    ws = wb.active
    ws.title = title
    ws.append([title])
    ws.append(["Highland Widgets Ltd"])
    ws.append([f"As at {CUTOVER.day} {CUTOVER:%B %Y}"])
    ws.append(["Ageing by due date"])
    ws.append([])
    ws.append(XERO_AGED_HEADER)
    by_contact: dict[str, list[XeroDocument]] = {}
    for document in documents:
        by_contact.setdefault(document.contact.name, []).append(document)

    def amounts(sums: Sequence[int]) -> list[float | None]:
        return [minor / 100 if minor else None for minor in sums]

    overall = [0] * 7  # the six ageing columns and Total
    for name in sorted(by_contact, key=lambda name: (name.casefold(), name)):
        ws.append([name])
        sums = [0] * 7
        for document in sorted(by_contact[name], key=lambda d: (d.dated, d.number)):
            row = [0] * 7
            row[_xero_aged_column(document)] = row[6] = document.signed_due_minor
            sums = [a + b for a, b in zip(sums, row, strict=True)]
            ws.append([document.dated, document.number, document.reference or None,
                       document.due_date, *amounts(row)])
        ws.append([f"Total {name}", None, None, None, *amounts(sums)])
        overall = [a + b for a, b in zip(overall, sums, strict=True)]
    ws.append(["Total", None, None, None, *amounts(overall)])
    ws.append(["Percentage of total", None, None, None,
               *(_percent(minor, overall[6]) if minor and overall[6] else None
                 for minor in overall)])
    for row in ws.iter_rows(min_row=7):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "d mmm yyyy"
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return _shared_strings(out.getvalue())


def xero_export(*, extra_invoices: int = 0, seed: int = 7,
                aged_reports: bool = False) -> ProviderExport:
    """Highland Widgets Ltd's Xero export at the cutover: Contacts.csv, Invoices.csv,
    Bills.csv and TrialBalance.xlsx, and what reading them must find. `aged_reports`: the
    Aged Receivables and Payables Detail reports of the same open documents as well, in
    `alternatives` (AgedReceivablesDetail.xlsx, AgedPayablesDetail.xlsx)."""
    contacts = _xero_contacts()
    invoices, bills = _xero_documents({c.name: c for c in contacts})
    extras = _xero_extras(extra_invoices, [c for c in contacts if c.customer],
                          random.Random(seed))
    invoices += extras
    debtors = sum(d.signed_due_minor for d in invoices if d.posted)
    creditors = sum(d.signed_due_minor for d in bills if d.posted)
    accounts = _xero_trial_balance(debtors, creditors,
                                   sum(d.due_minor for d in extras))
    invoice_rows = _xero_document_rows(invoices)
    bill_rows = _xero_document_rows(bills)
    files = (
        ExportFile("Contacts.csv", _csv([XERO_CONTACTS_HEADER,
                                         *map(_xero_contact_row, contacts)], bom=True)),
        ExportFile("Invoices.csv", _csv([XERO_DOCUMENTS_HEADER, *invoice_rows], bom=True)),
        ExportFile("Bills.csv", _csv([XERO_DOCUMENTS_HEADER, *bill_rows], bom=True)),
        ExportFile("TrialBalance.xlsx", _xero_tb_xlsx(accounts)),
    )
    alternatives = (
        ExportFile(XERO_AGED_FILES[0], _xero_aged_xlsx(
            "Aged Receivables Detail", [d for d in invoices if d.posted])),
        ExportFile(XERO_AGED_FILES[1], _xero_aged_xlsx(
            "Aged Payables Detail", [d for d in bills if d.posted])),
    ) if aged_reports else ()
    proof = _proof(accounts, [d.due_minor for d in (*invoices, *bills) if d.posted])
    posted_invoices = sum(1 for d in invoices if d.posted)
    posted_bills = sum(1 for d in bills if d.posted)
    expected = Expected(
        contacts=len(contacts), balances=len(accounts),
        invoices_created=posted_invoices, invoices_skipped=len(invoices) - posted_invoices,
        bills_created=posted_bills, bills_skipped=len(bills) - posted_bills,
        invoice_line_rows=len(invoice_rows), bill_line_rows=len(bill_rows),
        debtors_minor=debtors, creditors_minor=creditors, total_debits_minor=proof,
        total_credits_minor=proof, currency="GBP", cutover=CUTOVER)
    return ProviderExport("xero", files, expected, alternatives)


# ---------------------------------------------------------------------------------------
# QuickBooks Online
# ---------------------------------------------------------------------------------------

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
QB_OPEN_INVOICES_HEADER = ["", "Date", "Transaction type", "Num", "Term", "Due date",
                           "Open balance"]
QB_UNPAID_BILLS_HEADER = ["", "Date", "Transaction type", "Num", "Due date", "Past due",
                          "Amount", "Open balance"]
QB_OPEN_FILES = ("Open Invoices.csv", "Unpaid Bills.csv")
QB_RECEIVABLES = "Accounts Receivable (A/R)"
QB_PAYABLES = "Accounts Payable (A/P)"
QB_SALES = "4000 Sales"


def _qb_customers() -> list[QBContact]:
    return [
        QBContact("Acme Corp", "Phone:(415) 555-0100 Mobile:(415) 555-0101",
                  "ap@acme-corp.example", "Jane Doe",
                  "123 Main St, Suite 400, San Francisco, CA 94105",
                  "123 Main St, Suite 400, San Francisco, CA 94105"),
        QBContact("Café Olé Bikes", "Phone:(510) 555-0142", "hola@cafeole.example",
                  "José Ramírez", "88 Telegraph Ave, Oakland, CA 94612"),
        QBContact("Zoë's Cycle Shop", "Mobile:(650) 555-0177", "zoe@zoescycles.example",
                  "Zoë Adams", "5 El Camino Real, Palo Alto, CA 94301",
                  "Warehouse 2, 40 Bay Rd, Menlo Park, CA 94025"),
        QBContact("Østergaard Velo ApS", "", "ordre@ostergaard.example", "Mette Østergaard",
                  "Vesterbrogade 12, 1620 København V, Denmark"),
        QBContact("José Martínez", "Phone:(408) 555-0190", "jose.martinez@example.com",
                  "José Martínez"),
        QBContact("桜サイクル株式会社", "Phone:+81 3-5555-0123", "info@sakura-cycle.example",
                  "佐藤 花子", "1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan"),
        QBContact("Müller Radsport GmbH", "", "einkauf@mueller-radsport.example", "",
                  "Leopoldstraße 8, 80802 München, Germany"),
        QBContact("Golden Gate Couriers", "Phone:(415) 555-0123 Mobile:(415) 555-0124", "",
                  "Sam Lee", "900 Lombard St, San Francisco, CA 94133"),
        QBContact("Peña Racing Team", "", "team@penaracing.example", "Lucía Peña"),
        QBContact("Bayview Rentals, Inc.", "Phone:(415) 555-0166",
                  "billing@bayviewrentals.example", "Chris O'Neil",
                  "1 Harbor Way, Sausalito, CA 94965",
                  "Pier 39, Space B-12, San Francisco, CA 94133"),
    ]


def _qb_vendors() -> list[QBContact]:
    return [
        QBContact("Shimano North America", "Phone:(949) 555-0150", "ar@shimano-na.example",
                  "Ken Ito", "1 Holland, Irvine, CA 92618", account_number="BC-20411"),
        QBContact("Pedal Parts Wholesale, Inc.", "Phone:(916) 555-0111 Mobile:(916) 555-0112",
                  "orders@pedalparts.example", "Dana Wu",
                  "2200 Industrial Blvd, Sacramento, CA 95815", account_number="7731"),
        QBContact("Bay Area Power & Light", "", "", "",
                  "PO Box 7000, San Francisco, CA 94120", account_number="0093-551-22"),
        QBContact("Łódź Bicycle Components Sp. z o.o.", "", "export@lbc.example",
                  "Paweł Wiśniewski", "ul. Piotrkowska 100, 90-004 Łódź, Poland"),
        QBContact("Brooks England Ltd", "Phone:+44 121 555 0100", "sales@brooks.example"),
    ]


def _qb_aging(customers: Sequence[QBContact], vendors: Sequence[QBContact],
              ) -> tuple[list[AgingItem], list[AgingItem]]:
    def item(dated: date, type_: str, num: str, name: str, due_days: int, amount: str,
             open_: str | None = None) -> AgingItem:
        return AgingItem(dated, type_, num, name, dated + timedelta(days=due_days),
                         int(Decimal(amount) * 100),
                         int(Decimal(amount if open_ is None else open_) * 100))

    c = [contact.name for contact in customers]
    receivable = [
        item(date(2026, 9, 15), "Invoice", "1045", c[0], 30, "1250.00"),
        item(date(2026, 9, 22), "Invoice", "1047", c[1], 30, "3480.50"),
        item(date(2026, 9, 28), "Invoice", "1048", c[9], 30, "845.00"),
        item(date(2026, 9, 30), "Credit Memo", "1049", c[2], 0, "-150.00"),
        item(date(2026, 8, 14), "Invoice", "1039", c[3], 30, "2200.00", "1200.00"),
        item(date(2026, 8, 27), "Invoice", "1041", c[4], 30, "615.75"),
        item(date(2026, 9, 18), "Payment", "4471", c[7], 0, "-500.00", "-200.00"),
        item(date(2026, 7, 20), "Invoice", "1032", c[5], 30, "4120.00"),
        item(date(2026, 8, 5), "Invoice", "1036", c[6], 15, "1980.40", "980.40"),
        item(date(2026, 7, 10), "Credit Memo", "1031", c[8], 0, "-1240.00"),
        item(date(2026, 6, 1), "Invoice", "1024", c[8], 30, "760.00"),
        item(date(2026, 5, 12), "Invoice", "1019", c[0], 30, "1135.20", "635.20"),
        item(date(2026, 5, 29), "Credit Memo", "1022", c[1], 0, "-310.00"),
    ]
    v = [contact.name for contact in vendors]
    payable = [
        item(date(2026, 9, 20), "Bill", "INV-77812", v[0], 30, "5412.00"),
        item(date(2026, 9, 25), "Bill", "", v[2], 30, "287.43"),
        item(date(2026, 8, 18), "Bill", "20931", v[1], 30, "1640.00", "640.00"),
        item(date(2026, 7, 29), "Bill", "ŁBC/2026/114", v[3], 30, "2315.60"),
        item(date(2026, 9, 14), "Supplier Credit", "SC-118", v[0], 0, "-275.00"),
        item(date(2026, 5, 15), "Bill", "BE-4410", v[4], 30, "918.25"),
    ]
    return receivable, payable


def _qb_extras(count: int, customers: Sequence[QBContact],
               rng: random.Random) -> list[AgingItem]:
    extras: list[AgingItem] = []
    for i in range(count):
        dated = CUTOVER - timedelta(days=rng.randrange(150))
        amount = rng.randrange(2_500, 1_250_000)
        open_ = amount // 2 if rng.random() < 0.25 else amount
        extras.append(AgingItem(dated, "Invoice", str(100001 + i),
                                customers[rng.randrange(len(customers))].name,
                                dated + timedelta(days=30), amount, open_))
    return extras


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


def _qb_term(item: AgingItem) -> str:
    """An invoice's or bill's term from its dates ("Net 30", "Due on receipt"); none for
    credits and payments."""
    if item.type not in ("Invoice", "Bill"):
        return ""
    days = (item.due_date - item.dated).days
    return f"Net {days}" if days else "Due on receipt"


def _qb_past_due(item: AgingItem) -> str:
    """Unpaid Bills' `Past due`: a bill's days past its due date at the cutover (0 when
    not yet due); blank for a supplier credit."""
    return str(max(0, (CUTOVER - item.due_date).days)) if item.type == "Bill" else ""


def _qb_open_invoices_row(item: AgingItem) -> list[str]:
    return ["", _us(item.dated), item.type, item.num, _qb_term(item), _us(item.due_date),
            _grouped(item.open_minor)]


def _qb_unpaid_bills_row(item: AgingItem) -> list[str]:
    return ["", _us(item.dated), item.type, item.num, _us(item.due_date), _qb_past_due(item),
            _grouped(item.amount_minor), _grouped(item.open_minor)]


def _qb_open_rows(items: Sequence[AgingItem], detail: Callable[[AgingItem], list[str]],
                  width: int, *, amount: bool) -> list[list[str]]:
    """Open Invoices / Unpaid Bills: per customer or vendor (by name) a row with its name
    alone, its open items (by date) and `Total for <name>`; a `TOTAL` row. The totals give
    Open balance and, with `amount`, Amount (the last columns)."""
    by_name: dict[str, list[AgingItem]] = {}
    for item in items:
        by_name.setdefault(item.name, []).append(item)

    def total(label: str, group: Sequence[AgingItem]) -> list[str]:
        sums = [sum(item.open_minor for item in group)]
        if amount:
            sums.insert(0, sum(item.amount_minor for item in group))
        return [label, *[""] * (width - 1 - len(sums)), *map(_dollars, sums)]

    rows: list[list[str]] = []
    for name in sorted(by_name, key=lambda name: (name.casefold(), name)):
        rows.append([name])
        group = sorted(by_name[name], key=lambda item: (item.dated, item.num))
        rows.extend(map(detail, group))
        rows.append(total(f"Total for {name}", group))
    rows.append(total("TOTAL", items))
    return rows


def _qb_trial_balance(debtors: int, creditors: int, extra_sales: int) -> list[Account]:
    accounts = [
        Account("Checking", 0),  # balances the rest
        Account("Undeposited Funds", 184_500),
        Account(QB_RECEIVABLES, debtors),
        Account("Inventory Asset", 1_250_000),
        Account(QB_PAYABLES, -creditors),
        Account("Sales Tax Payable", -210_433),
        Account("Opening Balance Equity", -500_000),
        Account("Retained Earnings", -2_188_045),
        Account(QB_SALES, -(16_892_000 + extra_sales)),
        Account("Cost of Goods Sold", 6_124_000),
        Account("Salaries (6000)", 5_200_000),
        Account("6100 · Office Supplies", 341_287),
        Account("Rent or Lease", 2_400_000),
    ]
    return _balanced(accounts, "Checking")


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


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


def write_export(export: ProviderExport, folder: Path) -> list[Path]:
    """Write the export's files, then its alternatives (if asked for), into `folder`
    (created if missing); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for file in (*export.files, *export.alternatives):
        path = folder / file.name
        path.write_bytes(file.data)
        paths.append(path)
    return paths


def zip_export(export: ProviderExport) -> bytes:
    """The export's files in one .zip (deflated), as a user might upload them (never its
    alternatives)."""
    return _zip((file.name, file.data) for file in export.files)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("provider", choices=["xero", "quickbooks"])
    parser.add_argument("out", type=Path, help="the folder to write the files into")
    parser.add_argument("--extra-invoices", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--zip", action="store_true",
                        help="write one OUT/<provider>-export.zip instead of the files")
    parser.add_argument("--alternatives", action="store_true",
                        help="also write the other reports of the open documents (Xero: "
                             "the aged detail reports; QuickBooks: Open Invoices, Unpaid "
                             "Bills), beside the zip with --zip")
    args = parser.parse_args(argv)
    if args.provider == "xero":
        export = xero_export(extra_invoices=args.extra_invoices, seed=args.seed,
                             aged_reports=args.alternatives)
    else:
        export = quickbooks_export(extra_invoices=args.extra_invoices, seed=args.seed,
                                   open_reports=args.alternatives)
    if args.zip:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"{export.provider}-export.zip"
        path.write_bytes(zip_export(export))
        written = [path, *write_export(ProviderExport(
            export.provider, export.alternatives, export.expected), args.out)]
    else:
        written = write_export(export, args.out)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    print(export.expected)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
