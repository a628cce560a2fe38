"""The wizard's accounting rules (accounting.md) as pure functions: a trial balance and the
outstanding invoices and bills at the cutover date become one journal (its model and its
proof are in proof.py). No I/O, no float: integer minor units of the books' currency.

`check_trial_balance` returns problems (an import shows them and blocks confirming);
`build_journal` raises them, since no journal may be built from a trial balance its import
would refuse. A clearing account that does not net to zero is not an error here: the
journal is built, and RECONCILIATION_VALID names the difference."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from worker.errors import ServiceError
from worker.money import exponent_of
from worker.wizard.proof import (
    CREDITORS_CLEARING,
    DEBTORS_CLEARING,
    OPENING_BALANCES_KEY,
    RECONCILIATION_VALID,
    ROUNDING,
    SYSTEM_ACCOUNTS,
    TRADE_CREDITORS,
    TRADE_DEBTORS,
    AccountRole,
    GateResult,
    Journal,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    check_reconciliation,
    document_identity,
    format_money,
)
from worker.wizard.records import BalanceRecord, DocumentRecord

ROUNDING_TOLERANCE_MINOR = 5
"""A trial balance off by at most this many minor units is balanced by a Rounding line."""


class LedgerError(ServiceError):
    """The opening balances cannot be turned into journal entries."""

    code = "LEDGER_INVALID"
    status = 422


class TrialBalanceUnbalanced(LedgerError):
    """The trial balance's debits and credits differ by more than the rounding tolerance."""

    code = "TRIAL_BALANCE_UNBALANCED"


class RetainedEarningsMissing(LedgerError):
    """The trial balance has no retained earnings or capital/reserves row."""

    code = "RETAINED_EARNINGS_MISSING"


class AccountCodeInvalid(LedgerError):
    """A trial-balance row has no account code, or one reserved for the wizard's accounts."""

    code = "ACCOUNT_CODE_INVALID"


class DocumentNotPostable(LedgerError):
    """An outstanding invoice or bill cannot be posted to the opening balances."""

    code = "DOCUMENT_NOT_POSTABLE"


@dataclass(frozen=True)
class TrialBalanceCheck:
    """What an import needs to know about a trial balance without building the journal."""

    currency: str
    total_debits_minor: int
    total_credits_minor: int
    rounding_minor: int  # amount of the Rounding line the journal will have; 0 if none
    problems: tuple[LedgerError, ...]  # each blocks confirming (wizard-api.md)
    retained_earnings_rows: tuple[int, ...]
    debtors_rows: tuple[int, ...]
    creditors_rows: tuple[int, ...]

    @property
    def difference_minor(self) -> int:
        """Debits - credits, before any Rounding line."""
        return self.total_debits_minor - self.total_credits_minor

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(problem.message for problem in self.problems)

    @property
    def blocked(self) -> bool:
        """Whether confirming the import is refused."""
        return bool(self.problems)


def _norm(text: str | None) -> str:
    """Lower case, "&" as "and", apostrophes dropped, other punctuation as spaces: so that
    "Owner's Equity", "OWNERS EQUITY" and "owners' equity" compare equal."""
    text = (text or "").lower().replace("&", " and ").replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


# Names (normalised) accepted as a whole, and phrases accepted anywhere in a name. A whole
# "profit and loss" is FreeAgent's 968; inside a name it could be "... on disposal".
_EQUITY_NAMES = frozenset({"capital", "equity", "reserves", "profit and loss", "p and l"})
# each provider's balancing account (Xero, QuickBooks, FreeAgent 999): accepted as equity,
# shown in the proof
_BALANCING_NAMES = frozenset({"historical adjustment", "opening balance equity", "suspense",
                              "opening balances", "opening balance"})
