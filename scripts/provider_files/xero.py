"""Xero's export files and `xero_export`.

`xero_export()` — "Highland Widgets Ltd", GBP, UK dates (dd/mm/yyyy); CSVs UTF-8 with a
BOM, CRLF, comma separated, quoted where needed:

- **Contacts.csv**: Xero's contact export columns (`*ContactName` … `Person2Email`), 14
  contacts (9 customers, 5 suppliers): unicode names (Café Zürich GmbH, Łukasz Nowak Ltd,
  東京デザイン株式会社, Παπαδόπουλος Α.Ε.…), one with commas in its name ("Brontë, Hughes &
  Daughters LLP"), one person (First/Last name), postal and street addresses, persons,
  sales and bill terms, one contact without documents.
- **Invoices.csv**: one row per line item, the document's cells repeated on each row;
  13 sales invoices and 1 credit note, 29 rows: 8 open (AUTHORISED, due > 0, INV-0003 and
  INV-0009 part-paid), 2 PAID, 1 DRAFT, 1 VOIDED, 1 DELETED, and CN-0001 (ACCRECCREDIT,
  AUTHORISED, written with positive amounts as Xero writes it). Discounts, 4-decimal unit
  prices, descriptions with commas and unicode, zero-rated lines for the Japanese
  customer, a tracking category. INV-0009's contact is written "café zürich  gmbh" (the
  contact is "Café Zürich GmbH"). Credit notes have no DueDate (Xero gives them none).
  Skipped documents (paid aside) keep InvoiceAmountPaid + InvoiceAmountDue = Total.
- **Bills.csv**: the same layout for 7 bills (ACCPAY / ACCPAYCREDIT): 4 open (SUP-8812 from
  Müller Logistik part-paid; SUP-8812 also from Paperclip Supplies), 1 PAID, 1 DRAFT and a
  supplier credit note CR-5521; Sent is blank on bills.
- **TrialBalance.xlsx**: sheet "Trial Balance", title rows (`Trial Balance`, organisation,
  `As at 30 September 2026`), a blank row, the header `Account, Debit, Credit, YTD Debit,
  YTD Credit`, sections Revenue, Expenses, Assets, Liabilities, Equity (title row, account
  rows, blank row), a `Total` row. 14 accounts as `Name (Code)`, one without a code
  (`Owner A Funds Introduced`), one unicode name (`Ventes à l'étranger (210)`), a zero
  balance (`Historical Adjustment (840)`, moved this month only). Debit/Credit: this
  month's net movement, one side; YTD pair: the balance, one side; numbers are float
  cells (blank for zero sides), strings shared as Excel writes them. Business Bank Account
  takes what balances both pairs.

Base figures: debtors 7,513.00 (open invoices' due less the credit note's), creditors
4,481.62, trial balance 134,841.29 a side (YTD), proof 146,973.91 a side.

The books are in `xero_data`; `aged_reports=True` adds the aged reports of `xero_aged`.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook

from .files import _shared_strings
from .model import (
    CUTOVER,
    Account,
    Expected,
    ExportFile,
    ProviderExport,
    XeroContact,
    XeroDocument,
    _csv,
    _plain,
    _proof,
    _uk,
)
from .xero_aged import XERO_AGED_FILES, _xero_aged_xlsx
from .xero_data import _xero_contacts, _xero_documents, _xero_extras, _xero_trial_balance

XERO_CONTACTS_HEADER = [
    "*ContactName", "AccountNumber", "EmailAddress", "FirstName", "LastName",
    "POAttentionTo", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "SAAttentionTo", "SAAddressLine1",
    "SAAddressLine2", "SAAddressLine3", "SAAddressLine4", "SACity", "SARegion",
    "SAPostalCode", "SACountry", "PhoneNumber", "FaxNumber", "MobileNumber", "DDINumber",
    "SkypeName", "BankAccountName", "BankAccountNumber", "BankAccountParticulars",
    "TaxNumber", "AccountsReceivableTaxCodeName", "AccountsPayableTaxCodeName", "Website",
    "LegalName", "Discount", "CompanyNumber", "DueDateBillDay", "DueDateBillTerm",
    "DueDateSalesDay", "DueDateSalesTerm", "SalesAccount", "PurchasesAccount",
    "Person1FirstName", "Person1LastName", "Person1Email", "Person2FirstName",
    "Person2LastName", "Person2Email",
]
XERO_DOCUMENTS_HEADER = [
    "ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3",
    "POAddressLine4", "POCity", "PORegion", "POPostalCode", "POCountry", "InvoiceNumber",
    "Reference", "InvoiceDate", "DueDate", "Total", "TaxTotal", "InvoiceAmountPaid",
    "InvoiceAmountDue", "InventoryItemCode", "Description", "Quantity", "UnitAmount",
    "Discount", "LineAmount", "AccountCode", "TaxType", "TaxAmount", "TrackingName1",
    "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency", "Type", "Sent",
    "Status",
]
XERO_TB_HEADER = ["Account", "Debit", "Credit", "YTD Debit", "YTD Credit"]
XERO_SECTIONS = ["Revenue", "Expenses", "Assets", "Liabilities", "Equity"]
XERO_FILES = ("Contacts.csv", "Invoices.csv", "Bills.csv", "TrialBalance.xlsx")


def _xero_contact_row(contact: XeroContact) -> list[str]:
    cells: dict[str, str] = {
        "*ContactName": contact.name, "AccountNumber": contact.account_number,
        "EmailAddress": contact.email, "FirstName": contact.first_name,
        "LastName": contact.last_name, "PhoneNumber": contact.phone,
        "MobileNumber": contact.mobile, "TaxNumber": contact.tax_number,
        "Website": contact.website, "LegalName": contact.legal_name,
        "CompanyNumber": contact.company_number,
    }
    for prefix, address in (("PO", contact.postal), ("SA", contact.street)):
        if address is None:
            continue
        cells[f"{prefix}AttentionTo"] = address.attention
        for i, text in enumerate(address.lines, start=1):
            cells[f"{prefix}AddressLine{i}"] = text
        cells[f"{prefix}City"] = address.city
        cells[f"{prefix}Region"] = address.region
        cells[f"{prefix}PostalCode"] = address.postal_code
        cells[f"{prefix}Country"] = address.country
    if contact.terms is not None:
        kind = "Sales" if contact.customer else "Bill"
        cells[f"DueDate{kind}Day"] = str(contact.terms[0])
        cells[f"DueDate{kind}Term"] = contact.terms[1]
    if contact.default_account:
        cells["SalesAccount" if contact.customer else "PurchasesAccount"] = (
            contact.default_account)
    for i, person in enumerate(contact.persons, start=1):
        cells[f"Person{i}FirstName"] = person.first_name
        cells[f"Person{i}LastName"] = person.last_name
        cells[f"Person{i}Email"] = person.email
    return [cells.get(column, "") for column in XERO_CONTACTS_HEADER]


def _xero_document_rows(documents: Sequence[XeroDocument]) -> list[list[str]]:
    line_cells: dict[int, list[str]] = {}
    date_text: dict[date | None, str] = {}
    contact_cells: dict[int, list[str]] = {}
    rows: list[list[str]] = []
    for document in documents:
        contact = document.contact
        address = contact_cells.get(id(contact))
        if address is None:
            po = contact.postal
            lines = [*po.lines, "", "", "", ""][:4] if po else ["", "", "", ""]
            address = contact_cells[id(contact)] = [
                contact.email, *lines, po.city if po else "", po.region if po else "",
                po.postal_code if po else "", po.country if po else ""]
        dates = []
        for day in (document.dated, document.due_date):
            text = date_text.get(day)
            if text is None:
                text = date_text[day] = _uk(day)
            dates.append(text)
        head = [document.written_name, *address, document.number, document.reference,
                *dates, _plain(document.total_minor), _plain(document.tax_total_minor),
                _plain(document.paid_minor), _plain(document.due_minor)]
        tail = ["GBP", document.type, "Sent" if document.sent else "", document.status]
        for line in document.lines:
            cells = line_cells.get(id(line))
            if cells is None:
                track = line.tracking or ("", "")
                cells = line_cells[id(line)] = [
                    line.item_code, line.description, f"{line.quantity:.4f}",
                    str(line.unit_amount),
                    "" if line.discount is None else f"{line.discount:.2f}",
                    _plain(line.net_minor), line.account_code, line.tax_type,
                    _plain(line.tax_minor), *track, "", ""]
            rows.append(head + cells + tail)
    return rows


def _xero_tb_xlsx(accounts: Sequence[Account]) -> bytes:
    """Xero's Trial Balance report as Excel: title rows, header, sections, Total."""
    wb = Workbook()
    wb.properties.creator = "Xero"
    ws = wb.active
    ws.title = "Trial Balance"
    ws.append(["Trial Balance"])
    ws.append(["Highland Widgets Ltd"])
    ws.append([f"As at {CUTOVER.day} {CUTOVER:%B %Y}"])
    ws.append([])
    ws.append(XERO_TB_HEADER)
    totals = [0, 0, 0, 0]

    def sides(minor: int) -> list[int | None]:
        return [minor if minor > 0 else None, -minor if minor < 0 else None]

    for section in XERO_SECTIONS:
        ws.append([section])
        for account in accounts:
            if account.section != section:
                continue
            amounts = sides(account.month_minor) + sides(account.balance_minor)
            for i, amount in enumerate(amounts):
                totals[i] += amount or 0
            ws.append([account.name, *(None if a is None else a / 100 for a in amounts)])
        ws.append([])
    ws.append(["Total", *(t / 100 for t in totals)])
    for row in ws.iter_rows(min_row=6, min_col=2, max_col=5):
        for cell in row:
            if cell.value is not None:
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return _shared_strings(out.getvalue())


