"""The journal the wizard posts (accounts, entries, lines: the target's model), and its proof
(accounting.md): the reconciliation of what was posted, and the two gates that are
accounting rules (wizard-api.md), RECONCILIATION_VALID and CONTACTS_RESOLVED. Pure.
The rules that build a journal from the imports' records are in ledger.py.

The wizard's own accounts have text codes beginning "MIG-": providers' codes are numbers
(FreeAgent 681, 750-1; Sage 1100) or Xero's short codes, and ledger.py refuses a trial
balance that uses one of ours, so they can never clash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Protocol

from worker.money import exponent_of
from worker.wizard.records import DocumentRecord

DEBTORS_CLEARING = "MIG-DEBTORS-CLEARING"
CREDITORS_CLEARING = "MIG-CREDITORS-CLEARING"
ROUNDING = "MIG-ROUNDING"
TRADE_DEBTORS = "MIG-TRADE-DEBTORS"  # only when the trial balance has no trade debtors row
TRADE_CREDITORS = "MIG-TRADE-CREDITORS"  # likewise for trade creditors
OPENING_BALANCES_KEY = "opening-balances"


class AccountRole(StrEnum):
    """What an account is to the wizard's rules."""

    OTHER = "other"  # a trial-balance row posted as it is
    RETAINED_EARNINGS = "retained_earnings"  # retained earnings or capital/reserves
    BALANCING = "balancing"  # a provider's balancing account: Historical Adjustment, ...
    TRADE_DEBTORS = "trade_debtors"
    TRADE_CREDITORS = "trade_creditors"
    DEBTORS_CLEARING = "debtors_clearing"
    CREDITORS_CLEARING = "creditors_clearing"
    ROUNDING = "rounding"


# code -> (name, category, role) of the accounts the wizard adds
SYSTEM_ACCOUNTS: dict[str, tuple[str, str, AccountRole]] = {
    TRADE_DEBTORS: ("Trade debtors", "Current Assets", AccountRole.TRADE_DEBTORS),
    TRADE_CREDITORS: ("Trade creditors", "Current Liabilities", AccountRole.TRADE_CREDITORS),
    DEBTORS_CLEARING: ("Debtors clearing", "Clearing", AccountRole.DEBTORS_CLEARING),
    CREDITORS_CLEARING: ("Creditors clearing", "Clearing", AccountRole.CREDITORS_CLEARING),
    ROUNDING: ("Rounding", "Suspense", AccountRole.ROUNDING),
}


@dataclass(frozen=True)
class LedgerAccount:
    code: str
    name: str
    category: str | None
    role: AccountRole
    system: bool  # added by the wizard, not a row of the trial balance


# Lines and entries are values, never changed once made; slotted rather than frozen because
# an execute makes two lines and an entry per outstanding document (a frozen dataclass costs
# five times as much to build).


@dataclass(slots=True)
class JournalLine:
    """One line; exactly one side positive (the database's CHECK says the same)."""

    account_code: str
    debit_minor: int
    credit_minor: int

    def __post_init__(self) -> None:
        if min(self.debit_minor, self.credit_minor) != 0 or self.debit_minor == self.credit_minor:
            raise ValueError(f"a journal line needs exactly one positive side: {self}")


@dataclass(slots=True)
class JournalEntry:
    key: str  # stable and unique in a migration: the entry's legacy_id
    kind: Literal["opening_balances", "invoice", "bill"]
    dated_on: date
    description: str
    lines: tuple[JournalLine, ...]


@dataclass(frozen=True)
class Journal:
    currency: str
    cutover: date
    accounts: tuple[LedgerAccount, ...]  # trial-balance rows' accounts, then the wizard's
    entries: tuple[JournalEntry, ...]  # opening balances, invoices, bills
    rounding_minor: int  # the Rounding line's amount (0: none)
    unposted: tuple[str, ...]  # keys of documents with nothing due, which post nothing

    @property
    def lines(self) -> tuple[JournalLine, ...]:
        """Every line of every entry, in order."""
        return tuple(line for entry in self.entries for line in entry.lines)


_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def format_money(minor: int, currency: str) -> str:
    """Minor units as the user reads them: "£1,234.50", "-€0.05", "1,234 JPY"."""
    exponent = exponent_of(currency)
    text = f"{Decimal(abs(minor)).scaleb(-exponent):,.{exponent}f}"
    sign = "-" if minor < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


# --- the proof and the gates -------------------------------------------------------------

RECONCILIATION_VALID = "RECONCILIATION_VALID"
CONTACTS_RESOLVED = "CONTACTS_RESOLVED"
SHOWN_NAMES = 5  # unknown contact names a message lists before "and N more"


class LineLike(Protocol):
    """A journal line as built (JournalLine) or as read back from the target."""

    @property
    def account_code(self) -> str: ...
    @property
    def debit_minor(self) -> int: ...
    @property
    def credit_minor(self) -> int: ...


@dataclass(frozen=True)
class Reconciliation:
    total_debits: int
    total_credits: int
    debtors_clearing: int  # net (debits - credits) of Debtors clearing
    creditors_clearing: int

    @property
    def net(self) -> int:
        return self.total_debits - self.total_credits

    def as_dict(self) -> dict[str, int | dict[str, int]]:
        """The proof's JSON fields (accounting.md): integers in minor units."""
        return {"totalDebits": self.total_debits, "totalCredits": self.total_credits,
                "net": self.net, "clearing": {"Debtors clearing": self.debtors_clearing,
                                              "Creditors clearing": self.creditors_clearing}}


