"""From rows to records and row errors (RowParser), and the demo workbook end to end."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from scripts.demo_workbook import BROKEN_ERRORS, write_demo_workbook
from worker.kinds.wizard_import.columns import match_sheets
from worker.kinds.wizard_import.csv_rows import iter_csv_rows
from worker.kinds.wizard_import.file_checks import check_workbook
from worker.kinds.wizard_import.rows import RowParser
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_rows
from worker.wizard.records import (
    BalanceRecord,
    ContactRecord,
    DocumentRecord,
    ImportType,
    RowError,
    WizardRecord,
)

CUTOVER = date(2026, 9, 30)


def parse(kind: ImportType, rows: Iterable[Sequence[object]], sheet: str = "Sheet",
          currency: str = "GBP", first_row: int = 1,
          ) -> tuple[list[WizardRecord], list[RowError], RowParser]:
    parser = RowParser(kind, sheet, currency=currency, cutover=CUTOVER)
    records: list[WizardRecord] = []
    errors: list[RowError] = []
    for number, cells in enumerate(rows, first_row):
        record, row_errors = parser.parse(number, list(cells))
        if record is not None:
            records.append(record)
        errors.extend(row_errors)
    return records, errors, parser


# --- headers -------------------------------------------------------------------------------

def test_title_rows_above_the_header_are_skipped() -> None:
    records, errors, parser = parse(ImportType.BALANCES, [
        ["Trial Balance as at 30 September 2026"],
        [],
        ["Nominal Code", "Account Name", "Debit", "Credit"],
        ["681", "Trade Debtors", "100.00", None],
    ])
    assert parser.header_found
    assert parser.header is not None
    assert parser.header.row == 3
    assert errors == []
    assert records == [BalanceRecord(row=4, code="681", name="Trade Debtors",
                                     debit_minor=10000, credit_minor=0)]
    assert parser.data_rows == 1


def test_headers_match_ignoring_case_and_spaces_and_extra_columns() -> None:
    records, errors, _ = parse(ImportType.BALANCES, [
        ["  ACCOUNT code ", "notes", "account", "DEBIT", " credit", "Category"],
        [681, "x", "Trade Debtors", 12.5, None, "Current Assets"],
    ])
    assert errors == []
    assert records == [BalanceRecord(row=2, code="681", name="Trade Debtors",
                                     debit_minor=1250, credit_minor=0,
                                     category="Current Assets")]


def test_no_header_names_the_required_columns_not_found() -> None:
    _, errors, parser = parse(ImportType.BALANCES, [
        ["Trial balance"], ["Code", "Name", "Dr", "Cr"], ["681", "Debtors", 1, 0]])
    assert errors == []
    assert not parser.header_found
    assert parser.data_rows == 0
    assert parser.missing_header() == (
        "'Sheet' has no header row: the columns Debit, Credit were not found. Put the "
        "column names in one row above the data (names match ignoring case) and upload the "
        "file again.")


def test_no_header_at_all_names_every_required_column() -> None:
    _, _, parser = parse(ImportType.INVOICES, [["nothing here"]], sheet="Invoices")
    assert parser.missing_header() == (
        "'Invoices' has no header row: the columns Reference (or Invoice Number, Number), "
        "Contact (or Customer), Dated On (or Date, Invoice Date), Total (or Total Value, "
        "Gross) were not found. Put the column names in one row above the data (names "
        "match ignoring case) and upload the file again.")
    _, _, contacts = parse(ImportType.CONTACTS, [["Email"]])
    assert "Organisation (or Organisation Name, Company), or First Name and Last Name" in (
        contacts.missing_header() or "")


def test_a_found_header_has_no_missing_header_message() -> None:
    _, _, parser = parse(ImportType.CONTACTS, [["First Name", "Last Name"]])
    assert parser.missing_header() is None


def test_blank_rows_after_the_header_are_no_data() -> None:
    _, errors, parser = parse(ImportType.CONTACTS, [["Company"], [None, ""], ["  "],
                                                    ["Acme"]])
    assert errors == []
    assert parser.data_rows == 1


# --- contacts ------------------------------------------------------------------------------

def test_contacts() -> None:
    records, errors, _ = parse(ImportType.CONTACTS, [
        ["Organisation", "First Name", "Last Name", "Email", "Default Payment Terms",
         "Postcode", "Company Number"],
        ["Café Zürich GmbH", None, None, "a@b.example", 30, "8001", 1234567],
        [None, "Łukasz", "Nowak", None, "14", None, None],
        ["東京デザイン株式会社", "Taro", "Yamada", None, None, None, None],
    ])
    assert errors == []
    assert records == [
        ContactRecord(row=2, name="Café Zürich GmbH", email="a@b.example",
                      payment_terms_days=30, postcode="8001", company_number="1234567"),
        ContactRecord(row=3, name="Łukasz Nowak", payment_terms_days=14),
        ContactRecord(row=4, name="東京デザイン株式会社"),
    ]


def test_a_contact_needs_an_organisation_or_both_names() -> None:
    records, errors, _ = parse(ImportType.CONTACTS, [
        ["Company", "First Name", "Last Name", "Default Payment Terms"],
        [None, "Ada", None, "thirty"],
        [None, None, None, -3],
    ])
    assert records == []
    message = "A contact needs an Organisation, or a First Name and a Last Name."
    assert errors == [
        RowError("Sheet", 2, "Company", message),
        RowError("Sheet", 2, "Default Payment Terms", "'thirty' is not a whole number."),
        RowError("Sheet", 3, "Company", message),
        RowError("Sheet", 3, "Default Payment Terms", "-3 is not a number of days."),
    ]


def test_without_an_organisation_column_the_missing_name_is_named() -> None:
    _, errors, _ = parse(ImportType.CONTACTS, [["First Name", "Last Name"], ["Ada", None]])
    assert [(e.column, e.row) for e in errors] == [("Last Name", 2)]


# --- trial balance -------------------------------------------------------------------------

TB_HEADER = ["Code", "Name", "Debit", "Credit"]


def test_each_line_has_one_positive_side() -> None:
    records, errors, _ = parse(ImportType.BALANCES, [
        TB_HEADER,
        ["681", "Trade Debtors", "£1,200.00", None],
        ["818", "VAT", "-3,210.00", None],  # a negative debit is a credit
        ["819", "VAT Reclaimed", None, "(640.20)"],  # a negative credit is a debit
        ["750", "Bank", 100, 40],  # both sides: the net
        ["907", "Loan", 0, None],
        ["999", "Suspense", None, "0.00"],
    ])
    assert errors == []
    assert [(r.code, r.debit_minor, r.credit_minor) for r in records
            if isinstance(r, BalanceRecord)] == [
        ("681", 120000, 0), ("818", 0, 321000), ("819", 64020, 0), ("750", 6000, 0),
        ("907", 0, 0), ("999", 0, 0)]


def test_every_bad_cell_of_a_balance_row_is_reported() -> None:
    records, errors, _ = parse(ImportType.BALANCES, [
        ["Nominal Code", "Account Name", "Debit", "Credit"],
        [None, "  ", "abc", "12.345"],
        ["681", "Trade Debtors", None, " "],
        ["682", "Other Debtors", "1,23", 5],
    ], sheet="TB")
    assert records == []
    assert errors == [
        RowError("TB", 2, "Nominal Code", "Nominal Code is empty."),
        RowError("TB", 2, "Account Name", "Account Name is empty."),
        RowError("TB", 2, "Debit", "'abc' is not an amount."),
        RowError("TB", 2, "Credit", "'12.345' has more decimals than GBP allows (2)."),
        RowError("TB", 3, "Debit", "A trial-balance row needs a Debit or a Credit amount."),
        RowError("TB", 4, "Debit", "'1,23' uses a decimal comma (1,23 for 1.23); amounts must "
                                    "use a decimal point: export the file with a UK or US "
                                    "number format, or change the separator in the "
                                    "spreadsheet, and upload it again."),
    ]


def test_balances_in_the_imports_currency() -> None:
    records, errors, _ = parse(ImportType.BALANCES, [TB_HEADER, ["1", "Sales", None, 1500]],
                               currency="JPY")
    assert errors == []
    assert records == [BalanceRecord(row=2, code="1", name="Sales", debit_minor=0,
                                     credit_minor=1500)]


# --- invoices and bills --------------------------------------------------------------------

INVOICE_HEADER = ["Invoice Number", "Customer", "Date", "Due Date", "Currency", "Net Value",
                  "Sales Tax Value", "Total Value", "Amount Paid", "Outstanding"]


def test_invoices_in_every_date_and_money_form() -> None:
    records, errors, _ = parse(ImportType.INVOICES, [
        INVOICE_HEADER,
        [1001, "Acme", datetime(2026, 7, 31), datetime(2026, 8, 30), "GBP", 1000.0, 200.0,
         1200.0, 0.0, 1200.0],
        ["INV-2", "Café Zürich", "2026-08-15", None, "gbp", "£2,500.00", "£500.00",
         "£3,000.00", "£1,000.00", None],
        ["INV-3", "Łukasz Nowak", "15/09/2026", 46310, None, None, None, "540.60", None,
         None],
        ["INV-4", "Acme", 46295, None, None, None, None, Decimal("99.99"), None, "0"],
    ])
    assert errors == []
    assert records == [
        DocumentRecord(row=2, document_type="invoice", reference="1001", contact="Acme",
                       dated_on=date(2026, 7, 31), currency="GBP", total_minor=120000,
                       due_minor=120000, due_on=date(2026, 8, 30), net_minor=100000,
                       vat_minor=20000, paid_minor=0),
        DocumentRecord(row=3, document_type="invoice", reference="INV-2", contact="Café Zürich",
                       dated_on=date(2026, 8, 15), currency="GBP", total_minor=300000,
                       due_minor=200000, net_minor=250000, vat_minor=50000,
                       paid_minor=100000),  # due = total - paid
        DocumentRecord(row=4, document_type="invoice", reference="INV-3", contact="Łukasz Nowak",
                       dated_on=date(2026, 9, 15), currency="GBP", total_minor=54060,
                       due_minor=54060, due_on=date(2026, 10, 15)),
        DocumentRecord(row=5, document_type="invoice", reference="INV-4", contact="Acme",
                       dated_on=date(2026, 9, 30), currency="GBP", total_minor=9999,
                       due_minor=0),
    ]


PLAIN_ROWS = [  # as an export holds them: the fast path reads these
    ["INV-1", " Acme ", date(2026, 9, 1), date(2026, 10, 1), "GBP", 83.33, 16.67, 100.0, 0.0,
     100.0],
    ["INV-2", "Café Zürich", date(2026, 9, 30), None, None, None, None, 19.99, 4.99, None],
    ["INV-3", "Acme", date(2026, 8, 1), None, "GBP", None, None, -0.05, None, None],
]
OTHER_ROWS = [  # each differs from a plain row in one cell: read the long way
    ["INV-4", "Acme", datetime(2026, 9, 1), None, None, None, None, 1.0, None, None],
    ["INV-5", "Acme", date(2026, 9, 1), None, "gbp", None, None, 1.0, None, None],
    ["INV-6", "Acme", date(2026, 9, 1), None, None, None, None, "1.00", None, None],
    ["INV-7", "Acme", date(2026, 9, 1), None, None, None, None, 1.005, None, None],
    ["INV-8", "Acme", date(2026, 10, 1), None, None, None, None, 1.0, None, None],
    [1009, "Acme", date(2026, 9, 1), None, None, None, None, 1.0, None, None],
    ["INV-10", " ", date(2026, 9, 1), None, None, None, None, 1.0, None, None],
    ["INV-11", "Acme", date(2026, 9, 1), None, None, None, None, None, None, None],
    ["INV-12", "Acme", date(2026, 9, 1), None, None, 1, None, 1.0, None, None],
    ["INV-13", "Acme", date(2026, 9, 1), "2026-10-01", None, None, None, 1.0, None, None],
    ["INV-14", "Acme", date(2026, 9, 1), None, None, None, None, 1e16, None, None],
    ["INV-15", "Acme", date(2026, 9, 1)],  # shorter than the header: picked the long way
]


def test_a_plain_row_reads_as_any_row_does() -> None:
    """The fast path for an export's usual rows gives the record the full path gives, and
    leaves every other row to it."""
    parser = RowParser(ImportType.INVOICES, "Sheet", cutover=CUTOVER)
    parser.parse(1, INVOICE_HEADER)
    for number, cells in enumerate(PLAIN_ROWS + OTHER_ROWS, 2):
        picked = parser._pick(cells, parser._DOCUMENT_KEYS)
        plain = parser._plain_document(number, picked)
        if cells in PLAIN_ROWS:
            assert plain is not None, cells
            assert plain == parser._any_document(number, picked)
        else:
            assert plain is None, cells
        assert parser.parse(number, cells) == (plain or parser._any_document(number, picked))


def test_every_bad_cell_of_an_invoice_row_is_reported() -> None:
    records, errors, _ = parse(ImportType.INVOICES, [
        INVOICE_HEADER,
        [None, " ", "2026-10-01", "soon", "USD", "x", None, "10.005", "(1.00", None],
        ["INV-9", "Acme", None, None, "ABC", None, None, None, None, None],
    ], sheet="Outstanding Invoices")
    assert records == []
    s = "Outstanding Invoices"
    assert errors == [
        RowError(s, 2, "Invoice Number", "Invoice Number is empty."),
        RowError(s, 2, "Customer", "Customer is empty."),
        RowError(s, 2, "Date", "2026-10-01 is after the cutover date 2026-09-30: only "
                               "documents dated on or before it can be outstanding."),
        RowError(s, 2, "Due Date", "'soon' is not a date: write it as YYYY-MM-DD, "
                                   "DD/MM/YYYY or MM/DD/YYYY (with the file's date order), "
                                   "25 Jul 2026, or as an Excel date."),
        RowError(s, 2, "Currency", "USD differs from the import's currency GBP: a document "
                                   "in another currency cannot be reconciled against the "
                                   "trial balance."),
        RowError(s, 2, "Total Value", "'10.005' has more decimals than USD allows (2)."),
        RowError(s, 2, "Net Value", "'x' is not an amount."),
        RowError(s, 2, "Amount Paid", "'(1.00' is not an amount."),
        RowError(s, 3, "Date", "Date is empty."),
        RowError(s, 3, "Currency", "'ABC' is not an ISO 4217 currency code."),
        RowError(s, 3, "Total Value", "Total Value is empty."),
    ]


def test_bills_with_their_aliases() -> None:
    records, errors, _ = parse(ImportType.BILLS, [
        ["Outstanding bills"],
        ["Bill Reference", "Supplier", "Dated On", "Gross", "Paid", "Due"],
        ["PS-1", "Paperclip Supplies", "30/09/2026", 360, 60, None],
    ], sheet="Outstanding Bills")
    assert errors == []
    assert records == [DocumentRecord(row=3, document_type="bill", reference="PS-1",
                                      contact="Paperclip Supplies",
                                      dated_on=date(2026, 9, 30), currency="GBP",
                                      total_minor=36000, due_minor=30000, paid_minor=6000)]


def test_without_a_cutover_no_date_is_too_late() -> None:
    parser = RowParser(ImportType.BILLS, "Bills")
    parser.parse(1, ["Reference", "Contact", "Dated On", "Total"])
    record, errors = parser.parse(2, ["B-1", "X", "2030-01-01", "1.00"])
    assert errors == []
    assert isinstance(record, DocumentRecord)
    assert record.dated_on == date(2030, 1, 1)


# --- the demo workbook and CSV end to end --------------------------------------------------

def read_workbook(path: Path) -> tuple[dict[ImportType, list[WizardRecord]], list[RowError]]:
    data = path.read_bytes()
    records: dict[ImportType, list[WizardRecord]] = {}
    errors: list[RowError] = []
    for kind, sheet in match_sheets(check_workbook(data, path.name)).items():
        parser = RowParser(kind, sheet, cutover=CUTOVER)
        records[kind] = []
        for number, cells in iter_sheet_rows(data, sheet):
            record, row_errors = parser.parse(number, cells)
            errors.extend(row_errors)
            if record is not None:
                records[kind].append(record)
        assert parser.header_found
    return records, errors


def test_the_demo_workbook_reconciles(tmp_path: Path) -> None:
    summary = write_demo_workbook(tmp_path / "demo.xlsx")
    records, errors = read_workbook(tmp_path / "demo.xlsx")
    assert errors == []
    assert {kind: len(found) for kind, found in records.items()} == {
        ImportType.CONTACTS: summary.contacts, ImportType.BALANCES: summary.balances,
        ImportType.INVOICES: summary.invoices, ImportType.BILLS: summary.bills}
    assert (summary.contacts, summary.balances, summary.invoices, summary.bills) == (
        10, 12, 6, 3)
    balances = [r for r in records[ImportType.BALANCES] if isinstance(r, BalanceRecord)]
    debits = sum(r.debit_minor for r in balances)
    assert debits == sum(r.credit_minor for r in balances) == 7138271
    by_code = {r.code: r for r in balances}
    invoices = [r for r in records[ImportType.INVOICES] if isinstance(r, DocumentRecord)]
    bills = [r for r in records[ImportType.BILLS] if isinstance(r, DocumentRecord)]
    assert sum(r.due_minor for r in invoices) == by_code["681"].debit_minor == 582206
    assert sum(r.due_minor for r in bills) == by_code["796"].credit_minor == 231234
    assert summary.debtors == Decimal("5822.06")
    assert summary.creditors == Decimal("2312.34")
    assert all(r.dated_on <= CUTOVER for r in [*invoices, *bills])
    contacts = {r.name for r in records[ImportType.CONTACTS] if isinstance(r, ContactRecord)}
    assert {r.contact for r in [*invoices, *bills]} <= contacts
    assert "Siobhán Ó Súilleabháin" in contacts


def test_the_broken_demo_workbook_reports_exactly_its_errors(tmp_path: Path) -> None:
    summary = write_demo_workbook(tmp_path / "broken.xlsx", broken=True)
    records, errors = read_workbook(tmp_path / "broken.xlsx")
    assert [(e.sheet, e.row, e.column, e.message) for e in errors] == BROKEN_ERRORS
    assert summary.errors == 7  # rows
    assert len(records[ImportType.INVOICES]) == 6


def test_extra_invoices_keep_the_workbook_reconciled(tmp_path: Path) -> None:
    summary = write_demo_workbook(tmp_path / "more.xlsx", extra_invoices=50)
    records, errors = read_workbook(tmp_path / "more.xlsx")
    assert errors == []
    invoices = [r for r in records[ImportType.INVOICES] if isinstance(r, DocumentRecord)]
    assert len(invoices) == summary.invoices == 56
    debtors = next(r for r in records[ImportType.BALANCES]
                   if isinstance(r, BalanceRecord) and r.code == "681")
    assert sum(r.due_minor for r in invoices) == debtors.debit_minor
    assert Decimal(debtors.debit_minor) / 100 == summary.debtors


def test_a_csv_import_reads_like_a_sheet() -> None:
    data = ("\ufeffReference,Contact,Dated On,Total,Paid\r\n"
            'INV-1,"Smith, Jones & Co",30/09/2026,"1,234.50",234.50\r\n'
            "\r\n"
            "INV-2,Acme,2026-10-02,10.00,\r\n").encode()
    parser = RowParser(ImportType.INVOICES, "invoices.csv", cutover=CUTOVER)
    results = [parser.parse(number, cells) for number, cells in iter_csv_rows(data)]
    assert results[0] == (None, [])
    assert results[1] == (DocumentRecord(row=2, document_type="invoice", reference="INV-1",
                                         contact="Smith, Jones & Co",
                                         dated_on=date(2026, 9, 30), currency="GBP",
                                         total_minor=123450, due_minor=100000,
                                         paid_minor=23450), [])
    assert results[2] == (None, [RowError(
        "invoices.csv", 4, "Dated On", "2026-10-02 is after the cutover date 2026-09-30: "
        "only documents dated on or before it can be outstanding.")])
    assert parser.data_rows == 2


@pytest.mark.parametrize("kind", list(ImportType))
def test_every_import_type_has_a_parser(kind: ImportType) -> None:
    parser = RowParser(kind, "Sheet")
    assert not parser.header_found
    assert parser.missing_header()
