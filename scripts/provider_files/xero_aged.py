"""Xero's Aged Receivables / Payables Detail reports.

`xero_export(aged_reports=True)` adds, in `alternatives` (not `files`: uploaded with
Invoices.csv and Bills.csv they would give the documents twice), the same open documents
(AUTHORISED, something due) as Xero's Aged Receivables / Payables Detail reports:

- **AgedReceivablesDetail.xlsx** / **AgedPayablesDetail.xlsx**: sheet named as the report,
  title rows (`Aged Receivables Detail` / `Aged Payables Detail`, organisation, `As at 30
  September 2026`, `Ageing by due date`), a blank row, the header `Invoice Date, Invoice
  Number, Invoice Reference, Due Date, Current, < 1 Month, 1 Month, 2 Months, 3 Months,
  Older, Total`; per contact, sorted by name (the contact's own name, not the variant a
  document was written with), a heading row with the name alone, its documents by date
  and `Total <contact>`; then `Total` and `Percentage of total` (text, "67%"). A
  document's amount due (credit notes negative) is in its ageing column and in Total:
  Current if due on or after the cutover, else by whole calendar months overdue (< 1
  Month, 1 Month, 2 Months, 3 Months, Older); a credit note, which has no due date, by its
  date. Dates are Excel date cells (`d mmm yyyy`), amounts float cells, blank for zero.
  The base documents fill Current to 2 Months; 3 Months and Older stay blank.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook

from .files import _shared_strings
from .model import CUTOVER, XeroDocument

XERO_AGED_HEADER = ["Invoice Date", "Invoice Number", "Invoice Reference", "Due Date",
                    "Current", "< 1 Month", "1 Month", "2 Months", "3 Months", "Older",
                    "Total"]
XERO_AGED_FILES = ("AgedReceivablesDetail.xlsx", "AgedPayablesDetail.xlsx")


def _months_late(due: date, on: date) -> int:
    """Whole calendar months from `due` to `on` (a later day): 31 Aug to 30 Sep is 0."""
    months = (on.year - due.year) * 12 + on.month - due.month
    return months - 1 if on.day < due.day else months


def _xero_aged_column(document: XeroDocument) -> int:
    """The ageing column (0 Current … 5 Older) of a document's due at the cutover, by its
    due date (a credit note, which has none, by its date)."""
    day = document.due_date or document.dated
    return 0 if day >= CUTOVER else 1 + min(_months_late(day, CUTOVER), 4)


def _percent(part: int, whole: int) -> str:
    """`part` as a whole percentage of `whole`, half away from zero: "14%", "-2%"."""
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{value}%"


def _xero_aged_xlsx(title: str, documents: Sequence[XeroDocument]) -> bytes:
    """Xero's Aged Receivables / Payables Detail report as Excel, ageing by due date: title
    rows, header, per contact (by name) a heading row, its open documents (by date) with
    the amount due in its ageing column and in Total, credit notes negative, and `Total
    <contact>`; a `Total` row and a `Percentage of total` row. Blank for zero."""
    wb = Workbook()
    wb.properties.creator = "Xero"
    ws = wb.active
    ws.title = title
    ws.append([title])
    ws.append(["Highland Widgets Ltd"])
    ws.append([f"As at {CUTOVER.day} {CUTOVER:%B %Y}"])
    ws.append(["Ageing by due date"])
    ws.append([])
    ws.append(XERO_AGED_HEADER)
    by_contact: dict[str, list[XeroDocument]] = {}
    for document in documents:
        by_contact.setdefault(document.contact.name, []).append(document)

    def amounts(sums: Sequence[int]) -> list[float | None]:
        return [minor / 100 if minor else None for minor in sums]

    overall = [0] * 7  # the six ageing columns and Total
    for name in sorted(by_contact, key=lambda name: (name.casefold(), name)):
        ws.append([name])
        sums = [0] * 7
        for document in sorted(by_contact[name], key=lambda d: (d.dated, d.number)):
            row = [0] * 7
            row[_xero_aged_column(document)] = row[6] = document.signed_due_minor
            sums = [a + b for a, b in zip(sums, row, strict=True)]
            ws.append([document.dated, document.number, document.reference or None,
                       document.due_date, *amounts(row)])
        ws.append([f"Total {name}", None, None, None, *amounts(sums)])
        overall = [a + b for a, b in zip(overall, sums, strict=True)]
    ws.append(["Total", None, None, None, *amounts(overall)])
    ws.append(["Percentage of total", None, None, None,
               *(_percent(minor, overall[6]) if minor and overall[6] else None
                 for minor in overall)])
    for row in ws.iter_rows(min_row=7):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "d mmm yyyy"
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return _shared_strings(out.getvalue())