_EQUITY_PHRASES = (
    "retained earnings", "retained profit", "retained loss", "retained surplus",
    "accumulated profit", "accumulated loss", "accumulated surplus", "accumulated deficit",
    "profit and loss reserve", "profit and loss account", "p and l reserve",
    "share capital", "capital account", "capital introduced", "capital and reserves",
    "owners capital", "owner capital", "partners capital", "proprietors capital",
    "members capital", "owners equity", "owner equity", "shareholders equity",
    "stockholders equity", "members equity", "shareholders funds", "revenue reserve",
    "general reserve", "capital reserve", "revaluation reserve", "other reserves",
)
_EQUITY_CATEGORIES = ("equity", "capital and reserves", "reserves", "shareholders funds")
_DEBTORS_NAMES = frozenset({"debtors", "receivables", "a r"})
_DEBTORS_PHRASES = ("trade debtors", "debtors control", "sales ledger control",
                    "accounts receivable", "trade receivables")
_CREDITORS_NAMES = frozenset({"creditors", "payables", "a p"})
_CREDITORS_PHRASES = ("trade creditors", "creditors control", "purchase ledger control",
                      "accounts payable", "trade payables")
ACCEPTED_EQUITY_ROWS = ("Retained Earnings", "Profit and Loss Reserve", "Profit and Loss",
                        "Share Capital", "Capital", "Capital Introduced", "Reserves",
                        "Owner's Equity", "Opening Balance Equity")


def _named(name: str, whole: frozenset[str], phrases: tuple[str, ...]) -> bool:
    return name in whole or any(phrase in name for phrase in phrases)


def classify_row(record: BalanceRecord) -> AccountRole:
    """The role of a trial-balance row, by its name or category (providers' codes differ,
    so codes are used only for FreeAgent's 681/796 with a debtor/creditor-like name)."""
    name, category, code = _norm(record.name), _norm(record.category), record.code.strip()
    if _named(name, _DEBTORS_NAMES, _DEBTORS_PHRASES) or (
            code == "681" and ("debtor" in name or "receivable" in name)):
        return AccountRole.TRADE_DEBTORS
    if _named(name, _CREDITORS_NAMES, _CREDITORS_PHRASES) or (
            code == "796" and ("creditor" in name or "payable" in name)):
        return AccountRole.TRADE_CREDITORS
    if name in _BALANCING_NAMES:
        return AccountRole.BALANCING
    if (_named(name, _EQUITY_NAMES, _EQUITY_PHRASES) or category == "capital"
            or any(word in category for word in _EQUITY_CATEGORIES)):
        return AccountRole.RETAINED_EARNINGS
    return AccountRole.OTHER


def _rows_text(rows: Sequence[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:5])
    return shown + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")


def check_trial_balance(balances: Iterable[BalanceRecord], currency: str) -> TrialBalanceCheck:
    """Every problem of a trial balance that blocks confirming it, and the Rounding line it
    will need. Raises UnknownCurrency for a currency that is not ISO 4217."""
    exponent_of(currency)  # an unknown currency fails here, not only in a message
    rows = sorted(balances, key=lambda r: (r.row, r.code))
    debits = sum(max(r.debit_minor - r.credit_minor, 0) for r in rows)
    credits = sum(max(r.credit_minor - r.debit_minor, 0) for r in rows)
    difference = debits - credits
    roles = [(r.row, classify_row(r)) for r in rows]
    problems: list[LedgerError] = []
    reserved = {code.lower() for code in SYSTEM_ACCOUNTS}
    if bad := [r.row for r in rows if r.code.strip().lower() in {"", *reserved}]:
        problems.append(AccountCodeInvalid(
            f"Trial balance rows {_rows_text(bad)} have no account code, or one beginning MIG-, "
            "which the wizard keeps for its own accounts: give each account its own code."))
    if abs(difference) > ROUNDING_TOLERANCE_MINOR:
        side = "debits exceed credits" if difference > 0 else "credits exceed debits"
        problems.append(TrialBalanceUnbalanced(
            f"The trial balance does not balance: {side} by "
            f"{format_money(abs(difference), currency)} (debits {format_money(debits, currency)}"
            f", credits {format_money(credits, currency)}). Up to "
            f"{format_money(ROUNDING_TOLERANCE_MINOR, currency)} is posted to Rounding; "
            "correct the rows and import the trial balance again."))
    equity = tuple(row for row, role in roles
                   if role in (AccountRole.RETAINED_EARNINGS, AccountRole.BALANCING))
    if not equity:
        problems.append(RetainedEarningsMissing(
            "The trial balance has no retained earnings row: add the row of your retained "
            "earnings or another capital/reserves account (for example "
            + ", ".join(ACCEPTED_EQUITY_ROWS)
            + ", or any row whose Category is Equity or Capital and Reserves)."))
    return TrialBalanceCheck(
        currency=currency, total_debits_minor=debits, total_credits_minor=credits,
        rounding_minor=abs(difference) if abs(difference) <= ROUNDING_TOLERANCE_MINOR else 0,
        problems=tuple(problems), retained_earnings_rows=equity,
        debtors_rows=tuple(row for row, role in roles if role is AccountRole.TRADE_DEBTORS),
        creditors_rows=tuple(row for row, role in roles if role is AccountRole.TRADE_CREDITORS),
    )


