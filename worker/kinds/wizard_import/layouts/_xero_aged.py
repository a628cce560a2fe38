"""What Xero's Aged Receivables Detail and Aged Payables Detail reports share (Accounting >
Reports, as at the cutover, exported to Excel or CSV): title rows (the report's name, the
organisation, `As at …`, `Ageing by due date`), a header `Invoice Date, Invoice Number,
Invoice Reference, Due Date, Current, < 1 Month, 1 Month, 2 Months, 3 Months, Older,
Total`, then per contact a heading row (its name alone), one row per unpaid document, and
`Total <contact>`; a `Total` row ends the report (a `Percentage of total` row may follow).
Each document's `Total` is what is still due at the report's date; credit notes and
overpayments are negative. Every amount column's totals are checked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from worker.kinds.wizard_import.layouts.base import (
    NO_ERRORS,
    CellReader,
    Column,
    Header,
    Item,
    Layout,
    ReadContext,
    Reader,
)
from worker.kinds.wizard_import.layouts.reports import ReportTotals
from worker.kinds.wizard_import.values import cell_text, is_blank
from worker.wizard.records import DocumentRecord, ImportType, RowError

_BUCKETS = ("current", "under_1", "month_1", "months_2", "months_3", "older")
COLUMNS = (
    Column("dated_on", ("Invoice Date", "Date"), required=True),
    Column("reference", ("Invoice Number", "Number"), required=True),
    Column("their_reference", ("Invoice Reference", "Reference")),
    Column("due_on", ("Due Date",)),
    Column("current", ("Current",), required=True),
    Column("under_1", ("< 1 Month",)),
    Column("month_1", ("1 Month",)),
    Column("months_2", ("2 Months",)),
    Column("months_3", ("3 Months",)),
    Column("older", ("Older",)),
    Column("total", ("Total",), required=True),
)


class XeroAgedRows(CellReader):
    """The rows of an aged detail report: contacts' headings, documents, totals."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.document_type: Literal["invoice", "bill"] = (
            "invoice" if self.ctx.import_type is ImportType.INVOICES else "bill")
        self.totals = ReportTotals(self, (*_BUCKETS, "total"))
        self.contact: str | None = None
        self.map(reference="reference", dated_on="dated_on", due_on="due_on",
                 total_minor="total", due_minor="total")
        self.mapping["contact"] = "(the contact's heading row)"

    def row(self, number: int, cells: Sequence[object]) -> Item | None:
        first = cell_text(cells[0]) if cells else None
        if first is not None and (of := self.totals.total_of(first, cells)) is not None:
            self.totals.close(number, cells, of, first)
            self.contact = None
            return None
        rest_blank = all(is_blank(cell) for cell in cells[1:])
        if first is not None and rest_blank:
            if first.casefold() != "percentage of total":
                self.totals.open(first, number)
                self.contact = first
            return None
        if first is not None and first.casefold() == "percentage of total":
            return None
        return self._document(number, cells)

    def _document(self, number: int, cells: Sequence[object]) -> Item:
        errors: list[RowError] = []
        dated_on = self.date(number, cells, "dated_on", errors, required=True)
        due_on = self.date(number, cells, "due_on", errors)
        amounts = {key: self.money(number, cells, key, errors) for key in (*_BUCKETS, "total")}
        self.totals.add(amounts)
        due = amounts["total"]
        if due is None and not any(e.column == self.header.labels["total"] for e in errors):
            errors.append(self.error(number, "total", f"{self.header.labels['total']} is "
                                                      "empty."))
        reference = self.required_text(number, cells, "reference", errors)
        if self.contact is None:
            errors.append(self.error(number, None, "The document has no contact heading "
                                                   "above it."))
        if dated_on is not None and due != 0:  # what is not posted may be later
            self.after_cutover(number, "dated_on", dated_on, errors)
        if errors or dated_on is None or due is None or self.contact is None:
            return number, None, errors, None
        record = DocumentRecord(
            row=number, document_type=self.document_type, reference=reference,
            contact=self.contact, dated_on=dated_on, currency=self.ctx.currency, total_minor=due,
            due_minor=due, due_on=due_on, credit_note=due < 0)
        if due == 0:
            return number, record, NO_ERRORS, "paid: nothing due at the cutover"
        return number, record, NO_ERRORS, None

    def end(self) -> Item | None:
        self.summary["reportTotals"] = self.totals.summary()
        return None


class XeroAgedDetail(Layout):
    provider = "xero"
    windows_1252 = True
    columns = COLUMNS
    date_keys = ("dated_on", "due_on")

    def accepts(self, header: Header, rows: Sequence[tuple[int, Sequence[object]]]) -> bool:
        """Receivables and payables share a header: the report's title row tells them
        apart (not an organisation whose name holds the word)."""
        wanted = ("aged payables" if self.import_type is ImportType.BILLS
                  else "aged receivables")
        return any(isinstance(cells[0], str) and cells[0].casefold().startswith(wanted)
                   for number, cells in rows if number < header.row and cells)

    def refusal(self, header: Header) -> str:
        return ("its title rows do not say whether it is Aged Receivables Detail or Aged "
                "Payables Detail: export the report again with its title")

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return XeroAgedRows(ctx, header)
