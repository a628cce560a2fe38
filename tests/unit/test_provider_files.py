"""The Xero and QuickBooks export generator (scripts.provider_files): its files read back
with the standard library and openpyxl only (never the service's readers), checked against
the formats the readers are written to and against the Expected it states."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from datetime import date, datetime
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
    return next(f.data for f in (*export.files, *export.alternatives) if f.name == name)


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


@pytest.fixture(scope="module")
def xero_aged() -> ProviderExport:
    return xero_export(aged_reports=True)


@pytest.fixture(scope="module")
def quickbooks_open() -> ProviderExport:
    return quickbooks_export(open_reports=True)


def test_alternatives_only_when_asked(xero: ProviderExport, quickbooks: ProviderExport,
                                      xero_aged: ProviderExport,
                                      quickbooks_open: ProviderExport) -> None:
    assert xero.alternatives == quickbooks.alternatives == ()
    assert [f.name for f in xero_aged.alternatives] == ["AgedReceivablesDetail.xlsx",
                                                        "AgedPayablesDetail.xlsx"]
    assert [f.name for f in quickbooks_open.alternatives] == ["Open Invoices.csv",
                                                              "Unpaid Bills.csv"]
    # the same files and figures: the alternatives are extra reports of the same model
    assert (xero_aged.files, xero_aged.expected) == (xero.files, xero.expected)
    assert (quickbooks_open.files, quickbooks_open.expected) == (quickbooks.files,
                                                                  quickbooks.expected)
    assert zip_export(xero_aged) == zip_export(xero)
    assert xero_export(aged_reports=True) == xero_aged  # the same bytes each time


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


AGED_HEADER = ("Invoice Date", "Invoice Number", "Invoice Reference", "Due Date", "Current",
               "< 1 Month", "1 Month", "2 Months", "3 Months", "Older", "Total")


def aged_column(day: date, on: date) -> int:
    """Xero's ageing by due date: 0 Current (due on or after `on`), then whole calendar
    months overdue: 1 `< 1 Month`, 2 `1 Month`, 3 `2 Months`, 4 `3 Months`, 5 Older."""
    if day >= on:
        return 0
    months = (on.year - day.year) * 12 + on.month - day.month - (on.day < day.day)
    return 1 + min(months, 4)


def check_xero_aged(export: ProviderExport, name: str,
                    title: str) -> dict[tuple[str, str], tuple[int, int]]:
    """An aged detail report's documents, (number, contact) → (ageing column, amount due),
    its title block, groups and every total checked."""
    wb = load_workbook(io.BytesIO(file_of(export, name)))
    assert wb.sheetnames == [title]
    rows = [tuple(row) for row in wb[title].iter_rows(values_only=True)]
    wb.close()
    assert [r[0] for r in rows[:5]] == [title, "Highland Widgets Ltd",
                                        "As at 30 September 2026", "Ageing by due date", None]
    assert all(c is None for r in rows[:5] for c in r[1:])
    assert rows[5] == AGED_HEADER
    *body, total, percentage = rows[6:]
    cutover = export.expected.cutover
    contacts: list[str] = []
    documents: dict[tuple[str, str], tuple[int, int]] = {}
    group: list[int] | None = None
    overall = [0] * 7
    for row in body:
        assert len(row) == len(AGED_HEADER)
        first = row[0]
        if isinstance(first, datetime):  # a document: its dates are Excel date cells
            assert group is not None
            due = row[3]
            assert due is None or isinstance(due, datetime)
            assert isinstance(row[1], str)
            assert row[1]
            amounts = [cell_minor(c) for c in row[4:]]
            (column,) = [i for i, a in enumerate(amounts[:6]) if a]
            assert amounts[column] == amounts[6] != 0
            assert first.date() <= cutover
            # by due date; a credit note, which has none, by its date
            assert column == aged_column((due or first).date(), cutover), row
            documents[(row[1], key(contacts[-1]))] = (column, amounts[6])
            group = [a + b for a, b in zip(group, amounts, strict=True)]
        elif isinstance(first, str) and first.startswith("Total "):
            assert group is not None
            assert first == f"Total {contacts[-1]}"
            assert row[1:4] == (None, None, None)
            assert 0 not in row[4:]  # blank for zero
            assert [cell_minor(c) for c in row[4:]] == group
            overall = [a + b for a, b in zip(overall, group, strict=True)]
            group = None
        else:  # a contact's heading: its name alone
            assert group is None
            assert isinstance(first, str)
            assert all(c is None for c in row[1:])
            contacts.append(first)
            group = [0] * 7
    assert group is None
    assert contacts == sorted(contacts, key=str.casefold)
    assert len(contacts) == len(set(contacts))
    assert total[:4] == ("Total", None, None, None)
    assert 0 not in total[4:]
    assert [cell_minor(c) for c in total[4:]] == overall
    assert overall[6] == sum(amount for _, amount in documents.values())
    assert percentage[:4] == ("Percentage of total", None, None, None)
    assert percentage[10] == "100%"
    for part, text in zip(overall, percentage[4:], strict=True):
        if not part:
            assert text is None
            continue
        assert isinstance(text, str)
        assert re.fullmatch(r"-?[0-9]+%", text)
        assert abs(int(text[:-1]) - 100 * part / overall[6]) <= 0.5
    return documents


@pytest.mark.parametrize(("name", "title", "source"), [
    ("AgedReceivablesDetail.xlsx", "Aged Receivables Detail", "Invoices.csv"),
    ("AgedPayablesDetail.xlsx", "Aged Payables Detail", "Bills.csv")])
def test_xero_aged_reports(xero_aged: ProviderExport, name: str, title: str,
                           source: str) -> None:
    documents = check_xero_aged(xero_aged, name, title)
    _, listed = xero_documents(xero_aged, source)
    open_documents = {}
    for (number, contact), lines in listed.items():
        first = lines[0]
        due = minor(first["InvoiceAmountDue"])
        if first["Status"] == "AUTHORISED" and due > 0:
            credit = first["Type"].endswith("CREDIT")
            open_documents[(number, contact)] = -due if credit else due
    # the open documents of the list, under the contact's own name, credit notes negative
    assert {k: amount for k, (_, amount) in documents.items()} == open_documents
    assert any(amount < 0 for amount in open_documents.values())
    expected = xero_aged.expected
    total = sum(open_documents.values())
    if source == "Invoices.csv":
        assert total == expected.debtors_minor
        assert len(documents) == expected.invoices_created
        assert documents[("INV-0002", key("Café Zürich GmbH"))][0] == 3  # 2 Months
        assert documents[("INV-0005", key("Brontë, Hughes & Daughters LLP"))][0] == 0
        assert documents[("CN-0001", key("Acme Widgets Ltd"))] == (1, -6000)  # by its date
        assert ("INV-0009", key("Café Zürich GmbH")) in documents  # written "café zürich  gmbh"
    else:
        assert total == expected.creditors_minor
        assert len(documents) == expected.bills_created
        assert documents[("CR-5521", key("Ōtaki Electrical Ltd"))] == (0, -900)
    assert {column for column, _ in documents.values()} >= {0, 1}


def test_xero_aged_reports_with_extra_invoices() -> None:
    big = xero_export(extra_invoices=100, aged_reports=True)
    documents = check_xero_aged(big, "AgedReceivablesDetail.xlsx", "Aged Receivables Detail")
    assert len(documents) == big.expected.invoices_created
    assert sum(amount for _, amount in documents.values()) == big.expected.debtors_minor


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


OPEN_INVOICES = ["", "Date", "Transaction type", "Num", "Term", "Due date", "Open balance"]
UNPAID_BILLS = ["", "Date", "Transaction type", "Num", "Due date", "Past due", "Amount",
                "Open balance"]


def us_date(text: str) -> date:
    month, day, year = (int(p) for p in text.split("/"))
    return date(year, month, day)


def check_open_report(export: ProviderExport, name: str, report: str,
                      header: list[str]) -> list[tuple[str, list[str]]]:
    """An Open Invoices / Unpaid Bills report's detail rows with their group's contact,
    its title block, groups and every total checked."""
    found, body = qb_report(export, name, report)
    assert found == header
    width = len(header)
    amounts = [i for i, column in enumerate(header) if column in ("Amount", "Open balance")]
    details: list[tuple[str, list[str]]] = []
    names: list[str] = []
    group: list[list[str]] | None = None
    for row in body[:-1]:
        if len(row) == 1:  # a customer's or vendor's row: its name alone
            assert group is None
            names.append(row[0])
            group = []
        elif row[0] == "":
            assert group is not None
            assert len(row) == width
            assert all(GROUPED.fullmatch(row[i]) for i in amounts), row
            assert minor(row[-1]) != 0  # only open items
            assert us_date(row[1]) <= export.expected.cutover
            us_date(row[header.index("Due date")])
            group.append(row)
            details.append((names[-1], row))
        else:
            assert group is not None
            assert row[0] == f"Total for {names[-1]}"
            assert len(row) == width
            assert [c for i, c in enumerate(row[1:], 1) if i not in amounts] == [""] * (
                width - 1 - len(amounts))
            for i in amounts:
                assert DOLLARS.fullmatch(row[i]), row
                assert minor(row[i]) == sum(minor(r[i]) for r in group)
            group = None
    assert group is None
    assert names == sorted(names, key=str.casefold)
    assert len(names) == len(set(names))
    total = body[-1]
    assert total[0] == "TOTAL"
    assert len(total) == width
    for i in amounts:
        assert DOLLARS.fullmatch(total[i])
        assert minor(total[i]) == sum(minor(r[i]) for _, r in details)
    return details


def test_quickbooks_open_invoices(quickbooks_open: ProviderExport) -> None:
    details = check_open_report(quickbooks_open, "Open Invoices.csv", "Open Invoices",
                                OPEN_INVOICES)
    expected = quickbooks_open.expected
    assert sum(minor(row[6]) for _, row in details) == expected.debtors_minor
    assert len(details) == expected.invoices_created
    aging, _ = check_aging(quickbooks_open, "A_R Aging Detail.csv", "A/R Aging Detail",
                           "Customer full name")
    # the A/R Aging Detail's open items: customer, date, type, Num, due date, open balance
    assert sorted([name, *row[1:4], row[5], row[6]] for name, row in details) == sorted(
        [row[4], *row[1:4], row[5], row[7]] for row in aging)
    for _, row in details:
        if row[2] == "Invoice":
            days = (us_date(row[5]) - us_date(row[1])).days
            assert row[4] == (f"Net {days}" if days else "Due on receipt")
            assert minor(row[6]) > 0
        else:  # credit memos and the unapplied payment
            assert row[4] == ""
            assert minor(row[6]) < 0
    assert {row[2] for _, row in details} == {"Invoice", "Credit Memo", "Payment"}
    assert any("," in name for name, _ in details)
    text = file_of(quickbooks_open, "Open Invoices.csv").decode()
    assert "Total for Peña Racing Team,,,,,,($480.00)\r\n" in text  # a negative total


def test_quickbooks_unpaid_bills(quickbooks_open: ProviderExport) -> None:
    details = check_open_report(quickbooks_open, "Unpaid Bills.csv", "Unpaid Bills",
                                UNPAID_BILLS)
    expected = quickbooks_open.expected
    assert sum(minor(row[7]) for _, row in details) == expected.creditors_minor
    assert len(details) == expected.bills_created
    aging, _ = check_aging(quickbooks_open, "A_P Aging Detail.csv", "A/P Aging Detail",
                           "Vendor display name")
    assert sorted([name, *row[1:5], row[6], row[7]] for name, row in details) == sorted(
        [row[4], *row[1:4], row[5], row[6], row[7]] for row in aging)
    cutover = expected.cutover
    for _, row in details:
        if row[2] == "Bill":
            assert row[5] == str(max(0, (cutover - us_date(row[4])).days))
            assert 0 < minor(row[7]) <= minor(row[6])
        else:
            assert row[2] == "Supplier Credit"
            assert row[5] == ""
            assert minor(row[6]) < 0
            assert minor(row[7]) < 0
    assert any(row[3] == "" for _, row in details)  # a bill without a Num
    assert any(int(row[5] or 0) > 0 for _, row in details)
    assert any(minor(row[7]) < minor(row[6]) for _, row in details)  # part-paid


def test_quickbooks_open_reports_with_extra_invoices() -> None:
    big = quickbooks_export(extra_invoices=100, open_reports=True)
    details = check_open_report(big, "Open Invoices.csv", "Open Invoices", OPEN_INVOICES)
    assert len(details) == big.expected.invoices_created
    assert sum(minor(row[6]) for _, row in details) == big.expected.debtors_minor
    nums = [row[3] for _, row in details if row[2] == "Invoice"]
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


def test_alternatives_written_after_the_files_never_zipped(tmp_path: Path,
                                                           xero_aged: ProviderExport) -> None:
    paths = write_export(xero_aged, tmp_path)
    every = (*xero_aged.files, *xero_aged.alternatives)
    assert [p.name for p in paths] == [f.name for f in every]
    assert [p.read_bytes() for p in paths] == [f.data for f in every]
    with zipfile.ZipFile(io.BytesIO(zip_export(xero_aged))) as archive:
        assert archive.namelist() == [f.name for f in xero_aged.files]
