"""worker.wizard.ledger and worker.wizard.proof: the opening-balance journal, its
reconciliation and the accounting gates, as exact journals for small cases."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.money import UnknownCurrency
from worker.wizard.ledger import (
    ROUNDING_TOLERANCE_MINOR,
    AccountCodeInvalid,
    DocumentNotPostable,
    RetainedEarningsMissing,
    TrialBalanceUnbalanced,
    build_journal,
    check_trial_balance,
    classify_row,
    reconciliation_gate,
)
from worker.wizard.proof import (
    CREDITORS_CLEARING,
    DEBTORS_CLEARING,
    OPENING_BALANCES_KEY,
    ROUNDING,
    TRADE_DEBTORS,
    AccountRole,
    Journal,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Reconciliation,
    check_reconciliation,
    contact_key,
    contacts_resolved,
    format_money,
    reconcile,
    reconciliation_of,
)
from worker.wizard.records import BalanceRecord, DocumentRecord

CUTOVER = date(2024, 3, 31)


def tb(row: int, code: str, name: str, debit: int = 0, credit: int = 0,
       category: str | None = None) -> BalanceRecord:
    return BalanceRecord(row=row, code=code, name=name, debit_minor=debit, credit_minor=credit,
                         category=category)


def doc(kind: str, row: int, reference: str, due: int, *, contact: str = "Acme Ltd",
        dated_on: date = date(2024, 3, 1), currency: str = "GBP") -> DocumentRecord:
    assert kind in ("invoice", "bill")
    return DocumentRecord(row=row, document_type="invoice" if kind == "invoice" else "bill",
                          reference=reference, contact=contact, dated_on=dated_on,
                          currency=currency, total_minor=abs(due), due_minor=due)


def dr(code: str, amount: int) -> JournalLine:
    return JournalLine(code, amount, 0)


def cr(code: str, amount: int) -> JournalLine:
    return JournalLine(code, 0, amount)


BANK = tb(2, "1200", "Bank", debit=10_000)
RETAINED = tb(3, "3200", "Retained Earnings", credit=7_000, category="Equity")
SALES = tb(4, "4000", "Sales", credit=3_000)


# --- the trial balance -------------------------------------------------------------------

def test_a_balanced_trial_balance_is_one_entry_on_the_cutover_date() -> None:
    journal = build_journal([SALES, BANK, RETAINED], [], [], CUTOVER, "GBP")
    assert journal == Journal(
        currency="GBP", cutover=CUTOVER,
        accounts=(LedgerAccount("1200", "Bank", None, AccountRole.OTHER, False),
                  LedgerAccount("3200", "Retained Earnings", "Equity",
                                AccountRole.RETAINED_EARNINGS, False),
                  LedgerAccount("4000", "Sales", None, AccountRole.OTHER, False)),
        entries=(JournalEntry(OPENING_BALANCES_KEY, "opening_balances", CUTOVER,
                              "Opening balances at 2024-03-31",
                              (dr("1200", 10_000), cr("3200", 7_000), cr("4000", 3_000))),),
        rounding_minor=0, unposted=())
    assert reconciliation_of(journal).as_dict() == {
        "totalDebits": 10_000, "totalCredits": 10_000, "net": 0,
        "clearing": {"Debtors clearing": 0, "Creditors clearing": 0}}
    check = check_trial_balance([BANK, RETAINED, SALES], "GBP")
    assert (check.errors, check.blocked, check.rounding_minor) == ((), False, 0)
    assert check.retained_earnings_rows == (3,)


def test_three_minor_units_over_are_posted_to_rounding() -> None:
    bank = replace(BANK, debit_minor=10_003)
    check = check_trial_balance([bank, RETAINED, SALES], "GBP")
    assert (check.difference_minor, check.rounding_minor, check.blocked) == (3, 3, False)
    journal = build_journal([bank, RETAINED, SALES], [], [], CUTOVER, "GBP")
    assert journal.entries[0].lines == (dr("1200", 10_003), cr("3200", 7_000),
                                        cr("4000", 3_000), cr(ROUNDING, 3))
    assert journal.rounding_minor == 3
    assert journal.accounts[-1] == LedgerAccount(ROUNDING, "Rounding", "Suspense",
                                                 AccountRole.ROUNDING, True)


def test_credits_over_by_the_tolerance_are_balanced_by_a_rounding_debit() -> None:
    sales = replace(SALES, credit_minor=3_000 + ROUNDING_TOLERANCE_MINOR)
    journal = build_journal([BANK, RETAINED, sales], [], [], CUTOVER, "GBP")
    assert journal.entries[0].lines[-1] == dr(ROUNDING, 5)
    assert reconciliation_of(journal).net == 0


def test_six_minor_units_over_is_an_error_showing_the_difference() -> None:
    bank = replace(BANK, debit_minor=10_006)
    check = check_trial_balance([bank, RETAINED, SALES], "GBP")
    assert check.blocked
    assert check.rounding_minor == 0
    assert check.errors == (
        "The trial balance does not balance: debits exceed credits by £0.06 (debits £100.06, "
        "credits £100.00). Up to £0.05 is posted to Rounding; correct the rows and import the "
        "trial balance again.",)
    with pytest.raises(TrialBalanceUnbalanced) as raised:
        build_journal([bank, RETAINED, SALES], [], [], CUTOVER, "GBP")
    assert raised.value.code == "TRIAL_BALANCE_UNBALANCED"
    assert raised.value.message == check.errors[0]


def test_a_large_difference_is_shown_in_major_units_with_the_currency() -> None:
    sales = replace(SALES, credit_minor=3_000 + 1_001_234)
    [message] = check_trial_balance([BANK, RETAINED, sales], "GBP").errors
    assert "credits exceed debits by £10,012.34" in message
    [message] = check_trial_balance([BANK, RETAINED, sales], "JPY").errors
    assert "credits exceed debits by 1,001,234 JPY" in message


def test_negative_cells_arrive_normalised_and_post_on_their_own_side() -> None:
    # a Debit cell of -30.00 reaches the ledger as a credit of 3000; a row of zeros
    # keeps its account but has no line (a line needs one positive side)
    negative_debit = tb(4, "4000", "Sales", credit=3_000)
    empty = tb(5, "5000", "Purchases")
    journal = build_journal([BANK, RETAINED, negative_debit, empty], [], [], CUTOVER, "GBP")
    assert journal.entries[0].lines == (dr("1200", 10_000), cr("3200", 7_000),
                                        cr("4000", 3_000))
    assert [a.code for a in journal.accounts] == ["1200", "3200", "4000", "5000"]


def test_no_retained_earnings_row_is_an_error_saying_which_rows_count() -> None:
    bank = replace(BANK, debit_minor=3_000)
    check = check_trial_balance([bank, SALES], "GBP")
    assert check.blocked
    [message] = check.errors
    assert message.startswith("The trial balance has no retained earnings row")
    assert "Profit and Loss Reserve" in message
    assert "Share Capital" in message
    assert "Category is Equity" in message
    with pytest.raises(RetainedEarningsMissing) as raised:
        build_journal([bank, SALES], [], [], CUTOVER, "GBP")
    assert raised.value.code == "RETAINED_EARNINGS_MISSING"


@pytest.mark.parametrize(("name", "category", "role"), [
    ("Retained Earnings", None, AccountRole.RETAINED_EARNINGS),
    ("Profit and Loss", None, AccountRole.RETAINED_EARNINGS),  # FreeAgent 968
    ("P&L Reserve", None, AccountRole.RETAINED_EARNINGS),
    ("Owners' Equity", None, AccountRole.RETAINED_EARNINGS),
    ("Called up share capital", None, AccountRole.RETAINED_EARNINGS),
    ("Capital Introduced", None, AccountRole.RETAINED_EARNINGS),
    ("Opening Balance Equity", None, AccountRole.BALANCING),  # QuickBooks' balancing one
    ("Historical Adjustment", None, AccountRole.BALANCING),  # Xero's
    ("Suspense", "Equity", AccountRole.BALANCING),  # FreeAgent's 999
    ("Director's funds", "Capital & Reserves", AccountRole.RETAINED_EARNINGS),
    ("Profit and loss on disposal", None, AccountRole.OTHER),
    ("Capital equipment", None, AccountRole.OTHER),
    ("Trade Debtors", None, AccountRole.TRADE_DEBTORS),
    ("Debtors Control Account", None, AccountRole.TRADE_DEBTORS),
    ("Accounts Receivable", None, AccountRole.TRADE_DEBTORS),
    ("Other debtors", None, AccountRole.OTHER),
    ("TRADE CREDITORS", None, AccountRole.TRADE_CREDITORS),
    ("Creditors control", None, AccountRole.TRADE_CREDITORS),
    ("Accounts Payable (A/P)", None, AccountRole.TRADE_CREDITORS),
])
def test_rows_are_recognised_by_name_or_category(name: str, category: str | None,
                                                 role: AccountRole) -> None:
    assert classify_row(tb(1, "100", name, category=category)) is role


def test_freeagent_codes_681_and_796_accept_looser_names() -> None:
    assert classify_row(tb(1, "681", "Debtors - UK")) is AccountRole.TRADE_DEBTORS
    assert classify_row(tb(1, "796", "Creditors - UK")) is AccountRole.TRADE_CREDITORS
    assert classify_row(tb(1, "682", "Debtors - UK")) is AccountRole.OTHER


def test_a_code_reserved_for_the_wizard_or_a_blank_one_is_refused() -> None:
    clash = tb(5, "mig-rounding", "Rounding")
    blank = tb(6, " ", "Sundry")
    check = check_trial_balance([BANK, RETAINED, SALES, clash, blank], "GBP")
    assert check.blocked
    assert check.errors[0].startswith("Trial balance rows 5, 6 have no account code, or one "
                                      "beginning MIG-")
    with pytest.raises(AccountCodeInvalid):
        build_journal([BANK, RETAINED, SALES, clash], [], [], CUTOVER, "GBP")


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        check_trial_balance([BANK, RETAINED, SALES], "XYZ")


# --- outstanding invoices and bills ----------------------------------------------------

DEBTORS = tb(2, "681", "Trade Debtors", debit=100_000)
CREDITORS = tb(3, "796", "Trade Creditors", credit=40_000)
EQUITY = tb(4, "968", "Profit and Loss", credit=60_000)


def test_documents_matching_the_trial_balance_clear_both_clearing_accounts() -> None:
    invoices = [doc("invoice", 3, "INV-2", 40_000, dated_on=date(2024, 3, 20)),
                doc("invoice", 2, "INV-1", 60_000, dated_on=date(2024, 2, 10))]
    bills = [doc("bill", 2, " B-1 ", 40_000, contact="Supplies plc")]
    journal = build_journal([DEBTORS, CREDITORS, EQUITY], invoices, bills, CUTOVER, "GBP")
    assert journal.entries == (
        JournalEntry(OPENING_BALANCES_KEY, "opening_balances", CUTOVER,
                     "Opening balances at 2024-03-31",
                     (dr(DEBTORS_CLEARING, 100_000), cr(CREDITORS_CLEARING, 40_000),
                      cr("968", 60_000))),
        JournalEntry("invoice:INV-1", "invoice", date(2024, 2, 10), "Invoice INV-1 to Acme Ltd",
                     (dr("681", 60_000), cr(DEBTORS_CLEARING, 60_000))),
        JournalEntry("invoice:INV-2", "invoice", date(2024, 3, 20), "Invoice INV-2 to Acme Ltd",
                     (dr("681", 40_000), cr(DEBTORS_CLEARING, 40_000))),
        JournalEntry("bill:supplies plc / B-1", "bill", date(2024, 3, 1),  # a bill's supplier
                     "Bill B-1 from Supplies plc",
                     (dr(CREDITORS_CLEARING, 40_000), cr("796", 40_000))),
    )
    assert [(a.code, a.role, a.system) for a in journal.accounts] == [
        ("681", AccountRole.TRADE_DEBTORS, False),
        ("796", AccountRole.TRADE_CREDITORS, False),
        ("968", AccountRole.RETAINED_EARNINGS, False),
        (DEBTORS_CLEARING, AccountRole.DEBTORS_CLEARING, True),
        (CREDITORS_CLEARING, AccountRole.CREDITORS_CLEARING, True)]
    assert reconciliation_of(journal) == Reconciliation(240_000, 240_000, 0, 0)
    gate = check_reconciliation(journal)
    assert gate.passed
    assert gate.code == "RECONCILIATION_VALID"
    assert gate.message == ("Debits equal credits (£2,400.00) and the debtors and creditors "
                            "clearing accounts net to zero.")


def test_a_mismatch_names_the_difference_of_each_clearing_account() -> None:
    invoices = [doc("invoice", 2, "INV-1", 85_000)]
    bills = [doc("bill", 2, "B-1", 45_000)]
    journal = build_journal([DEBTORS, CREDITORS, EQUITY], invoices, bills, CUTOVER, "GBP")
    assert reconciliation_of(journal).as_dict()["clearing"] == {
        "Debtors clearing": 15_000, "Creditors clearing": 5_000}
    gate = check_reconciliation(journal)
    assert not gate.passed
    assert gate.message == (
        "Debtors clearing is off by £150.00: the trial balance's trade debtors are £1,000.00 "
        "but the outstanding invoices total £850.00. Creditors clearing is off by £50.00: the "
        "trial balance's trade creditors are £400.00 but the outstanding bills total £450.00. "
        "Correct the trial balance or the invoices and bills so that they agree, and import "
        "them again.")


def test_invoices_without_a_debtors_row_use_the_wizards_trade_debtors() -> None:
    balances = [tb(2, "1200", "Bank", debit=100), tb(3, "3200", "Reserves", credit=100)]
    journal = build_journal(balances, [doc("invoice", 2, "INV-1", 500)], [], CUTOVER, "GBP")
    assert journal.entries[1].lines == (dr(TRADE_DEBTORS, 500), cr(DEBTORS_CLEARING, 500))
    assert check_reconciliation(journal).message.startswith(
        "Debtors clearing is off by £5.00: the trial balance's trade debtors are £0.00 but "
        "the outstanding invoices total £5.00.")


def test_a_zero_due_document_posts_nothing_and_is_listed_as_unposted() -> None:
    invoices = [doc("invoice", 2, "INV-1", 100_000), doc("invoice", 3, "INV-0", 0)]
    journal = build_journal([DEBTORS, replace(EQUITY, credit_minor=100_000)], invoices, [],
                            CUTOVER, "GBP")
    assert [e.key for e in journal.entries] == [OPENING_BALANCES_KEY, "invoice:INV-1"]
    assert journal.unposted == ("invoice:INV-0",)
    assert check_reconciliation(journal).passed


def test_a_negative_due_amount_reverses_the_posting() -> None:
    journal = build_journal([DEBTORS, CREDITORS, EQUITY], [doc("invoice", 2, "CN-1", -2_500)],
                            [doc("bill", 2, "BCN-1", -700)], CUTOVER, "GBP")
    assert journal.entries[1].lines == (dr(DEBTORS_CLEARING, 2_500), cr("681", 2_500))
    assert journal.entries[2].lines == (dr("796", 700), cr(CREDITORS_CLEARING, 700))


def test_documents_that_cannot_be_posted_are_named() -> None:
    documents = [doc("invoice", 2, "INV-1", 100), doc("invoice", 3, "INV-1", 100),
                 doc("invoice", 4, "INV-2", 100, currency="USD"),
                 doc("invoice", 5, "INV-3", 100, dated_on=date(2024, 4, 1))]
    with pytest.raises(DocumentNotPostable) as raised:
        build_journal([DEBTORS, CREDITORS, EQUITY], documents, [], CUTOVER, "GBP")
    assert raised.value.code == "DOCUMENT_NOT_POSTABLE"
    assert raised.value.message == (
        "Invoice INV-1 appears more than once. Invoice INV-2 is in USD, but the books are in "
        "GBP: its opening value in the books' currency is not known. Invoice INV-3 is dated "
        "2024-04-01, after the cutover date 2024-03-31.")


def test_the_journal_does_not_depend_on_the_order_of_the_input() -> None:
    balances = [DEBTORS, CREDITORS, EQUITY, BANK, RETAINED, SALES]
    invoices = [doc("invoice", i, f"INV-{i}", 1_000 * i, dated_on=date(2024, 1, 1 + i % 3))
                for i in range(2, 12)]
    bills = [doc("bill", i, f"B-{i}", 700 * i) for i in range(2, 7)]
    first = build_journal(balances, invoices, bills, CUTOVER, "GBP")
    shuffler = random.Random(7)
    for _ in range(5):
        shuffler.shuffle(balances)
        shuffler.shuffle(invoices)
        shuffler.shuffle(bills)
        assert build_journal(balances, invoices, bills, CUTOVER, "GBP") == first


amounts = st.integers(min_value=-10**9, max_value=10**9)


@settings(max_examples=200, database=None, derandomize=True)
@given(others=st.lists(amounts, max_size=8), debtors=amounts, creditors=amounts,
       offset=st.integers(-ROUNDING_TOLERANCE_MINOR, ROUNDING_TOLERANCE_MINOR),
       invoices=st.lists(amounts, max_size=6), bills=st.lists(amounts, max_size=6))
def test_every_journal_entry_nets_to_zero_with_one_positive_side_per_line(
        others: list[int], debtors: int, creditors: int, offset: int, invoices: list[int],
        bills: list[int]) -> None:
    def row(number: int, code: str, name: str, net: int) -> BalanceRecord:
        return tb(number, code, name, debit=max(net, 0), credit=max(-net, 0))

    balances = [row(2 + i, str(5000 + i), f"Expense {i}", net) for i, net in enumerate(others)]
    balances += [row(20, "681", "Trade Debtors", debtors),
                 row(21, "796", "Trade Creditors", creditors),
                 row(22, "3200", "Retained earnings",
                     -(sum(others) + debtors + creditors) + offset)]
    journal = build_journal(
        balances, [doc("invoice", 2 + i, f"I{i}", due) for i, due in enumerate(invoices)],
        [doc("bill", 2 + i, f"B{i}", due) for i, due in enumerate(bills)], CUTOVER, "GBP")
    codes = {account.code for account in journal.accounts}
    for entry in journal.entries:
        assert entry.lines
        assert sum(line.debit_minor - line.credit_minor for line in entry.lines) == 0
        for line in entry.lines:
            assert (line.debit_minor > 0) != (line.credit_minor > 0)
            assert min(line.debit_minor, line.credit_minor) == 0
            assert line.account_code in codes
    proof = reconciliation_of(journal)
    assert proof.net == 0
    assert journal.rounding_minor == abs(offset)
    assert proof.debtors_clearing == debtors - sum(invoices)
    assert proof.creditors_clearing == creditors + sum(bills)  # creditors' net is a credit
    assert check_reconciliation(journal).passed == (
        debtors == sum(invoices) and -creditors == sum(bills))
    assert len({entry.key for entry in journal.entries}) == len(journal.entries)


# --- reconciliation and gates ----------------------------------------------------------

def test_reconcile_takes_any_lines_such_as_those_read_back_from_the_target() -> None:
    lines = [dr(DEBTORS_CLEARING, 500), cr("681", 500), dr("1200", 7), cr(CREDITORS_CLEARING, 3)]
    assert reconcile(lines) == Reconciliation(507, 503, 500, -3)
    assert reconcile(lines).net == 4


def test_an_unbalanced_set_of_lines_fails_the_gate() -> None:
    journal = Journal("GBP", CUTOVER, (), (JournalEntry("x", "opening_balances", CUTOVER, "",
                                                        (dr("1200", 100),)),), 0, ())
    assert check_reconciliation(journal).message.startswith(
        "The journal does not balance: debits exceed credits by £1.00.")


def test_the_reconciliation_gate_reports_what_stops_the_journal() -> None:
    assert reconciliation_gate([], [], [], CUTOVER, "GBP").passed
    gate = reconciliation_gate([replace(BANK, debit_minor=3_000), SALES], [], [], CUTOVER,
                               "GBP")
    assert not gate.passed
    assert gate.message.startswith("The trial balance has no retained")
    gate = reconciliation_gate([DEBTORS, replace(EQUITY, credit_minor=100_000)],
                               [doc("invoice", 2, "INV-1", 100_000)], [], CUTOVER, "GBP")
    assert gate.as_dict()["passed"] is True


def test_contacts_resolve_case_insensitively_and_trimmed() -> None:
    invoices = [doc("invoice", 2, "INV-1", 1, contact="  ACME   ltd ")]
    bills = [doc("bill", 2, "B-1", 1, contact="supplies plc")]
    gate = contacts_resolved(["Acme Ltd", "Supplies PLC"], invoices, bills)
    assert gate.passed
    assert gate.code == "CONTACTS_RESOLVED"
    assert gate.message == "Every invoice and bill (2) names a contact of the contacts import."
    assert contacts_resolved([], [], []).passed
    assert contact_key("  Acme\u00a0 Ltd ") == "acme ltd"


def test_unknown_contacts_are_listed_with_how_many() -> None:
    invoices = [doc("invoice", 2 + i, f"INV-{i}", 1, contact=f"Customer {i % 7}")
                for i in range(10)]
    bills = [doc("bill", 2, "B-1", 1, contact="Known"), doc("bill", 3, "B-2", 1, contact="")]
    gate = contacts_resolved(["known", "customer 6"], invoices, bills)
    assert not gate.passed
    assert gate.message == (
        '7 contact names on 10 invoices or bills are not in the contacts import: "Customer 0", '
        '"Customer 1", "Customer 2", "Customer 3", "Customer 4" and 2 more. Add them to the '
        "contacts file or correct the names on the invoices and bills, and import again.")
    one = contacts_resolved([], [doc("invoice", 2, "INV-1", 1)], [])
    assert one.message.startswith('1 contact name on 1 invoice or bill is not in the contacts')


@pytest.mark.parametrize(("minor", "currency", "text"), [
    (123_456, "GBP", "£1,234.56"), (-5, "EUR", "-€0.05"), (100, "USD", "$1.00"),
    (1_234, "JPY", "1,234 JPY"), (1_234_567, "KWD", "1,234.567 KWD"), (0, "GBP", "£0.00"),
])
def test_money_is_shown_in_major_units(minor: int, currency: str, text: str) -> None:
    assert format_money(minor, currency) == text


def test_a_line_with_two_sides_or_none_is_refused() -> None:
    for debit, credit in [(0, 0), (1, 1), (-1, 0), (2, -1)]:
        with pytest.raises(ValueError, match="exactly one positive side"):
            JournalLine("1200", debit, credit)
