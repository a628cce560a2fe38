"""Xero's and QuickBooks' export files (scripts.provider_files) recognised by their content
and read by their layouts, as a worker reads them (no database): each file's layout, the
records and counts the generator computed independently, the credit notes, the report
totals checked, and what the layouts refuse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson
import pytest

from scripts.provider_files import ProviderExport, quickbooks_export, xero_export
from tests.support.workbooks import workbook
from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, ReadOutcome, check_rows
from worker.kinds.wizard_import.csv_checked import iter_csv_checked
from worker.kinds.wizard_import.csv_rows import CsvSource, iter_csv_rows, open_csv
from worker.kinds.wizard_import.errors import HeaderNotFound, InvalidFile
from worker.kinds.wizard_import.layouts import LAYOUTS, layout_named, native_layouts
from worker.kinds.wizard_import.recognition import Recognised, recognise
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_checked
from worker.wizard.records import ImportType

CUTOVER = date(2026, 9, 30)


def read(found: Recognised, currency: str, date_order: str | None = None
         ) -> tuple[list[CheckedRow], ReadOutcome]:
    """Every checked row of a recognised file, and its outcome, as step 1 reads them."""
    spec = ParseSpec(found.import_type, found.sheet or found.name, currency, CUTOVER,
                     found.layout.name, date_order)
    outcome = ReadOutcome()
    if found.file_format == "xlsx":
        batches: Iterator[list[CheckedRow]] = iter_sheet_checked(found.data, spec, outcome)
    else:
        text = found.layout.windows_1252
        batches = check_rows(iter_csv_rows(found.data, windows_1252=text), spec,
                             outcome=outcome,
                             rows_again=lambda: iter_csv_rows(found.data, windows_1252=text))
    return [row for batch in batches for row in batch], outcome


def records(rows: list[CheckedRow]) -> list[dict[str, Any]]:
    return [orjson.loads(r.record) for r in rows if r.record is not None]


def _export(provider: str) -> ProviderExport:
    return xero_export() if provider == "xero" else quickbooks_export()


LAYOUT_OF = {
    "Contacts.csv": "xero.contacts", "Invoices.csv": "xero.invoices",
    "Bills.csv": "xero.bills", "TrialBalance.xlsx": "xero.trial_balance",
    "Customer Contact List.csv": "quickbooks.customers",
    "Vendor Contact List.csv": "quickbooks.vendors",
    "Trial Balance.csv": "quickbooks.trial_balance",
    "A_R Aging Detail.csv": "quickbooks.ar_aging_detail",
    "A_P Aging Detail.csv": "quickbooks.ap_aging_detail",
}


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
def test_each_file_is_recognised_by_its_content_not_its_name(provider: str) -> None:
    for file in _export(provider).files:
        found = recognise("upload", file.data, native_layouts(provider))  # no name to go by
        assert found.layout.name == LAYOUT_OF[file.name], file.name
        # and among every provider's layouts
        assert recognise(file.name, file.data, native_layouts()).layout.name == \
            LAYOUT_OF[file.name]


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
def test_every_file_reads_to_the_generators_figures(provider: str) -> None:
    export = _export(provider)
    expected, currency = export.expected, export.expected.currency
    by_type: dict[ImportType, list[CheckedRow]] = {}
    outcomes = []
    for file in export.files:
        found = recognise(file.name, file.data, native_layouts(provider))
        rows, outcome = read(found, currency)
        assert [e for r in rows for e in r.errors] == [], file.name
        assert outcome.blockers == [], (file.name, outcome.blockers)
        by_type.setdefault(found.import_type, []).extend(rows)
        outcomes.append(outcome)
    created = {t: sum(1 for r in rows if r.skipped is None) for t, rows in by_type.items()}
    skipped = {t: sum(1 for r in rows if r.skipped is not None) for t, rows in by_type.items()}
    assert created[ImportType.CONTACTS] == expected.contacts
    assert created[ImportType.BALANCES] == expected.balances
    assert (created[ImportType.INVOICES], skipped[ImportType.INVOICES]) == (
        expected.invoices_created, expected.invoices_skipped)
    assert (created[ImportType.BILLS], skipped[ImportType.BILLS]) == (
        expected.bills_created, expected.bills_skipped)
    posted = {t: [d for r in by_type[t] if r.skipped is None
                  for d in records([r])] for t in (ImportType.INVOICES, ImportType.BILLS)}
    assert sum(d["due_minor"] for d in posted[ImportType.INVOICES]) == expected.debtors_minor
    assert sum(d["due_minor"] for d in posted[ImportType.BILLS]) == expected.creditors_minor
    credits = [d for t in posted for d in posted[t] if d["credit_note"]]
    assert credits
    assert all(d["due_minor"] < 0 and d["total_minor"] < 0 for d in credits)
    balances = records(by_type[ImportType.BALANCES])
    debits = sum(b["debit_minor"] for b in balances)
    assert debits == sum(b["credit_minor"] for b in balances)
    dues = sum(abs(d["due_minor"]) for t in posted for d in posted[t])
    assert debits + dues == expected.total_debits_minor
    assert all(o.mapping for o in outcomes)


def test_xero_reads_line_items_into_documents_with_their_statuses() -> None:
    export = xero_export()
    invoices = next(f for f in export.files if f.name == "Invoices.csv")
    found = recognise(invoices.name, invoices.data, native_layouts("xero"))
    rows, outcome = read(found, "GBP")
    assert outcome.summary["lineItems"]["rows"] == export.expected.invoice_line_rows
    reasons = sorted(r.skipped.split(":")[0] for r in rows if r.skipped)
    assert reasons == ["deleted", "draft", "paid", "paid", "voided"]
    assert outcome.mapping["reference"] == "InvoiceNumber"
    assert outcome.mapping["due_minor"] == "InvoiceAmountDue"
    # the contact written "café zürich  gmbh" is kept as written (matched at the gates)
    assert any(d["contact"] == "café zürich  gmbh" for d in records(rows))


def test_a_bill_number_two_suppliers_use_is_two_bills() -> None:
    bills = next(f for f in xero_export().files if f.name == "Bills.csv")
    rows, _ = read(recognise(bills.name, bills.data, native_layouts("xero")), "GBP")
    same = [d for d in records(rows) if d["reference"] == "SUP-8812"]
    assert len(same) == 2
    assert len({d["contact"] for d in same}) == 2
    assert not any(r.skipped and "duplicate" in r.skipped for r in rows)


def test_the_trial_balances_codes_named_and_derived() -> None:
    tb = next(f for f in xero_export().files if f.name == "TrialBalance.xlsx")
    rows, outcome = read(recognise(tb.name, tb.data, native_layouts("xero")), "GBP")
    by_name = {b["name"]: b for b in records(rows)}
    assert (by_name["Sales"]["code"], by_name["Sales"]["code_derived"]) == ("200", False)
    derived = by_name["Owner A Funds Introduced"]
    assert derived["code_derived"]
    assert derived["code"].startswith("AC-")
    assert outcome.summary["derivedCodes"] == [
        {"row": derived["row"], "name": "Owner A Funds Introduced", "code": derived["code"]}]
    assert outcome.summary["reportTotals"]["mismatched"] == 0
    qb = next(f for f in quickbooks_export().files if f.name == "Trial Balance.csv")
    rows, _ = read(recognise(qb.name, qb.data, native_layouts("quickbooks")), "USD")
    codes = {b["name"]: b["code"] for b in records(rows)}
    assert (codes["Salaries"], codes["Sales"], codes["Office Supplies"]) == (
        "6000", "4000", "6100")
    assert "Accounts Receivable (A/R)" in codes  # "(A/R)" is no code


def test_quickbooks_report_totals_are_checked_per_group_and_overall() -> None:
    aging = next(f for f in quickbooks_export().files if f.name == "A_R Aging Detail.csv")
    _rows, outcome = read(recognise(aging.name, aging.data, native_layouts()), "USD")
    totals = outcome.summary["reportTotals"]
    assert totals["mismatched"] == 0
    assert totals["checked"] >= 4
    assert [t["column"] for t in totals["total"]] == ["Amount", "Open balance"]
    # one figure changed, as an edit would: the import is blocked naming the group
    text = aging.data.decode()
    edited = text
    first_open = edited.split("\r\n")[6].rsplit(",", 1)
    edited = edited.replace(edited.split("\r\n")[6], first_open[0] + ",1.00", 1)
    found = recognise(aging.name, edited.encode(), native_layouts())
    _, outcome = read(found, "USD")
    assert outcome.blockers
    assert outcome.blockers[0].startswith("REPORT_TOTAL_MISMATCH: in "
                                                               "A_R Aging Detail.csv, row")
    assert "'Total for" in outcome.blockers[0]


def test_a_file_no_layout_claims_names_the_closest_and_what_it_lacks() -> None:
    invoices = next(f for f in xero_export().files if f.name == "Invoices.csv")
    lines = invoices.data.decode("utf-8-sig").split("\r\n")
    header = lines[0].split(",")
    cut = [i for i, name in enumerate(header) if name not in ("InvoiceDate", "Total")]
    damaged = "\r\n".join(",".join(line.split(",")[i] for i in cut) for line in lines[:3])
    with pytest.raises(InvalidFile) as refused:
        recognise("Invoices.csv", damaged.encode(), native_layouts("xero"))
    assert refused.value.message == (
        "Invoices.csv is not an export the wizard recognises. The closest is the Xero "
        "sales invoices export (xero.invoices), but its header row lacks the columns "
        "InvoiceDate, Total. Export the file again from the provider, unedited, and "
        "upload that.")


ALTERNATIVE_LAYOUT_OF = {
    "AgedReceivablesDetail.xlsx": ("xero.aged_receivables", ImportType.INVOICES),
    "AgedPayablesDetail.xlsx": ("xero.aged_payables", ImportType.BILLS),
    "Open Invoices.csv": ("quickbooks.open_invoices", ImportType.INVOICES),
    "Unpaid Bills.csv": ("quickbooks.unpaid_bills", ImportType.BILLS),
}


def test_every_layout_reads_a_generated_export() -> None:
    read_here = {*LAYOUT_OF.values(), *(name for name, _ in ALTERNATIVE_LAYOUT_OF.values())}
    # FreeAgent's workbook and the wizard's own CSV: test_wizard_rows, test_provider_rows
    assert {layout.name for layout in LAYOUTS} - read_here == {"freeagent.workbook",
                                                              "generic.csv"}


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
def test_the_aged_and_open_item_reports_read_to_the_same_figures(provider: str) -> None:
    """Xero's aged detail reports and QuickBooks' Open Invoices / Unpaid Bills, the other
    way to give the open documents: the same amounts as the invoice exports give."""
    export = (xero_export(aged_reports=True) if provider == "xero"
              else quickbooks_export(open_reports=True))
    expected = export.expected
    totals: dict[ImportType, int] = {}
    for file in export.alternatives:
        found = recognise(file.name, file.data, native_layouts(provider))
        assert (found.layout.name, found.import_type) == ALTERNATIVE_LAYOUT_OF[file.name]
        rows, outcome = read(found, expected.currency)
        assert [e for r in rows for e in r.errors] == []
        assert outcome.blockers == []
        assert outcome.summary["reportTotals"]["checked"] > 0
        posted = [d for d in records(rows)]
        totals[found.import_type] = sum(d["due_minor"] for d in posted)
        assert any(d["credit_note"] for d in posted)
    assert totals == {ImportType.INVOICES: expected.debtors_minor,
                      ImportType.BILLS: expected.creditors_minor}


def _qb_report(title: str, header: str, body: list[str]) -> bytes:
    return "\r\n".join(["Bayside Cycles LLC", title, '"As of September 30, 2026"', "",
                        header, *body, "",
                        '"Accrual Basis Wednesday, October 7, 2026 09:41 AM GMT-07:00"']
                       ).encode()


def test_quickbooks_open_reports_take_the_contact_from_the_group_row() -> None:
    data = _qb_report("Open Invoices", ",Date,Transaction type,Num,Term,Due date,Open balance", [
        "Acme Corp,,,,,,", ",09/15/2026,Invoice,1045,Net 30,10/15/2026,\"1,250.00\"",
        ",08/20/2026,Credit Memo,1046,,08/20/2026,-150.00",
        'Total for Acme Corp,,,,,,"$1,100.00"',
        "Zeta Ltd,,,,,,", ",09/01/2026,Invoice,1050,Net 30,10/01/2026,99.99",
        'Total for Zeta Ltd,,,,,,"$99.99"', 'TOTAL,,,,,,"$1,199.99"'])
    found = recognise("open.csv", data, native_layouts("quickbooks"))
    assert found.layout.name == "quickbooks.open_invoices"
    rows, outcome = read(found, "USD")
    assert [(d["reference"], d["contact"], d["due_minor"], d["credit_note"])
            for d in records(rows)] == [("1045", "Acme Corp", 125000, False),
                                        ("1046", "Acme Corp", -15000, True),
                                        ("1050", "Zeta Ltd", 9999, False)]
    assert outcome.blockers == []
    assert outcome.summary["reportTotals"]["checked"] == 3
    bills = _qb_report("Unpaid Bills",
                       ",Date,Transaction type,Num,Due date,Past due,Amount,Open balance", [
                           "Pedal Parts,,,,,,,", ",09/14/2026,Bill,,10/14/2026,0,500.00,500.00",
                           'Total for Pedal Parts,,,,,,"$500.00","$500.00"',
                           'TOTAL,,,,,,"$500.00","$400.00"'])
    found = recognise("bills.csv", bills, native_layouts("quickbooks"))
    assert found.layout.name == "quickbooks.unpaid_bills"
    rows, outcome = read(found, "USD")
    (bill,) = records(rows)
    assert bill["reference"] == "Bill of 2026-09-14 (row 7)"  # QuickBooks left Num blank
    assert outcome.blockers == [
        "REPORT_TOTAL_MISMATCH: in bills.csv, row 9 ('TOTAL') gives Open balance "
        "$400.00, but the rows read add up to $500.00: the file was cut or edited. Export "
        "the report again, unedited, and upload it."]



AGED_HEADER: list[object] = [
    "Invoice Date", "Invoice Number", "Invoice Reference", "Due Date", "Current", "< 1 Month",
    "1 Month", "2 Months", "3 Months", "Older", "Total"]


def _aged(title: str, body: list[list[object]]) -> bytes:
    return workbook([[title], ["Highland Widgets Ltd"], ["As at 30 September 2026"],
                     ["Ageing by due date"], [], AGED_HEADER, *body])


@pytest.mark.parametrize(("title", "layout", "kind"), [
    ("Aged Receivables Detail", "xero.aged_receivables", ImportType.INVOICES),
    ("Aged Payables Detail", "xero.aged_payables", ImportType.BILLS)])
def test_xeros_aged_detail_reports(title: str, layout: str, kind: ImportType) -> None:
    rows: list[list[object]] = [
        ["Acme Widgets Ltd"],
        [date(2026, 9, 3), "INV-0001", "PO 1", date(2026, 10, 3), 120.0, None, None, None,
         None, None, 120.0],
        [date(2026, 6, 3), "CN-0001", None, None, None, None, None, -20.0, None, None,
         -20.0],
        ["Total Acme Widgets Ltd", None, None, None, 120.0, None, None, -20.0, None, None,
         100.0],
        ["Café Zürich GmbH"],
        ["14/07/2026", "INV-0002", None, "28/07/2026", None, None, 737.1, None, None, None,
         737.1],
        ["Total Café Zürich GmbH", None, None, None, None, None, 737.1, None, None, None,
         737.1],
        ["Total", None, None, None, 120.0, None, 737.1, -20.0, None, None, 837.1],
        ["Percentage of total", None, None, None, "14%", None, "88%", "-2%", None, None,
         "100%"],
    ]
    data = _aged(title, rows)
    found = recognise("aged.xlsx", data, native_layouts("xero"))
    assert (found.layout.name, found.import_type) == (layout, kind)
    read_rows, outcome = read(found, "GBP")
    assert [e for r in read_rows for e in r.errors] == []
    assert [(d["reference"], d["contact"], d["due_minor"], d["credit_note"], d["dated_on"])
            for d in records(read_rows)] == [
        ("INV-0001", "Acme Widgets Ltd", 12000, False, "2026-09-03"),
        ("CN-0001", "Acme Widgets Ltd", -2000, True, "2026-06-03"),
        ("INV-0002", "Café Zürich GmbH", 73710, False, "2026-07-14")]
    assert outcome.blockers == []
    assert outcome.summary["reportTotals"]["checked"] == 9  # each figure the totals give
    rows[3][10] = 99.0  # Acme's total edited
    _, outcome = read(recognise("aged.xlsx", _aged(title, rows), native_layouts()), "GBP")
    assert outcome.blockers == [
        "REPORT_TOTAL_MISMATCH: in Sheet, row 10 ('Total Acme Widgets Ltd') gives "
        "Total £99.00, but the rows read add up to £100.00: the file was cut or edited. "
        "Export the report again, unedited, and upload it."]


@pytest.mark.parametrize(("data", "wanted", "message"), [
    (b"", None, "f.csv is empty: it has no rows. Export it again from the provider and "
                "upload that."),
    (b"\r\n \r\n", ImportType.CONTACTS, "f.csv is empty: it has no rows. Export it again "
                                        "from the provider and upload that."),
    (b"Account,Amount\r\n1,2\r\n", ImportType.BALANCES,
     "f.csv has no header row of a balances import in its first 40 rows: the columns Code "
     "(or Nominal Code, Account Code), Debit, Credit were not found. "
     "Put the column names in one row above the data (names match ignoring case) and "
     "upload it again."),
])
def test_a_file_with_no_header_row_is_refused_saying_what_was_looked_for(
        data: bytes, wanted: ImportType | None, message: str) -> None:
    layouts = native_layouts() if wanted is None else [layout_named("generic.csv")]
    with pytest.raises(InvalidFile) as refused:
        recognise("f.csv", data, layouts, wanted)
    assert refused.value.message == message


def test_names_that_begin_with_total_are_data_and_a_cut_report_is_blocked() -> None:
    """Only a row with figures that closes an open group (or the report) is a total."""
    rows: list[list[object]] = [
        ["Total Gas & Power"],  # a contact's heading: no figures
        [date(2026, 9, 3), "INV-1", None, None, 10.0, None, None, None, None, None, 10.0],
        # Xero closes a contact's group with "Total " and the contact's name
        ["Total Total Gas & Power", None, None, None, 10.0, None, None, None, None, None, 10.0],
        ["Total", None, None, None, 10.0, None, None, None, None, None, 10.0]]
    found = recognise("aged.xlsx", _aged("Aged Receivables Detail", rows), native_layouts())
    read_rows, outcome = read(found, "GBP")
    assert [(d["reference"], d["contact"]) for d in records(read_rows)] == [
        ("INV-1", "Total Gas & Power")]
    assert outcome.blockers == []
    # cut before its Total: nothing to check what was read against
    _, outcome = read(recognise("aged.xlsx", _aged("Aged Receivables Detail", rows[:2]),
                                native_layouts()), "GBP")
    assert outcome.blockers == [
        "REPORT_TOTAL_MISSING: Sheet ends without the report's own total row (TOTAL or "
        "Total): the file was cut or edited, so what was read cannot be checked. Export the "
        "report again, unedited, and upload it."]
    # a total whose group never had a heading
    stray: list[list[object]] = [
        ["Acme"], rows[1],
        ["Total Zeta Ltd", None, None, None, 10.0, None, None, None, None, None, 10.0],
        *rows[3:]]
    _, outcome = read(recognise("aged.xlsx", _aged("Aged Receivables Detail",
                                                   stray), native_layouts()),
                      "GBP")
    # "Total Zeta Ltd" closes nothing open: a row of the data, which the report's own total
    # does not count, so the totals disagree
    assert outcome.blockers[0].startswith(
        "REPORT_TOTAL_MISMATCH: in Sheet, row 10 ('Total') gives Current £10.00, but the rows "
        "read add up to £20.00")
    tb = workbook([["Trial Balance"], ["Org"], ["As at 30 September 2026"], [],
                   ["Account", "Debit", "Credit", "YTD Debit", "YTD Credit"],
                   ["Revenue"], ["Total Fees (410)", None, 5.0, None, 50.0],
                   ["Equity"], ["Retained Earnings (960)", 5.0, None, 50.0, None],
                   ["Total", 5.0, 5.0, 50.0, 50.0]])
    read_rows, outcome = read(recognise("tb.xlsx", tb, native_layouts()), "GBP")
    assert [(b["code"], b["name"]) for b in records(read_rows)] == [
        ("410", "Total Fees"), ("960", "Retained Earnings")]
    assert outcome.blockers == []


def test_aged_reports_are_told_apart_by_their_title_not_by_any_word() -> None:
    rows: list[list[object]] = [
        ["Acme"], [date(2026, 9, 3), "INV-1", None, None, 10.0, None, None, None, None, None,
                   10.0],
        ["Total Acme", None, None, None, 10.0, None, None, None, None, None, 10.0],
        ["Total", None, None, None, 10.0, None, None, None, None, None, 10.0]]
    report = workbook([["Aged Receivables Detail"], ["Payable Partners Ltd"],
                       ["As at 30 September 2026"], [], AGED_HEADER, *rows])
    assert recognise("r.xlsx", report, native_layouts()).layout.name == "xero.aged_receivables"
    untitled = workbook([["Payable Partners Ltd"], [], AGED_HEADER, *rows])
    with pytest.raises(InvalidFile) as refused:
        recognise("r.xlsx", untitled, native_layouts())
    assert refused.value.message == (
        "r.xlsx has the header of the Xero Aged Receivables Detail report "
        "(xero.aged_receivables), but its title rows do not say whether it is Aged "
        "Receivables Detail or Aged Payables Detail: export the report again with its title.")


def test_a_xero_export_without_rows_cannot_be_told_invoices_or_bills() -> None:
    header = next(f for f in xero_export().files if f.name == "Invoices.csv").data.split(
        b"\r\n")[0]
    with pytest.raises(InvalidFile) as refused:
        recognise("Invoices.csv", header + b"\r\n", native_layouts())
    assert refused.value.message == (
        "Invoices.csv has the header of the Xero sales invoices export (xero.invoices), but "
        "its Type column does not hold only ACCREC (sales) or only ACCPAY (purchases) rows: "
        "export invoices and bills to separate files, with their rows.")


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
def test_a_csv_checked_in_the_reading_child_reads_as_in_the_worker(provider: str) -> None:
    """Step 1 checks a CSV in the reading child: the same rows, errors and outcome as
    checking it in-process, for every CSV of an export (with extra rows: several batches)."""
    export = (xero_export(extra_invoices=600) if provider == "xero"
              else quickbooks_export(extra_invoices=2500))
    for file in export.files:
        found = recognise(file.name, file.data, native_layouts(provider))
        if found.file_format != "csv":
            continue
        source = open_csv(file.data, windows_1252=True)
        assert isinstance(source, CsvSource)
        spec = ParseSpec(found.import_type, file.name, export.expected.currency, CUTOVER,
                         found.layout.name)
        in_child, child_outcome = [], ReadOutcome()
        for batch in iter_csv_checked(source, spec, child_outcome):
            in_child.extend(batch)
        in_worker, outcome = read(found, export.expected.currency)
        assert in_child == in_worker, file.name
        assert child_outcome == outcome, file.name


def test_a_csv_the_child_cannot_read_is_refused_as_the_worker_would() -> None:
    bad = b'Customer full name,Email\r\n"Acme,a@example.com\r\n'
    spec = ParseSpec(ImportType.CONTACTS, "c.csv", "USD", None, "quickbooks.customers")
    source = open_csv(bad + b"x" * 200_000)  # an unclosed quote runs past csv's field limit
    assert isinstance(source, CsvSource)
    with pytest.raises(InvalidFile, match=r"Line 2 of c\.csv cannot be read as CSV"):
        list(iter_csv_checked(source, spec))
    headless = open_csv(b"a,b\r\n1,2\r\n")
    assert isinstance(headless, CsvSource)
    with pytest.raises(HeaderNotFound, match=r"'c\.csv' has no header row"):
        list(iter_csv_checked(headless, spec))