@dataclass(frozen=True)
class GateResult:
    code: str
    passed: bool
    message: str

    def as_dict(self) -> dict[str, str | bool]:
        return {"code": self.code, "passed": self.passed, "message": self.message}


def reconcile(lines: Iterable[LineLike]) -> Reconciliation:
    """Totals of the lines and each clearing account's net."""
    debits = credits = debtors = creditors = 0
    for line in lines:
        debits += line.debit_minor
        credits += line.credit_minor
        if line.account_code == DEBTORS_CLEARING:
            debtors += line.debit_minor - line.credit_minor
        elif line.account_code == CREDITORS_CLEARING:
            creditors += line.debit_minor - line.credit_minor
    return Reconciliation(debits, credits, debtors, creditors)


def reconciliation_of(journal: Journal) -> Reconciliation:
    """The reconciliation of everything the journal posts."""
    return reconcile(journal.lines)


def _clearing_net(journal: Journal, code: str, kind: str) -> int:
    """Net (debits - credits) on a clearing account of the entries of one kind."""
    return sum(line.debit_minor - line.credit_minor for entry in journal.entries
               if entry.kind == kind for line in entry.lines if line.account_code == code)


def check_reconciliation(journal: Journal) -> GateResult:
    """RECONCILIATION_VALID: debits equal credits over the journal and each clearing account
    nets to zero. A failure names each difference and where it comes from."""
    proof, money = reconciliation_of(journal), journal.currency
    problems: list[str] = []
    if proof.net:
        side = "debits exceed credits" if proof.net > 0 else "credits exceed debits"
        problems.append(f"The journal does not balance: {side} by "
                        f"{format_money(abs(proof.net), money)}.")
    if proof.debtors_clearing:
        # the trial balance debits the clearing account, each invoice credits it
        tb = _clearing_net(journal, DEBTORS_CLEARING, "opening_balances")
        docs = -_clearing_net(journal, DEBTORS_CLEARING, "invoice")
        problems.append(
            f"Debtors clearing is off by {format_money(abs(proof.debtors_clearing), money)}: "
            f"the trial balance's trade debtors are {format_money(tb, money)} but the "
            f"outstanding invoices total {format_money(docs, money)}.")
    if proof.creditors_clearing:
        tb = -_clearing_net(journal, CREDITORS_CLEARING, "opening_balances")
        docs = _clearing_net(journal, CREDITORS_CLEARING, "bill")
        problems.append(
            f"Creditors clearing is off by {format_money(abs(proof.creditors_clearing), money)}"
            f": the trial balance's trade creditors are {format_money(tb, money)} but the "
            f"outstanding bills total {format_money(docs, money)}.")
    if problems:
        return GateResult(RECONCILIATION_VALID, False, " ".join(
            [*problems, "Correct the trial balance or the invoices and bills so that they "
                        "agree, and import them again."]))
    return GateResult(RECONCILIATION_VALID, True, (
        f"Debits equal credits ({format_money(proof.total_debits, money)}) and the debtors "
        "and creditors clearing accounts net to zero."))


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def contact_key(name: str) -> str:
    """How a document's contact matches a contact: case-insensitive, trimmed, inner runs of
    spaces (NBSP included, which spreadsheets are full of) as one space."""
    return " ".join(name.split()).lower()


def document_identity(document: DocumentRecord) -> str:
    """A document's identity among the account's: its number, a credit note's apart from
    an invoice's, a bill's with its supplier (two suppliers may use one number)."""
    key = document.reference.strip()
    if document.document_type == "bill":
        key = f"{contact_key(document.contact)} / {key}"
    return f"credit {key}" if document.credit_note else key


def contacts_resolved(contact_names: Iterable[str], invoices: Iterable[DocumentRecord],
                      bills: Iterable[DocumentRecord]) -> GateResult:
    """CONTACTS_RESOLVED: every invoice and bill names a contact of the contacts import.
    A failure lists the first unknown names (in row order, invoices first) and counts them."""
    known = {contact_key(name) for name in contact_names}
    documents = [*sorted(invoices, key=lambda d: d.row), *sorted(bills, key=lambda d: d.row)]
    unknown: dict[str, str] = {}  # key -> the name as first written
    unresolved = 0
    for doc in documents:
        key = contact_key(doc.contact)
        if key not in known:
            unresolved += 1
            unknown.setdefault(key, doc.contact.strip() or "(blank)")
    if not documents:
        return GateResult(CONTACTS_RESOLVED, True, "No invoices or bills to check.")
    if not unknown:
        return GateResult(CONTACTS_RESOLVED, True, f"Every invoice and bill ({len(documents)}) "
                          "names a contact of the contacts import.")
    names = list(unknown.values())
    shown = ", ".join(f'"{name}"' for name in names[:SHOWN_NAMES])
    more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
    where = _count(unresolved, "invoice or bill", "invoices or bills")
    verb = "is" if len(names) == 1 else "are"
    return GateResult(CONTACTS_RESOLVED, False, (
        f"{_count(len(names), 'contact name')} on {where} {verb} not in the contacts import: "
        f"{shown}{more}. Add them to the contacts file or correct the names on the invoices "
        "and bills, and import again."))
