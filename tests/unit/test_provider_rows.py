"""What the layouts refuse row by row, and how they read dates (no database): a line-item
document whose lines disagree with its total, a decimal comma, day/month order decided
from the whole file (mixed orders are row errors; all-ambiguous dates block the import
unless an order is stated; FreeAgent's default is DMY), CSVs in UTF-16, Windows-1252, with
semicolons or tabs, and FreeAgent's own invoices sheet with its line-item rows."""

from __future__ import annotations

import codecs
from datetime import date
from typing import Any

import orjson
import pytest

from tests.support.workbooks import workbook
from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, ReadOutcome, check_rows
from worker.kinds.wizard_import.csv_rows import iter_csv_rows
from worker.kinds.wizard_import.layouts import native_layouts
from worker.kinds.wizard_import.recognition import recognise
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_checked
from worker.wizard.records import ImportType, RowError

CUTOVER = date(2026, 9, 30)
XERO = ("ContactName,InvoiceNumber,InvoiceDate,DueDate,Total,TaxTotal,InvoiceAmountPaid,"
        "InvoiceAmountDue,LineAmount,TaxAmount,Currency,Type,Status")


def read_csv(data: bytes, import_type: ImportType, layout: str = "generic.csv",
             date_order: str | None = None, windows_1252: bool = False,
             currency: str = "GBP") -> tuple[list[CheckedRow], ReadOutcome]:
    spec = ParseSpec(import_type, "file.csv", currency, CUTOVER, layout, date_order)
    outcome = ReadOutcome()
    rows = [row for batch in check_rows(
        iter_csv_rows(data, windows_1252=windows_1252), spec, outcome=outcome,
        rows_again=lambda: iter_csv_rows(data, windows_1252=windows_1252)) for row in batch]
    return rows, outcome


def records(rows: list[CheckedRow]) -> list[dict[str, Any]]:
    return [orjson.loads(r.record) for r in rows if r.record is not None]


def errors(rows: list[CheckedRow]) -> list[RowError]:
    return [e for r in rows for e in r.errors]


def test_a_document_whose_lines_disagree_with_its_total_is_one_row_error() -> None:
    data = "\r\n".join([
        XERO,
        "Acme,INV-1,15/09/2026,,120.00,20.00,0,120.00,60.00,10.00,GBP,ACCREC,AUTHORISED",
        "Acme,INV-1,15/09/2026,,120.00,20.00,0,120.00,40.00,10.00,GBP,ACCREC,AUTHORISED",
        "Beta,INV-2,15/09/2026,,12.00,2.00,0,12.00,10.00,2.00,GBP,ACCREC,AUTHORISED",
    ]).encode()
    rows, _ = read_csv(data, ImportType.INVOICES, "xero.invoices")
    assert errors(rows) == []  # 60 + 10 + 40 + 10 = 120: the lines agree
    assert [d["total_minor"] for d in records(rows)] == [12000, 1200]
    # a line cut from the file
    cut = b"\r\n".join(data.split(b"\r\n")[:2] + data.split(b"\r\n")[3:])
    rows, _ = read_csv(cut, ImportType.INVOICES, "xero.invoices")
    assert errors(rows) == [RowError(
        "file.csv", 2, "Total", "INV-1's Total £120.00 differs from the sum of its 1 line "
        "(LineAmount + TaxAmount) £70.00: the file was edited or cut; export it again "
        "unedited.")]
    assert [r.number for r in rows] == [2, 3]  # the bad document counted once, as an error
    assert [d["reference"] for d in records(rows)] == ["INV-2"]


def test_a_decimal_comma_is_a_row_error_saying_what_to_do() -> None:
    data = b'Code,Name,Debit,Credit\r\n681,Debtors,"1.234,56",\r\n'
    rows, _ = read_csv(data, ImportType.BALANCES)
    assert [(e.row, e.column) for e in errors(rows)] == [(2, "Debit")]
    assert "uses a decimal comma" in errors(rows)[0].message


INVOICES = "Reference,Contact,Dated On,Total\r\n"


def test_dates_that_read_either_way_block_the_import_unless_an_order_is_given() -> None:
    data = (INVOICES + "A1,Acme,03/04/2026,10.00\r\nA2,Acme,05/06/2026,10.00\r\n").encode()
    rows, outcome = read_csv(data, ImportType.INVOICES)
    assert records(rows) == []  # never guessed: each such date is a row error
    assert [(e.row, e.column) for e in errors(rows)] == [(2, "Dated On"), (3, "Dated On")]
    assert outcome.blockers == [
        "DATE_ORDER_AMBIGUOUS: every text date in file.csv reads either way (for example "
        "'03/04/2026' on row 2 could be day/month or month/day), so its dates were not read. "
        "Upload the file again with dateOrder DMY (day first) or MDY (month first): a field "
        "of the upload, or of the migration when it is created."]
    rows, outcome = read_csv(data, ImportType.INVOICES, date_order="MDY")
    assert [d["dated_on"] for d in records(rows)] == ["2026-03-04", "2026-05-06"]
    assert outcome.blockers == []
    assert outcome.summary["dates"]["decidedBy"] == "stated"
    rows, _ = read_csv(data, ImportType.INVOICES, date_order="DMY")
    assert [d["dated_on"] for d in records(rows)] == ["2026-04-03", "2026-06-05"]