def _line(account_code: str, net_minor: int) -> list[JournalLine]:
    """A line for a signed amount (debit - credit); none for zero, which has no side."""
    if net_minor == 0:
        return []
    return [JournalLine(account_code, max(net_minor, 0), max(-net_minor, 0))]


def document_key(document: DocumentRecord) -> str:
    """The entry's stable key (legacy_id): kind and the document's identity, so that posting
    the same document again hits the target's unique constraint instead of doubling it."""
    return f"{document.document_type}:{document_identity(document)}"


def _label(doc: DocumentRecord) -> str:
    name = "Credit note" if doc.credit_note else doc.document_type.capitalize()
    return f"{name} {doc.reference.strip() or f'on row {doc.row}'}"


def _document_problems(documents: Sequence[DocumentRecord], cutover: date,
                       currency: str) -> DocumentNotPostable | None:
    messages: list[str] = []
    seen: set[str] = set()
    for doc in documents:
        # the label only when there is something to say: this runs once per document
        reference, key = doc.reference.strip(), document_key(doc)
        if not reference:
            messages.append(f"{_label(doc)} has no reference.")
        elif key in seen:
            messages.append(f"{_label(doc)} appears more than once.")
        seen.add(key)
        if doc.currency == currency and doc.dated_on <= cutover:
            continue
        label = _label(doc)
        if doc.currency != currency:
            messages.append(f"{label} is in {doc.currency}, but the books are in {currency}: "
                            "its opening value in the books' currency is not known.")
        if doc.dated_on > cutover:
            messages.append(f"{label} is dated {doc.dated_on.isoformat()}, after the cutover "
                            f"date {cutover.isoformat()}.")
    if not messages:
        return None
    more = f" ({len(messages) - 5} more problems)" if len(messages) > 5 else ""
    return DocumentNotPostable(" ".join(messages[:5]) + more)


