"""What an export is, what reading it must find, and the in-memory model both providers'
files are rendered from, with the money, date and CSV formatting they share.

An export (`ProviderExport`) is its files, what the service must find in them (`Expected`,
computed from the model with integers, in minor units, independently of the service) and,
when asked for, other reports of the same open documents (`alternatives`). Everything is
dated at the cutover 2026-09-30 (`CUTOVER`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Literal

CUTOVER = date(2026, 9, 30)
CENT = Decimal("0.01")


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
