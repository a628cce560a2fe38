"""The Xero and QuickBooks export generator (scripts/provider_files.py): its files read back
with the standard library and openpyxl only (never the service's readers), checked against
the formats the readers are written to and against the Expected it states."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scripts.provider_files import (
    ExportFile,
    ProviderExport,
    quickbooks_export,
    write_export,
    xero_export,
    zip_export,
)

# the header lines exactly as the brief gives them
XERO_CONTACTS_LINE = (
    "*ContactName,AccountNumber,EmailAddress,FirstName,LastName,POAttentionTo,POAddressLine1,"
    "POAddressLine2,POAddressLine3,POAddressLine4,POCity,PORegion,POPostalCode,POCountry,"
    "SAAttentionTo,SAAddressLine1,SAAddressLine2,SAAddressLine3,SAAddressLine4,SACity,"
    "SARegion,SAPostalCode,SACountry,PhoneNumber,FaxNumber,MobileNumber,DDINumber,SkypeName,"
    "BankAccountName,BankAccountNumber,BankAccountParticulars,TaxNumber,"
    "AccountsReceivableTaxCodeName,AccountsPayableTaxCodeName,Website,LegalName,Discount,"
    "CompanyNumber,DueDateBillDay,DueDateBillTerm,DueDateSalesDay,DueDateSalesTerm,"
    "SalesAccount,PurchasesAccount,Person1FirstName,Person1LastName,Person1Email,"
    "Person2FirstName,Person2LastName,Person2Email")
XERO_DOCUMENTS_LINE = (
    "ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,"
    "POCity,PORegion,POPostalCode,POCountry,InvoiceNumber,Reference,InvoiceDate,DueDate,Total,"
    "TaxTotal,InvoiceAmountPaid,InvoiceAmountDue,InventoryItemCode,Description,Quantity,"
    "UnitAmount,Discount,LineAmount,AccountCode,TaxType,TaxAmount,TrackingName1,"
    "TrackingOption1,TrackingName2,TrackingOption2,Currency,Type,Sent,Status")
XERO_CONTACTS = XERO_CONTACTS_LINE.split(",")
XERO_DOCUMENTS = XERO_DOCUMENTS_LINE.split(",")
QB_FOOTER = "Wednesday, October 7, 2026 09:41 AM GMT-07:00"
BUCKETS = ["Current", "1 - 30 days past due", "31 - 60 days past due",
           "61 - 90 days past due", "91 or more days past due"]
PLAIN = re.compile(r"-?[0-9]+\.[0-9]{2}")
GROUPED = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}")
DOLLARS = re.compile(r"\$[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}|\(\$[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}\)")


def minor(text: str) -> int:
    """An amount as written by either provider, in minor units."""
    text = text.strip()
    negative = text.startswith(("-", "("))
    digits = text.strip("-()$").replace(",", "")
    value = int(Decimal(digits) * 100)
    return -value if negative else value


def cell_minor(value: object) -> int:
    """A trial-balance cell (a number or blank) in minor units."""
    if value is None:
        return 0
    assert isinstance(value, int | float)
    return int(Decimal(repr(value)) * 100)


def key(name: str) -> str:
    return " ".join(name.split()).casefold()


def file_of(export: ProviderExport, name: str) -> bytes:
    return next(f.data for f in export.files if f.name == name)


def csv_rows(data: bytes, *, bom: bool) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf") is bom
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def xero() -> ProviderExport:
    return xero_export()


@pytest.fixture(scope="module")
def quickbooks() -> ProviderExport:
    return quickbooks_export()


# ---------------------------------------------------------------------------------------
# Xero
# ---------------------------------------------------------------------------------------


def xero_documents(export: ProviderExport, name: str) -> tuple[list[dict[str, str]],
                                                               dict[tuple[str, str],
                                                                    list[dict[str, str]]]]:
    data = file_of(export, name)
    assert data.startswith(f"\ufeff{XERO_DOCUMENTS_LINE}\r\n".encode())
    rows = csv_rows(data, bom=True)
    assert rows[0] == XERO_DOCUMENTS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    documents: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for record in records:
        documents[(record["InvoiceNumber"], key(record["ContactName"]))].append(record)
    return records, documents


def xero_open_net(documents: dict[tuple[str, str], list[dict[str, str]]]) -> tuple[int, int]:
    """(documents posted, their net due: credit notes negative)."""
    posted = net = 0
    for lines in documents.values():
        first = lines[0]
        due = minor(first["InvoiceAmountDue"])
        if first["Status"] == "AUTHORISED" and due > 0:
            posted += 1
            net += -due if first["Type"].endswith("CREDIT") else due
    return posted, net


def xero_tb(export: ProviderExport) -> tuple[list[tuple[object, ...]], dict[str, list[int]]]:
    wb = load_workbook(io.BytesIO(file_of(export, "TrialBalance.xlsx")), data_only=True)
    assert wb.sheetnames == ["Trial Balance"]
    rows = [tuple(row) for row in wb["Trial Balance"].iter_rows(values_only=True)]
    wb.close()
    accounts: dict[str, list[int]] = {}
    for row in rows[5:]:
        if row[0] is None or row[0] == "Total" or all(c is None for c in row[1:]):
            continue
        accounts[str(row[0])] = [cell_minor(c) for c in row[1:5]]
    return rows, accounts


def test_xero_files(xero: ProviderExport) -> None:
    assert xero.provider == "xero"
    assert [f.name for f in xero.files] == ["Contacts.csv", "Invoices.csv", "Bills.csv",
                                            "TrialBalance.xlsx"]
    assert xero.expected.currency == "GBP"
    assert xero.expected.cutover == date(2026, 9, 30)


def test_xero_contacts(xero: ProviderExport) -> None:
    data = file_of(xero, "Contacts.csv")
    assert data.startswith(f"\ufeff{XERO_CONTACTS_LINE}\r\n".encode())
    rows = csv_rows(data, bom=True)
    assert rows[0] == XERO_CONTACTS
    assert all(len(row) == len(XERO_CONTACTS) for row in rows)
    names = [row[0] for row in rows[1:]]
    assert len(names) == xero.expected.contacts == 14
    assert len({key(n) for n in names}) == len(names)
    assert {"Café Zürich GmbH", "Łukasz Nowak Ltd", "東京デザイン株式会社"} <= set(names)
    assert b'"Bront\xc3\xab, Hughes & Daughters LLP"' in file_of(xero, "Contacts.csv")
    terms = {row[XERO_CONTACTS.index("DueDateSalesTerm")] for row in rows[1:]}
    assert {"OFFOLLOWINGMONTH", "DAYSAFTERBILLDATE"} <= terms
    assert any(row[XERO_CONTACTS.index("Person1Email")] for row in rows[1:])

    contacts = {key(n): n for n in names}
    written_differently = 0
    for name in ("Invoices.csv", "Bills.csv"):
        records, _ = xero_documents(xero, name)
        for record in records:
            assert key(record["ContactName"]) in contacts, record["ContactName"]
            written_differently += record["ContactName"] not in names
    assert written_differently > 0  # "café zürich  gmbh"


@pytest.mark.parametrize(("name", "types"), [("Invoices.csv", ("ACCREC", "ACCRECCREDIT")),
                                             ("Bills.csv", ("ACCPAY", "ACCPAYCREDIT"))])
def test_xero_documents_add_up(xero: ProviderExport, name: str,
                               types: tuple[str, str]) -> None:
    records, documents = xero_documents(xero, name)
    document_columns = XERO_DOCUMENTS[:18] + XERO_DOCUMENTS[31:]
    for (number, _), lines in documents.items():
        first = lines[0]
        assert 1 <= len(lines) <= 5, number
        for line in lines:
            assert [line[c] for c in document_columns] == [first[c] for c in document_columns]
            for column in ("LineAmount", "TaxAmount", "Total", "TaxTotal",
                           "InvoiceAmountPaid", "InvoiceAmountDue"):
                assert PLAIN.fullmatch(line[column]), (number, column, line[column])
            assert re.fullmatch(r"[0-9]+\.[0-9]{4}", line["Quantity"])
            assert re.fullmatch(r"[0-9]+\.[0-9]{2,4}", line["UnitAmount"])
            assert line["Discount"] in ("", "10.00")
            net = (Decimal(line["Quantity"]) * Decimal(line["UnitAmount"])
                   * (100 - Decimal(line["Discount"] or 0)) / 100)
            assert minor(line["LineAmount"]) == int(net.quantize(Decimal("0.01"),
                                                                 ROUND_HALF_UP) * 100)
        total = sum(minor(line["LineAmount"]) + minor(line["TaxAmount"]) for line in lines)
        assert minor(first["Total"]) == total, number
        assert minor(first["TaxTotal"]) == sum(minor(line["TaxAmount"]) for line in lines)
        assert minor(first["InvoiceAmountPaid"]) + minor(first["InvoiceAmountDue"]) == total
        assert first["Type"] in types
        assert first["Currency"] == "GBP"
        assert first["Status"] in ("AUTHORISED", "PAID", "DRAFT", "VOIDED", "DELETED")
        if first["Status"] == "PAID":
            assert first["InvoiceAmountDue"] == "0.00"
        dated = [int(part) for part in first["InvoiceDate"].split("/")]
        assert date(dated[2], dated[1], dated[0]) <= xero.expected.cutover
    # a supplier's reference may repeat across suppliers, never within one
    assert len(documents) == len({(n, c) for n, c in documents})
    statuses = {lines[0]["Status"] for lines in documents.values()}
    assert {"AUTHORISED", "PAID", "DRAFT"} <= statuses
    assert any(lines[0]["Type"] == types[1] and lines[0]["Status"] == "AUTHORISED"
               for lines in documents.values())
    # a day over 12, so the file's dates can only be day-first
    assert any(int(r[c].split("/")[0]) > 12 for r in records
               for c in ("InvoiceDate", "DueDate") if r[c])


def test_xero_expected_counts(xero: ProviderExport) -> None:
    expected = xero.expected
    invoice_rows, invoices = xero_documents(xero, "Invoices.csv")
    bill_rows, bills = xero_documents(xero, "Bills.csv")
    posted_invoices, debtors = xero_open_net(invoices)
    posted_bills, creditors = xero_open_net(bills)
    assert (expected.invoices_created, expected.invoices_skipped) == (
        posted_invoices, len(invoices) - posted_invoices) == (9, 5)
    assert (expected.bills_created, expected.bills_skipped) == (
        posted_bills, len(bills) - posted_bills) == (5, 2)
    assert expected.invoice_line_rows == len(invoice_rows)
    assert expected.bill_line_rows == len(bill_rows)
    assert (expected.debtors_minor, expected.creditors_minor) == (debtors, creditors)
    statuses = [lines[0]["Status"] for lines in invoices.values()]
    assert sorted(set(statuses)) == ["AUTHORISED", "DELETED", "DRAFT", "PAID", "VOIDED"]
    assert sum(1 for lines in invoices.values()
               if lines[0]["Status"] == "AUTHORISED"
               and minor(lines[0]["InvoiceAmountPaid"]) > 0) == 2  # part-paid


def check_xero_trial_balance(export: ProviderExport) -> None:
    rows, accounts = xero_tb(export)
    assert [r[0] for r in rows[:4]] == ["Trial Balance", "Highland Widgets Ltd",
                                        "As at 30 September 2026", None]
    assert rows[4] == ("Account", "Debit", "Credit", "YTD Debit", "YTD Credit")
    sections = [r[0] for r in rows if r[0] is not None and all(c is None for c in r[1:])]
    assert sections == ["Trial Balance", "Highland Widgets Ltd", "As at 30 September 2026",
                        "Revenue", "Expenses", "Assets", "Liabilities", "Equity"]
    total = rows[-1]
    assert total[0] == "Total"
    sums = [sum(a[i] for a in accounts.values()) for i in range(4)]
    assert [cell_minor(c) for c in total[1:5]] == sums
    assert sums[0] == sums[1]
    assert sums[2] == sums[3]
    for name, (debit, credit, ytd_debit, ytd_credit) in accounts.items():
        assert not (debit and credit), name
        assert not (ytd_debit and ytd_credit), name
    _, invoices = xero_documents(export, "Invoices.csv")
    _, bills = xero_documents(export, "Bills.csv")
    assert accounts["Accounts Receivable (610)"][2] == xero_open_net(invoices)[1]
    assert accounts["Accounts Payable (800)"][3] == xero_open_net(bills)[1]
    expected = export.expected
    assert expected.balances == len(accounts)
    assert accounts["Accounts Receivable (610)"][2] == expected.debtors_minor
    assert accounts["Accounts Payable (800)"][3] == expected.creditors_minor
    # the proof: the YTD debits, plus each posted document's due once a side
    posted = sum(minor(lines[0]["InvoiceAmountDue"])
                 for documents in (invoices, bills) for lines in documents.values()
                 if lines[0]["Status"] == "AUTHORISED"
                 and minor(lines[0]["InvoiceAmountDue"]) > 0)
    assert expected.total_debits_minor == expected.total_credits_minor == sums[2] + posted


def test_xero_trial_balance(xero: ProviderExport) -> None:
    check_xero_trial_balance(xero)
    _, accounts = xero_tb(xero)
    for name in ("Sales (200)", "Business Bank Account (090)", "VAT (820)",
                 "Retained Earnings (960)", "Historical Adjustment (840)", "Rent (469)",
                 "Wages and Salaries (477)", "Owner A Funds Introduced"):
        assert name in accounts
    assert accounts["Historical Adjustment (840)"][2:] == [0, 0]  # a zero balance, counted
    assert any(not name.isascii() for name in accounts)


def test_xero_extra_invoices(xero: ProviderExport) -> None:
    big = xero_export(extra_invoices=1000)
    assert big.expected.invoice_line_rows == xero.expected.invoice_line_rows + 5000
    assert big.expected.invoices_created == xero.expected.invoices_created + 1000
    assert big.expected.invoices_skipped == xero.expected.invoices_skipped
    rows, _ = xero_documents(big, "Invoices.csv")
    assert len(rows) == big.expected.invoice_line_rows
    check_xero_trial_balance(big)
    _, base_accounts = xero_tb(xero)
    _, accounts = xero_tb(big)
    added = big.expected.debtors_minor - xero.expected.debtors_minor
    assert added > 0
    assert accounts["Sales (200)"][3] == base_accounts["Sales (200)"][3] + added
    assert file_of(big, "Bills.csv") == file_of(xero, "Bills.csv")
    assert xero_export(extra_invoices=1000) == big  # the same seed, the same bytes


# ---------------------------------------------------------------------------------------
# QuickBooks Online
# ---------------------------------------------------------------------------------------


def qb_report(export: ProviderExport, name: str, report: str, *,
              as_of: bool = True) -> tuple[list[str], list[list[str]]]:
    """The header and body of a report, its title block and footer checked."""
    rows = csv_rows(file_of(export, name), bom=False)
    title = [["Bayside Cycles LLC"], [report]]
    if as_of:
        title.append(["As of September 30, 2026"])
    assert rows[:len(title) + 1] == [*title, []]
    footer = f"Accrual Basis {QB_FOOTER}" if as_of else QB_FOOTER
    assert rows[-2:] == [[], [footer]]
    return rows[len(title) + 1], rows[len(title) + 2:-2]


def test_quickbooks_files(quickbooks: ProviderExport) -> None:
    assert quickbooks.provider == "quickbooks"
    assert [f.name for f in quickbooks.files] == [
        "Customer Contact List.csv", "Vendor Contact List.csv", "Trial Balance.csv",
        "A_R Aging Detail.csv", "A_P Aging Detail.csv"]
    assert quickbooks.expected.currency == "USD"
    assert quickbooks.expected.invoices_skipped == quickbooks.expected.bills_skipped == 0


def test_quickbooks_contact_lists(quickbooks: ProviderExport) -> None:
    header, customers = qb_report(quickbooks, "Customer Contact List.csv",
                                  "Customer Contact List", as_of=False)
    assert header == ["Customer full name", "Phone numbers", "Email", "Full name",
                      "Bill address", "Ship address"]
    vheader, vendors = qb_report(quickbooks, "Vendor Contact List.csv",
                                 "Vendor Contact List", as_of=False)
    assert vheader == ["Vendor", "Phone numbers", "Email", "Full name", "Address",
                       "Account #"]
    assert len(customers) + len(vendors) == quickbooks.expected.contacts == 15
    assert all(len(row) == 6 for row in customers + vendors)
    assert any(not row[0].isascii() for row in customers)
    assert any("," in row[4] for row in customers)
    assert any("" in row for row in customers)
    assert "Phone:(415) 555-0100 Mobile:(415) 555-0101" in [row[1] for row in customers]

    names = {row[0] for row in customers}
    _, receivable = qb_report(quickbooks, "A_R Aging Detail.csv", "A/R Aging Detail")
    assert {row[4] for row in receivable if row[0] == ""} <= names
    _, payable = qb_report(quickbooks, "A_P Aging Detail.csv", "A/P Aging Detail")
    assert {row[4] for row in payable if row[0] == ""} <= {row[0] for row in vendors}


def check_quickbooks_trial_balance(export: ProviderExport) -> dict[str, tuple[int, int]]:
    header, body = qb_report(export, "Trial Balance.csv", "Trial Balance")
    assert header == ["", "Debit", "Credit"]
    *rows, total = body
    accounts: dict[str, tuple[int, int]] = {}
    for name, debit, credit in rows:
        assert bool(debit) != bool(credit), name  # one side per row
        for amount in (debit, credit):
            assert amount == "" or GROUPED.fullmatch(amount), amount
        accounts[name] = (minor(debit) if debit else 0, minor(credit) if credit else 0)
    assert total[0] == "TOTAL"
    assert all(DOLLARS.fullmatch(c) for c in total[1:])
    debits = sum(d for d, _ in accounts.values())
    assert minor(total[1]) == minor(total[2]) == debits == sum(c for _, c in accounts.values())
    assert export.expected.balances == len(accounts)
    return accounts


def check_aging(export: ProviderExport, name: str, report: str,
                contact_column: str) -> tuple[list[list[str]], int]:
    """The report's detail rows and their open balance, every total checked."""
    header, body = qb_report(export, name, report)
    assert header == ["", "Date", "Transaction type", "Num", contact_column, "Due date",
                      "Amount", "Open balance"]
    details: list[list[str]] = []
    buckets: list[str] = []
    bucket: list[list[str]] = []
    amount_total = open_total = 0
    for row in body[:-1]:
        if len(row) == 1:
            buckets.append(row[0])
            bucket = []
        elif row[0] == "":
            assert len(row) == 8
            assert GROUPED.fullmatch(row[6]), row
            assert GROUPED.fullmatch(row[7]), row
            assert minor(row[7]) != 0  # only open items
            bucket.append(row)
            details.append(row)
        else:
            assert row[0] == f"Total for {buckets[-1]}"
            assert row[1:6] == [""] * 5
            assert DOLLARS.fullmatch(row[6])
            assert DOLLARS.fullmatch(row[7])
            assert minor(row[6]) == sum(minor(r[6]) for r in bucket)
            assert minor(row[7]) == sum(minor(r[7]) for r in bucket)
            amount_total += minor(row[6])
            open_total += minor(row[7])
    assert buckets == [b for b in BUCKETS if b in buckets]  # in order, only those with rows
    last = body[-1]
    assert last[0] == "TOTAL"
    assert last[1:6] == [""] * 5
    assert minor(last[6]) == amount_total == sum(minor(r[6]) for r in details)
    assert minor(last[7]) == open_total == sum(minor(r[7]) for r in details)
    for row in details:
        month, day, year = (int(p) for p in row[1].split("/"))
        assert date(year, month, day) <= export.expected.cutover
    assert any(int(r[c].split("/")[1]) > 12 for r in details for c in (1, 5))
    return details, open_total