def build_journal(balances: Iterable[BalanceRecord], invoices: Iterable[DocumentRecord],
                  bills: Iterable[DocumentRecord], cutover: date, currency: str) -> Journal:
    """The opening-balance journal: one entry for the trial balance dated the cutover date
    (trade debtors and creditors rows posted to their clearing accounts, a difference
    within tolerance to Rounding), then one entry per outstanding invoice and per bill,
    dated its date. The same input in any order gives the same journal.

    Raises the trial balance's first problem (a LedgerError: the import would have been
    blocked), else DocumentNotPostable naming the documents that cannot be posted."""
    rows = sorted(balances, key=lambda r: (r.row, r.code))
    check = check_trial_balance(rows, currency)

    def by_date(docs: Iterable[DocumentRecord]) -> list[DocumentRecord]:
        return sorted(docs, key=lambda d: (d.dated_on, d.reference.strip(), d.row))

    invoice_list, bill_list = by_date(invoices), by_date(bills)
    if check.problems:
        raise check.problems[0]
    if problem := _document_problems([*invoice_list, *bill_list], cutover, currency):
        raise problem

    accounts: dict[str, LedgerAccount] = {}
    opening: list[JournalLine] = []
    clearing = {AccountRole.TRADE_DEBTORS: DEBTORS_CLEARING,
                AccountRole.TRADE_CREDITORS: CREDITORS_CLEARING}
    for r in rows:
        code, role = r.code.strip(), classify_row(r)
        category = r.category.strip() if r.category and r.category.strip() else None
        # the first row of a code names its account; every row keeps its own line
        accounts.setdefault(code, LedgerAccount(code, r.name.strip(), category, role, False))
        opening += _line(clearing.get(role, code), r.debit_minor - r.credit_minor)
    # the Rounding line is on the short side, so it brings the difference to zero
    opening += _line(ROUNDING, -check.difference_minor)

    def control(role: AccountRole, fallback: str) -> str:
        # outstanding documents build up the trial balance's own control account
        return next((a.code for a in accounts.values() if a.role is role), fallback)

    debtors = control(AccountRole.TRADE_DEBTORS, TRADE_DEBTORS)
    creditors = control(AccountRole.TRADE_CREDITORS, TRADE_CREDITORS)
    entries: list[JournalEntry] = []
    if opening:
        entries.append(JournalEntry(OPENING_BALANCES_KEY, "opening_balances", cutover,
                                    f"Opening balances at {cutover.isoformat()}",
                                    tuple(opening)))
    unposted: list[str] = []
    for doc in [*invoice_list, *bill_list]:
        # nothing due: the document is settled, adds nothing to the control account, and a
        # zero line would have no positive side; it is listed in `unposted` instead
        if doc.due_minor == 0:
            unposted.append(document_key(doc))
            continue
        # an invoice debits trade debtors, a bill credits trade creditors; a negative due
        # amount (a credit note) reverses that; the debit line comes first either way
        due = doc.due_minor if doc.document_type == "invoice" else -doc.due_minor
        ref = doc.reference.strip()
        name = "Credit note" if doc.credit_note else doc.document_type.capitalize()
        control_code, clearing_code, text = (
            (debtors, DEBTORS_CLEARING, f"{name} {ref} to {doc.contact.strip()}")
            if doc.document_type == "invoice"
            else (creditors, CREDITORS_CLEARING, f"{name} {ref} from {doc.contact.strip()}"))
        debit, credit = (control_code, clearing_code) if due > 0 else (clearing_code,
                                                                        control_code)
        entries.append(JournalEntry(document_key(doc), doc.document_type, doc.dated_on, text,
                                    (JournalLine(debit, abs(due), 0),
                                     JournalLine(credit, 0, abs(due)))))

    used = {line.account_code for entry in entries for line in entry.lines}
    for code, (name, category, role) in SYSTEM_ACCOUNTS.items():
        if code in used:
            accounts[code] = LedgerAccount(code, name, category, role, True)
    return Journal(currency, cutover, tuple(accounts.values()), tuple(entries),
                   check.rounding_minor, tuple(unposted))


def reconciliation_gate(balances: Sequence[BalanceRecord], invoices: Sequence[DocumentRecord],
                        bills: Sequence[DocumentRecord], cutover: date,
                        currency: str) -> GateResult:
    """RECONCILIATION_VALID from the imports' records: a journal that cannot be built fails
    the gate with the reason; with nothing at all to post, the gate passes."""
    if not (balances or invoices or bills):
        return GateResult(RECONCILIATION_VALID, True, "Nothing to post.")
    try:
        journal = build_journal(balances, invoices, bills, cutover, currency)
    except LedgerError as exc:
        return GateResult(RECONCILIATION_VALID, False, exc.message)
    return check_reconciliation(journal)
