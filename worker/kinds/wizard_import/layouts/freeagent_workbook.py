"""freeagent.workbook: the FreeAgent .xlsx export (freeagent-workbook.md): sheets found by
name, each read in the flat columns of freeagent-workbook.md, except an invoices or bills
sheet as FreeAgent itself writes it: one row per document (`Contact Organisation`,
`Reference`, `Date`, `Status`, `Paid Amount`, `Total Value`, …) followed by its line-item
rows (`Item Type`, `Description`, `Quantity`, `Price`, `Net Amount`, `Sales Tax Amount`),
whose contact and date cells are blank.

FreeAgent is a UK ledger: a text date that reads either way is day-first unless the
import says otherwise (DMY is this layout's default order)."""

from __future__ import annotations

from collections.abc import Sequence

from worker.kinds.wizard_import.layouts.base import Column, Header, Layout, ReadContext, Reader
from worker.kinds.wizard_import.layouts.flat import FlatLayout
from worker.kinds.wizard_import.layouts.line_items import LineItemDocuments
from worker.kinds.wizard_import.values import is_blank
from worker.wizard.records import ImportType, RowError

_LINE_ITEM_COLUMNS = (
    Column("contact", ("Contact Organisation",), required=True),
    Column("contact_name", ("Contact Name",)),
    Column("reference", ("Reference",), required=True),
    Column("dated_on", ("Date",), required=True),
    Column("terms", ("Payment Terms In Days",)),
    Column("status", ("Status",)),
    Column("paid", ("Paid Amount",)),
    Column("net", ("Net Amount",)),
    Column("tax_total", ("Sales Tax Amount",)),
    Column("total", ("Total Value",), required=True),
    Column("currency", ("Currency",)),
    Column("item_type", ("Item Type",), required=True),
)
# FreeAgent's invoice and bill statuses (hyphens and case aside): those never posted, and
# those posted for what they still owe (nothing owed: skipped as paid)
_SKIPPED = {"draft": "draft", "cancelled": "voided", "written off": "written off",
            "refunded": "refunded", "zero value": "paid"}
_POSTED = ("", "open", "sent", "overdue", "scheduled", "scheduled to email", "paid",
           "overpaid", "part written off", "part paid")


class FreeAgentLines(LineItemDocuments):
    line_keys = ("net", "tax_total")
    lines_named = "Net Amount + Sales Tax Amount"
    first_row_is_line = False  # the document's row holds the document's amounts

    def identity(self, cells: Sequence[object]) -> tuple[object, ...] | None:
        contact = self.contact(cells)
        reference = self.text(cells, "reference")
        if contact is None and reference is None and all(
                is_blank(self.cell(cells, key)) for key in ("dated_on", "total")):
            return None  # a line item of the document above: no document cells at all
        return reference or "", (contact or "").casefold()

    def contact(self, cells: Sequence[object]) -> str | None:
        return self.text(cells, "contact") or self.text(cells, "contact_name")

    def skip_reason(self, row: int, cells: Sequence[object], errors: list[RowError]
                    ) -> str | None:
        status = " ".join((self.text(cells, "status") or "").replace("-", " ").split()
                          ).casefold()
        if status in _SKIPPED:
            return _SKIPPED[status]
        if status not in _POSTED:
            errors.append(self.error(
                row, "status", f"Status {self.text(cells, 'status')} is not one FreeAgent "
                "writes (Draft, Open, Sent, Overdue, Scheduled, Paid, Overpaid, Part "
                "written-off, Written-off, Cancelled, Refunded, Zero value)."))
        return None


class _LineItemSheet(Layout):
    columns = _LINE_ITEM_COLUMNS


_LINE_ITEMS = _LineItemSheet()


class FreeAgentWorkbook(FlatLayout):
    name = "freeagent.workbook"
    provider = "freeagent"
    title = "FreeAgent workbook"
    import_type = None
    default_date_order = "DMY"
    date_keys = ("dated_on", "due_on")

    def read_header(self, row: int, cells: Sequence[object], import_type: ImportType
                    ) -> Header | None:
        if import_type in (ImportType.INVOICES, ImportType.BILLS):
            header = _LINE_ITEMS.read_header(row, cells, import_type)
            if header is not None:
                return header
        return super().read_header(row, cells, import_type)

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        if "item_type" in header.index:
            return FreeAgentLines(ctx, header)
        return super().reader(ctx, header)