def test_quickbooks_reports(quickbooks: ProviderExport) -> None:
    expected = quickbooks.expected
    accounts = check_quickbooks_trial_balance(quickbooks)
    for name in ("Salaries (6000)", "4000 Sales", "6100 · Office Supplies", "Checking",
                 "Opening Balance Equity", "Retained Earnings", "Undeposited Funds",
                 "Inventory Asset"):
        assert name in accounts
    receivable, debtors = check_aging(quickbooks, "A_R Aging Detail.csv", "A/R Aging Detail",
                                      "Customer full name")
    payable, creditors = check_aging(quickbooks, "A_P Aging Detail.csv", "A/P Aging Detail",
                                     "Vendor display name")
    assert accounts["Accounts Receivable (A/R)"] == (debtors, 0)
    assert accounts["Accounts Payable (A/P)"] == (0, creditors)
    assert (expected.debtors_minor, expected.creditors_minor) == (debtors, creditors)
    assert expected.invoices_created == expected.invoice_line_rows == len(receivable)
    assert expected.bills_created == expected.bill_line_rows == len(payable)
    debits = sum(d for d, _ in accounts.values())
    posted = sum(abs(minor(row[7])) for row in receivable + payable)
    assert expected.total_debits_minor == expected.total_credits_minor == debits + posted

    types = {row[2] for row in receivable}
    assert types == {"Invoice", "Credit Memo", "Payment"}
    assert all(minor(r[6]) < 0 and minor(r[7]) < 0 for r in receivable if r[2] != "Invoice")
    assert any(0 < minor(r[7]) < minor(r[6]) for r in receivable)  # part-paid
    for kind in ("Invoice", "Credit Memo"):
        nums = [r[3] for r in receivable if r[2] == kind]
        assert len(nums) == len(set(nums))
    assert {row[2] for row in payable} == {"Bill", "Supplier Credit"}
    assert any(r[3] == "" for r in payable if r[2] == "Bill")
    text = file_of(quickbooks, "A_R Aging Detail.csv").decode()
    assert '"($1,240.00)"' in text  # a negative bucket total