def test_one_date_that_reads_one_way_decides_the_whole_file() -> None:
    # a US file: its 09/13 says month-first, so 03/04 is 4 March, whatever was stated
    data = (INVOICES + "A1,Acme,03/04/2026,10.00\r\nA2,Acme,09/13/2026,10.00\r\n").encode()
    rows, outcome = read_csv(data, ImportType.INVOICES, date_order="DMY")
    assert [d["dated_on"] for d in records(rows)] == ["2026-03-04", "2026-09-13"]
    assert outcome.summary["dates"]["decidedBy"] == "column"


def test_mixed_orders_are_row_errors_on_the_rows_that_disagree() -> None:
    data = (INVOICES + "A1,Acme,25/03/2026,10.00\r\nA2,Acme,26/03/2026,10.00\r\n"
            "A3,Acme,03/27/2026,10.00\r\n").encode()
    rows, outcome = read_csv(data, ImportType.INVOICES)
    assert [d["reference"] for d in records(rows)] == ["A1", "A2"]
    assert [(e.row, e.column) for e in errors(rows)] == [(4, "Dated On")]
    assert "month-first" in errors(rows)[0].message or "day-first" in errors(rows)[0].message
    assert outcome.blockers == []


def test_freeagent_reads_text_dates_day_first_by_default() -> None:
    data = workbook([["Reference", "Contact", "Dated On", "Total"],
                     ["A1", "Acme", "03/04/2026", 10.0]])
    spec = ParseSpec(ImportType.INVOICES, "Sheet", "GBP", CUTOVER, "freeagent.workbook")
    outcome = ReadOutcome()
    rows = [r for batch in iter_sheet_checked(data, spec, outcome) for r in batch]
    assert [d["dated_on"] for d in records(rows)] == ["2026-04-03"]
    assert outcome.summary["dates"]["decidedBy"] == "default"


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("utf-16", "\t"), ("cp1252", ","), ("utf-8-sig", ";"), ("utf-8", "\t")])
def test_provider_csvs_in_other_encodings_and_separators(encoding: str, delimiter: str
                                                         ) -> None:
    lines = ["Customer Contact List", "Bayside Cycles LLC", "",
             delimiter.join(["Customer full name", "Phone numbers", "Email", "Full name",
                             "Bill address", "Ship address"]),
             delimiter.join(["Café Crème", "", "c@example.com", "", "", ""]),
             delimiter.join(["Zoë Ltd", "", "", "", "", ""])]
    text = "\r\n".join(lines) + "\r\n"
    data = (codecs.BOM_UTF16_LE + text.encode("utf-16-le") if encoding == "utf-16"
            else text.encode(encoding))
    found = recognise("customers.csv", data, native_layouts("quickbooks"))
    assert found.layout.name == "quickbooks.customers"
    rows, _ = read_csv(data, ImportType.CONTACTS, "quickbooks.customers",
                       windows_1252=True)
    assert [c["name"] for c in records(rows)] == ["Café Crème", "Zoë Ltd"]