def xero_export(*, extra_invoices: int = 0, seed: int = 7,
                aged_reports: bool = False) -> ProviderExport:
    """Highland Widgets Ltd's Xero export at the cutover: Contacts.csv, Invoices.csv,
    Bills.csv and TrialBalance.xlsx, and what reading them must find. `aged_reports`: the
    Aged Receivables and Payables Detail reports of the same open documents as well, in
    `alternatives` (AgedReceivablesDetail.xlsx, AgedPayablesDetail.xlsx)."""
    contacts = _xero_contacts()
    invoices, bills = _xero_documents({c.name: c for c in contacts})
    extras = _xero_extras(extra_invoices, [c for c in contacts if c.customer],
                          random.Random(seed))
    invoices += extras
    debtors = sum(d.signed_due_minor for d in invoices if d.posted)
    creditors = sum(d.signed_due_minor for d in bills if d.posted)
    accounts = _xero_trial_balance(debtors, creditors,
                                   sum(d.due_minor for d in extras))
    invoice_rows = _xero_document_rows(invoices)
    bill_rows = _xero_document_rows(bills)
    files = (
        ExportFile("Contacts.csv", _csv([XERO_CONTACTS_HEADER,
                                         *map(_xero_contact_row, contacts)], bom=True)),
        ExportFile("Invoices.csv", _csv([XERO_DOCUMENTS_HEADER, *invoice_rows], bom=True)),
        ExportFile("Bills.csv", _csv([XERO_DOCUMENTS_HEADER, *bill_rows], bom=True)),
        ExportFile("TrialBalance.xlsx", _xero_tb_xlsx(accounts)),
    )
    alternatives = (
        ExportFile(XERO_AGED_FILES[0], _xero_aged_xlsx(
            "Aged Receivables Detail", [d for d in invoices if d.posted])),
        ExportFile(XERO_AGED_FILES[1], _xero_aged_xlsx(
            "Aged Payables Detail", [d for d in bills if d.posted])),
    ) if aged_reports else ()
    proof = _proof(accounts, [d.due_minor for d in (*invoices, *bills) if d.posted])
    posted_invoices = sum(1 for d in invoices if d.posted)
    posted_bills = sum(1 for d in bills if d.posted)
    expected = Expected(
        contacts=len(contacts), balances=len(accounts),
        invoices_created=posted_invoices, invoices_skipped=len(invoices) - posted_invoices,
        bills_created=posted_bills, bills_skipped=len(bills) - posted_bills,
        invoice_line_rows=len(invoice_rows), bill_line_rows=len(bill_rows),
        debtors_minor=debtors, creditors_minor=creditors, total_debits_minor=proof,
        total_credits_minor=proof, currency="GBP", cutover=CUTOVER)
    return ProviderExport("xero", files, expected, alternatives)