def test_quickbooks_extra_invoices(quickbooks: ProviderExport) -> None:
    big = quickbooks_export(extra_invoices=1000)
    assert big.expected.invoice_line_rows == quickbooks.expected.invoice_line_rows + 1000
    assert big.expected.invoices_created == big.expected.invoice_line_rows
    accounts = check_quickbooks_trial_balance(big)
    receivable, debtors = check_aging(big, "A_R Aging Detail.csv", "A/R Aging Detail",
                                      "Customer full name")
    assert len(receivable) == big.expected.invoice_line_rows
    assert accounts["Accounts Receivable (A/R)"] == (debtors, 0) == (big.expected.debtors_minor,
                                                                      0)
    base = check_quickbooks_trial_balance(quickbooks)
    added = debtors - quickbooks.expected.debtors_minor
    assert accounts["4000 Sales"][1] == base["4000 Sales"][1] + added
    nums = [r[3] for r in receivable if r[2] == "Invoice"]
    assert len(nums) == len(set(nums))


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
def test_zip_and_folder_round_trip(provider: str, tmp_path: Path, xero: ProviderExport,
                                   quickbooks: ProviderExport) -> None:
    export = xero if provider == "xero" else quickbooks
    with zipfile.ZipFile(io.BytesIO(zip_export(export))) as archive:
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
        found = tuple(ExportFile(name, archive.read(name)) for name in archive.namelist())
    assert found == export.files
    paths = write_export(export, tmp_path / "out")
    assert [p.name for p in paths] == [f.name for f in export.files]
    assert [p.read_bytes() for p in paths] == [f.data for f in export.files]
