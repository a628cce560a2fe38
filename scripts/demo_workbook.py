"""A FreeAgent-like demo workbook: the seed's worked example, for demos, tests and the bench.

    .venv/bin/python scripts/demo_workbook.py OUT.xlsx [--extra-invoices N] [--broken]

What `write_demo_workbook(path)` writes (cutover 2026-09-30, GBP):

- **Contacts** (title row, blank row, header on row 3): 10 contacts — 8 organisations and
  2 people (First Name + Last Name), unicode names (Café Zürich GmbH, 東京デザイン株式会社,
  Łukasz Nowak, Siobhán Ó Súilleabháin…), one blank row among them. Header uses the alias
  "Organisation Name".
- **Trial Balance** (title row, header on row 3, aliases "Nominal Code" and "Account Name"):
  12 rows with FreeAgent codes, balanced at 71,382.71 debit = 71,382.71 credit: 681 Trade
  Debtors 5,822.06 Dr, 796 Trade Creditors 2,312.34 Cr, 818 VAT Charged written as a
  negative Debit ("-3,210.00", a credit), 819 VAT Reclaimed written as a negative Credit
  ("(640.20)", a debit), 968 Retained Earnings 17,510.37 Cr, 901 Share Capital, and
  zero-balance 907 Directors Loan Account and 999 Suspense rows.
- **Outstanding Invoices** (aliases: Invoice Number, Customer, Date, Due Date, Net Value,
  Sales Tax Value, Total Value, Amount Paid, Outstanding): 6 invoices dated on or before the
  cutover, in the three date forms (Excel date cells, "2026-08-15", "15/09/2026"), money as
  numbers and as text ("£3,000.00", "1,234.50"), one blank Outstanding cell (due = total -
  paid), one blank row. Their due amounts sum to 5,822.06 = Trade Debtors.
- **Outstanding Bills** (aliases Bill Reference, Supplier): 3 bills whose due amounts sum
  to 2,312.34 = Trade Creditors.
- **Notes**: an extra sheet, to be ignored.

Expected from a parse: contacts 10, balances 12, invoices 6, bills 3, no row errors.

`extra_invoices=N` appends N generated invoices (Excel date cells, number money) to the
invoices sheet and adds their due amounts to Trade Debtors and to Sales, so the workbook
stays balanced and reconciled (the benchmark's large workbook: 170,000 make 9.4 MB).
`broken=True` adds 7 bad rows (one contact, one trial-balance line, four invoices, one
bill) whose 8 row errors a parse must report exactly: BROKEN_ERRORS. No reference, account
code or contact name appears twice in its sheet, so no row is a duplicate.
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CUTOVER = date(2026, 9, 30)

CONTACTS_HEADER = ["Organisation Name", "First Name", "Last Name", "Email", "Phone",
                   "Address 1", "Town", "Postcode", "Country", "VAT Registration Number",
                   "Default Payment Terms"]
CONTACTS: list[list[object] | None] = [
    ["Acme Widgets Ltd", None, None, "accounts@acme.example", "020 7946 0000",
     "1 High Street", "London", "EC1A 1BB", "United Kingdom", "GB123456789", 30],
    ["Café Zürich GmbH", None, None, "buchhaltung@cafe-zuerich.example", None,
     "Bahnhofstrasse 1", "Zürich", "8001", "Switzerland", None, 14],
    [None, "Łukasz", "Nowak", "lukasz@nowak.example", "+48 22 123 45 67", "ul. Długa 5",
     "Kraków", "31-147", "Poland", None, None],
    ["Brontë & Daughters LLP", None, None, "hello@bronte.example", None, "2 Moor Lane",
     "Haworth", "BD22 8DR", "United Kingdom", "GB987654321", 30],
    ["東京デザイン株式会社", None, None, "info@tokyo-design.example", None, None, "東京",
     "100-0001", "Japan", None, 60],
    ["Northwind Traders", None, None, None, None, None, "Leeds", "LS1 4AP",
     "United Kingdom", None, 30],
    None,  # a blank row between contacts
    [None, "Siobhán", "Ó Súilleabháin", "siobhan@example.ie", None, None, "Dublin",
     "D02 X285", "Ireland", None, 30],
    ["Paperclip Supplies Ltd", None, None, "sales@paperclip.example", None, None,
     "Bristol", "BS1 5TR", "United Kingdom", "GB111222333", 30],
    ["CloudHost Ltd", None, None, "billing@cloudhost.example", None, None, "Manchester",
     "M1 1AE", "United Kingdom", None, 14],
    ["Ōtaki Electrical Ltd", None, None, None, None, None, "Cardiff", "CF10 1EP",
     "United Kingdom", None, 30],
]

INVOICES_HEADER = ["Invoice Number", "Customer", "Date", "Due Date", "Currency",
                   "Net Value", "Sales Tax Value", "Total Value", "Amount Paid",
                   "Outstanding"]
INVOICES: list[list[object] | None] = [
    ["INV-0041", "Acme Widgets Ltd", datetime(2026, 7, 31), datetime(2026, 8, 30), "GBP",
     1000, 200, 1200, 0, Decimal("1200.00")],
    ["INV-0042", "Café Zürich GmbH", "2026-08-15", "2026-08-29", "GBP", "£2,500.00",
     "£500.00", "£3,000.00", "£1,000.00", None],  # due = total - paid = 2,000.00
    ["INV-0043", "Łukasz Nowak", "15/09/2026", "15/10/2026", "GBP", 450.5, 90.1, 540.6,
     0, 540.6],
    ["INV-0044", "Brontë & Daughters LLP", datetime(2026, 9, 30), datetime(2026, 10, 30),
     "GBP", Decimal("1234.56"), Decimal("246.91"), Decimal("1481.47"), "500.00", "981.47"],
    ["INV-0045", "東京デザイン株式会社", "2026-09-01", None, "GBP", None, None, "99.99",
     None, "99.99"],
    None,  # a blank row between invoices
    ["INV-0046", "Siobhán Ó Súilleabháin", "30/09/2026", "30/10/2026", "GBP", None, None,
     "1,234.50", Decimal("234.50"), "1,000.00"],
]
INVOICES_DUE = Decimal("5822.06")

BILLS_HEADER = ["Bill Reference", "Supplier", "Dated On", "Due On", "Currency", "Net",
                "VAT", "Total", "Paid", "Due"]
BILLS: list[list[object] | None] = [
    ["PS-1001", "Paperclip Supplies Ltd", datetime(2026, 8, 31), datetime(2026, 9, 30),
     "GBP", 300, 60, 360, 0, 360],
    ["CH-2026-09", "CloudHost Ltd", "2026-09-01", "15/09/2026", "GBP", "£1,200.00",
     "£240.00", "£1,440.00", "£0.00", None],
    ["OE/77", "Ōtaki Electrical Ltd", "28/09/2026", "28/10/2026", "GBP", None, None,
     Decimal("612.34"), 100, "512.34"],
]
BILLS_DUE = Decimal("2312.34")

TB_HEADER = ["Nominal Code", "Account Name", "Category", "Debit", "Credit"]
SALES = Decimal("48250.00")


def _tb_rows(debtors: Decimal, sales: Decimal) -> list[list[object]]:
    return [
        ["001", "Sales", "Income", None, sales],
        ["250", "Office Costs", "Overheads", Decimal("3120.45"), None],
        ["285", "Accountancy Fees", "Overheads", "£1,800.00", None],
        ["681", "Trade Debtors", "Current Assets", debtors, None],
        ["750", "Business Current Account", "Bank", "60,000.00", None],
        ["796", "Trade Creditors", "Current Liabilities", None, BILLS_DUE],
        ["818", "VAT Charged", "Current Liabilities", "-3,210.00", None],  # a credit
        ["819", "VAT Reclaimed", "Current Assets", None, "(640.20)"],  # a debit
        ["901", "Share Capital", "Equity", None, 100],
        ["907", "Directors Loan Account", "Current Liabilities", 0, None],
        ["968", "Retained Earnings", "Equity", None, "17,510.37"],
        ["999", "Suspense", None, None, "0.00"],  # a zero line
    ]


BROKEN_ERRORS: list[tuple[str, int, str | None, str]] = [
    # (sheet, row, column, message) of the rows broken=True adds, in sheet order
    ("Contacts", 15, "Organisation Name",
     "A contact needs an Organisation, or a First Name and a Last Name."),
    ("Trial Balance", 16, "Nominal Code", "Nominal Code is empty."),
    ("Trial Balance", 16, "Debit", "'abc' is not an amount."),
    ("Outstanding Invoices", 10, "Date",
     "2026-10-01 is after the cutover date 2026-09-30: only documents dated on or before "
     "it can be outstanding."),
    ("Outstanding Invoices", 11, "Total Value",
     "'12.345' has more decimals than GBP allows (2)."),
    ("Outstanding Invoices", 12, "Currency",
     "USD differs from the import's currency GBP: a document in another currency "
     "cannot be reconciled against the trial balance."),
    ("Outstanding Invoices", 13, "Date",
     "'31/02/2026' is not a date: write it as YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY (with "
     "the file's date order), 25 Jul 2026, or as an Excel date."),
    ("Outstanding Bills", 7, "Supplier", "Supplier is empty."),
]


@dataclass(frozen=True)
class DemoSummary:
    """What a parse of the written workbook must find."""

    contacts: int
    balances: int
    invoices: int
    bills: int
    debtors: Decimal  # Trade Debtors = the invoices' due amounts
    creditors: Decimal  # Trade Creditors = the bills' due amounts
    errors: int


def _append(ws: WriteOnlyWorksheet, row: Sequence[object] | None) -> None:
    """Append a row (None: a blank one); date cells are shown as UK dates, as FreeAgent's
    export shows them."""
    cells: list[object] = []
    for value in row or []:
        if isinstance(value, datetime):
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = "dd/mm/yyyy"
            cells.append(cell)
        else:
            cells.append(value)
    ws.append(cells)


def _extra_invoice(i: int) -> tuple[list[object], Decimal]:
    customers = ["Acme Widgets Ltd", "Café Zürich GmbH", "Łukasz Nowak",
                 "Brontë & Daughters LLP", "東京デザイン株式会社", "Northwind Traders"]
    net = Decimal(1000 + (i * 7919) % 250000) / 100
    vat = (net / 5).quantize(Decimal("0.01"))
    total = net + vat
    paid = Decimal(0) if i % 3 else (total / 2).quantize(Decimal("0.01"))
    dated = datetime(2026, 9, 30) - timedelta(days=i % 120)
    return ([f"INV-{100000 + i}", customers[i % len(customers)], dated,
             dated + timedelta(days=30), "GBP", net, vat, total, paid, total - paid],
            total - paid)


def write_demo_workbook(path: str | Path, *, extra_invoices: int = 0,
                        broken: bool = False, shared_strings: bool = True) -> DemoSummary:
    """Write the demo workbook to `path` and say what a parse must find."""
    wb = Workbook(write_only=True)
    contacts = wb.create_sheet("Contacts")
    _append(contacts, ["Contacts exported from FreeAgent on 1 October 2026"])
    _append(contacts, None)
    _append(contacts, CONTACTS_HEADER)
    for contact in CONTACTS:
        _append(contacts, contact)
    if broken:  # row 15: an email but no name
        _append(contacts, [None, None, None, "nobody@example.com"])

    debtors, sales = INVOICES_DUE, SALES
    extra_rows: list[list[object]] = []
    for i in range(extra_invoices):
        row, due = _extra_invoice(i)
        extra_rows.append(row)
        debtors += due
        sales += due

    tb = wb.create_sheet("Trial Balance")
    _append(tb, ["Trial Balance as at 30 September 2026"])
    _append(tb, None)
    _append(tb, TB_HEADER)
    for line in _tb_rows(debtors, sales):
        _append(tb, line)
    if broken:  # row 16: no code, and a Debit that is not an amount
        _append(tb, [None, "Mystery account", None, "abc", None])

    invoices = wb.create_sheet("Outstanding Invoices")
    _append(invoices, ["Outstanding invoices at 30 September 2026"])
    _append(invoices, INVOICES_HEADER)
    for invoice in INVOICES:
        _append(invoices, invoice)
    if broken:  # rows 10-13
        _append(invoices, ["INV-0099", "Acme Widgets Ltd", "2026-10-01", None, "GBP", None,
                           None, "10.00", None, None])
        _append(invoices, ["INV-0100", "Acme Widgets Ltd", "2026-09-10", None, "GBP", None,
                           None, "12.345", None, None])
        _append(invoices, ["INV-0101", "Acme Widgets Ltd", "2026-09-10", None, "USD", None,
                           None, "10.00", None, None])
        _append(invoices, ["INV-0102", "Acme Widgets Ltd", "31/02/2026", None, "GBP", None,
                           None, "10.00", None, None])
    for extra in extra_rows:
        _append(invoices, extra)

    bills = wb.create_sheet("Outstanding Bills")
    _append(bills, ["Outstanding bills at 30 September 2026"])
    _append(bills, None)
    _append(bills, BILLS_HEADER)
    for bill in BILLS:
        _append(bills, bill)
    if broken:  # row 7: no supplier
        _append(bills, ["X-1", None, "2026-09-01", None, "GBP", None, None, "5.00", None,
                        None])

    notes = wb.create_sheet("Notes")
    _append(notes, ["This sheet is not imported."])
    wb.save(str(path))
    if shared_strings:
        use_shared_strings(Path(path))
    return DemoSummary(contacts=10, balances=12, invoices=6 + extra_invoices, bills=3,
                       debtors=debtors, creditors=BILLS_DUE,
                       errors=len({(s, r) for s, r, _, _ in BROKEN_ERRORS}) if broken else 0)


_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is>'
                     rb'<t(?: xml:space="preserve")?>(.*?)</t></is></c>', re.DOTALL)
_SPREADSHEET_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "xl/_rels/workbook.xml.rels"


def use_shared_strings(path: Path) -> None:
    """Rewrite openpyxl's inline strings (all it writes) as a shared-strings table, which
    is what Excel, and so FreeAgent's users, write; readers are measured on that."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    share_strings(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)


def share_strings(parts: dict[str, bytes]) -> None:
    """An .xlsx's parts (name → bytes) changed in place: openpyxl's inline strings as a
    shared-strings table, as Excel writes them (scripts.provider_files uses it too)."""
    table: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        index = table.setdefault(match[3], len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2] or b"", index)

    for name in parts:
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = _INLINE.sub(shared, parts[name])
    items = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % text for text in table)
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="%s" '
        b'count="%d" uniqueCount="%d">%s</sst>' % (_SPREADSHEET_NS, len(table), len(table),
                                                  items))
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts[_RELS] = parts[_RELS].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdStrings"/>'
        b"</Relationships>")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--extra-invoices", type=int, default=0)
    parser.add_argument("--broken", action="store_true")
    args = parser.parse_args(argv)
    summary = write_demo_workbook(args.out, extra_invoices=args.extra_invoices,
                                  broken=args.broken)
    print(f"wrote {args.out}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