def test_freeagents_own_invoices_sheet_with_line_item_rows() -> None:
    header = ["Contact Organisation", "Contact Name", "Reference", "Date",
              "Payment Terms In Days", "Status", "Paid Date", "Paid Amount", "Net Amount",
              "Sales Tax Amount", "Total Value", "Currency", "Item Type", "Description",
              "Quantity", "Price"]
    data = workbook([
        list[object](header),
        ["Acme Ltd", "Ann", "INV-1", date(2026, 9, 1), 30, "Open", None, 20.0, 100.0, 20.0,
         120.0, "GBP", None, None, None, None],
        [None, None, None, None, None, None, None, None, 60.0, 12.0, None, None, "Services",
         "Consulting", 1.0, 60.0],
        [None, None, None, None, None, None, None, None, 40.0, 8.0, None, None, "Products",
         "Widgets", 4.0, 10.0],
        [None, "Bob Smith", "INV-2", date(2026, 9, 2), 30, "Draft", None, None, 10.0, 2.0,
         12.0, "GBP", None, None, None, None],
        [None, None, None, None, None, None, None, None, 10.0, 2.0, None, None, "Services",
         "Call", 1.0, 10.0],
        ["Acme Ltd", None, "INV-3", date(2026, 9, 3), 30, "Open", None, None, 10.0, 2.0,
         12.0, "GBP", None, None, None, None],
        [None, None, None, None, None, None, None, None, 10.0, 1.0, None, None, "Services",
         "Call", 1.0, 10.0],
    ])
    spec = ParseSpec(ImportType.INVOICES, "Sheet", "GBP", CUTOVER, "freeagent.workbook")
    outcome = ReadOutcome()
    rows = [r for batch in iter_sheet_checked(data, spec, outcome) for r in batch]
    assert [(r.number, r.skipped and r.skipped.split(":")[0]) for r in rows] == [
        (2, None), (5, "draft"), (7, None)]
    (inv1, inv2) = records(rows)
    assert (inv1["reference"], inv1["contact"], inv1["total_minor"], inv1["due_minor"]) == (
        "INV-1", "Acme Ltd", 12000, 10000)
    assert inv2["contact"] == "Bob Smith"  # no organisation: the person
    assert errors(rows) == [RowError(
        "Sheet", 7, "Total Value", "INV-3's Total Value £12.00 differs from the sum of its "
        "1 line (Net Amount + Sales Tax Amount) £11.00: the file was edited or cut; export "
        "it again unedited.")]
    assert outcome.summary["lineItems"]["rows"] == 7
    assert outcome.mapping["contact"] == "Contact Organisation"


def _xero(*rows: str) -> bytes:
    return "\r\n".join([XERO, *rows]).encode()


def test_xero_credit_notes_overpayments_reissues_and_late_paid_documents() -> None:
    rows, _ = read_csv(_xero(
        # a credit note, written positive as Xero writes it
        "Acme,CN-1,01/09/2026,,12.00,2.00,0,12.00,10.00,2.00,GBP,ACCRECCREDIT,AUTHORISED",
        # voided, then reissued under its number
        "Acme,INV-5,02/09/2026,,12.00,2.00,0,12.00,10.00,2.00,GBP,ACCREC,VOIDED",
        "Acme,INV-5,03/09/2026,,24.00,4.00,0,24.00,20.00,4.00,GBP,ACCREC,AUTHORISED",
        # paid after the cutover, dated after it: not posted, so not an error
        "Acme,INV-9,14/10/2026,,12.00,2.00,12.00,0.00,10.00,2.00,GBP,ACCREC,PAID",
        # overpaid: it owes the customer
        "Beta,INV-6,04/09/2026,,12.00,2.00,15.00,-3.00,10.00,2.00,GBP,ACCREC,AUTHORISED",
    ), ImportType.INVOICES, "xero.invoices")
    assert errors(rows) == []
    assert [(r.number, r.skipped and r.skipped.split(":")[0]) for r in rows] == [
        (2, None), (3, "voided"), (4, None), (5, "paid"), (6, None)]
    assert [(d["reference"], d["total_minor"], d["due_minor"], d["credit_note"])
            for d in records(rows)] == [
        ("CN-1", -1200, -1200, True), ("INV-5", 1200, 1200, False),
        ("INV-5", 2400, 2400, False), ("INV-9", 1200, 0, False),
        ("INV-6", 1200, -300, False)]


def test_a_documents_rows_apart_are_refused_naming_where_it_began() -> None:
    rows, _ = read_csv(_xero(
        "Acme,INV-1,14/09/2026,,24.00,4.00,0,24.00,10.00,2.00,GBP,ACCREC,AUTHORISED",
        "Beta,INV-2,14/09/2026,,12.00,2.00,0,12.00,10.00,2.00,GBP,ACCREC,AUTHORISED",
        "Acme,INV-1,14/09/2026,,24.00,4.00,0,24.00,10.00,2.00,GBP,ACCREC,AUTHORISED",
    ), ImportType.INVOICES, "xero.invoices")
    assert [(e.row, e.column, e.message) for e in errors(rows)] == [
        (2, "Total", "INV-1's Total £24.00 differs from the sum of its 1 line (LineAmount + "
                     "TaxAmount) £12.00: the file was edited or cut; export it again "
                     "unedited."),
        (4, "InvoiceNumber", "INV-1's rows are not together: it began on row 2 and begins "
                             "again here. Export the file again, unedited (sorting or "
                             "filtering it splits documents)."),
        (4, "Total", "INV-1's Total £24.00 differs from the sum of its 1 line (LineAmount + "
                     "TaxAmount) £12.00: the file was edited or cut; export it again "
                     "unedited.")]


def _freeagent(*documents: list[object]) -> list[CheckedRow]:
    header: list[object] = [
        "Contact Organisation", "Contact Name", "Reference", "Date", "Payment Terms In Days",
        "Status", "Paid Date", "Paid Amount", "Net Amount", "Sales Tax Amount", "Total Value",
        "Currency", "Item Type", "Description", "Quantity", "Price"]
    data = workbook([header, *documents])
    spec = ParseSpec(ImportType.INVOICES, "Sheet", "GBP", CUTOVER, "freeagent.workbook")
    return [r for batch in iter_sheet_checked(data, spec, ReadOutcome()) for r in batch]


def test_freeagent_statuses_credit_notes_and_a_document_row_without_its_contact() -> None:
    def doc(contact: str | None, ref: str, status: str, total: float) -> list[object]:
        return [contact, None, ref, date(2026, 9, 1), 30, status, None, None, total, 0.0,
                total, "GBP", None, None, None, None]

    rows = _freeagent(doc("Acme", "CN-1", "Open", -50.0), doc("Acme", "INV-1", "Written-off",
                                                              80.0),
                      doc(None, "INV-2", "Open", 10.0), doc("Acme", "INV-3", "Pending", 10.0))
    assert [(d["reference"], d["due_minor"], d["credit_note"]) for d in records(rows)] == [
        ("CN-1", -5000, True), ("INV-1", 8000, False)]
    assert [r.skipped and r.skipped.split(":")[0] for r in rows if r.record] == [
        None, "written off"]
    assert [(e.row, e.column, e.message) for e in errors(rows)] == [
        (4, "Contact Organisation", "Contact Organisation is empty."),
        (5, "Status", "Status Pending is not one FreeAgent writes (Draft, Open, Sent, "
                      "Overdue, Scheduled, Paid, Overpaid, Part written-off, Written-off, "
                      "Cancelled, Refunded, Zero value).")]


def test_as_many_day_first_as_month_first_dates_is_blocked_not_guessed() -> None:
    data = (INVOICES + "A1,Acme,25/03/2026,10.00\r\nA2,Acme,03/26/2026,10.00\r\n"
            "A3,Acme,2026-03-27,10.00\r\n").encode()
    rows, outcome = read_csv(data, ImportType.INVOICES)
    assert [d["reference"] for d in records(rows)] == ["A3"]  # ISO reads either way
    mixed = ("the file's dates are written day-first ('25/03/2026' on row 2) as often as "
             "month-first ('03/26/2026' on row 3), so none can be read for sure: correct "
             "the wrong ones, or state the file's dateOrder (DMY or MDY) so that the others "
             "are reported.")
    assert [(e.row, e.message) for e in errors(rows)] == [
        (2, f"'25/03/2026': {mixed}"), (3, f"'03/26/2026': {mixed}")]
    assert outcome.blockers == [f"DATE_ORDER_AMBIGUOUS: in file.csv, {mixed}"]
    rows, outcome = read_csv(data, ImportType.INVOICES, date_order="DMY")
    assert [d["reference"] for d in records(rows)] == ["A1", "A3"]
    assert [e.row for e in errors(rows)] == [3]
    assert outcome.blockers == []


def test_dates_that_read_the_same_either_way_need_no_order() -> None:
    data = (INVOICES + "A1,Acme,03/03/2026,10.00\r\nA2,Acme,09/09/2026,10.00\r\n").encode()
    rows, outcome = read_csv(data, ImportType.INVOICES)
    assert [d["dated_on"] for d in records(rows)] == ["2026-03-03", "2026-09-09"]
    assert outcome.blockers == []


def test_quickbooks_credit_types_take_away_whatever_their_sign() -> None:
    data = ("\r\n".join([
        "Bayside Cycles LLC", "A/R Aging Detail", '"As of September 30, 2026"', "",
        ",Date,Transaction type,Num,Customer full name,Due date,Amount,Open balance",
        "Current,,,,,,,",
        ',09/15/2026,Invoice,1,Acme,10/15/2026,"1,000.00","1,000.00"',
        ",09/16/2026,Credit Memo,2,Acme,09/16/2026,40.00,40.00",  # written positive
        ',10/14/2026,Invoice,3,Acme,11/13/2026,"50.00",0.00',  # paid, after the cutover
        'Total for Current,,,,,,"$1,090.00","$1,040.00"',
        'TOTAL,,,,,,"$1,090.00","$1,040.00"']) + "\r\n").encode()
    rows, outcome = read_csv(data, ImportType.INVOICES, "quickbooks.ar_aging_detail",
                             windows_1252=True, currency="USD")
    assert errors(rows) == []
    assert outcome.blockers == []
    assert [(d["reference"], d["due_minor"], d["credit_note"]) for d in records(rows)] == [
        ("1", 100000, False), ("2", -4000, True), ("3", 0, False)]
    assert [r.skipped and r.skipped.split(":")[0] for r in rows] == [None, None, "paid"]
