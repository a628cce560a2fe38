"""What Xero's invoice and bill exports share (Business > Invoices / Bills to pay > Export):
one row per line item, the document's own columns repeated on each; `Type` tells invoices
(ACCREC), bills (ACCPAY) and their credit notes (…CREDIT); `Status` tells what is still
open (AUTHORISED) from what is not (PAID, DRAFT, SUBMITTED, VOIDED, DELETED)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from worker.kinds.wizard_import.layouts.base import Column, Header, Layout, ReadContext, Reader
from worker.kinds.wizard_import.layouts.line_items import LineItemDocuments
from worker.wizard.records import RowError

COLUMNS = (
    Column("contact", ("ContactName",), required=True),
    Column("reference", ("InvoiceNumber",), required=True),
    Column("dated_on", ("InvoiceDate",), required=True),
    Column("due_on", ("DueDate",)),
    Column("total", ("Total",), required=True),
    Column("tax_total", ("TaxTotal",)),
    Column("paid", ("InvoiceAmountPaid",)),
    Column("due", ("InvoiceAmountDue",), required=True),
    Column("line_amount", ("LineAmount",), required=True),
    Column("line_tax", ("TaxAmount",)),
    Column("currency", ("Currency",)),
    Column("type", ("Type",), required=True),
    Column("status", ("Status",), required=True),
)
_SKIPPED = {"PAID": "paid", "DRAFT": "draft", "SUBMITTED": "draft", "VOIDED": "voided",
            "DELETED": "deleted"}


class XeroLines(LineItemDocuments):
    """A Xero export's documents; `prefix` is its Type's (ACCREC or ACCPAY)."""

    prefix: ClassVar[str]

    def _type(self, row: int, cells: Sequence[object], errors: list[RowError]) -> str:
        kind = (self.text(cells, "type") or "").upper()
        if kind not in (self.prefix, self.prefix + "CREDIT"):
            errors.append(self.error(
                row, "type", f"Type {kind or '(empty)'} is not {self.prefix} or "
                f"{self.prefix}CREDIT: this file holds "
                f"{'sales invoices' if self.prefix == 'ACCREC' else 'bills'} only; export "
                "the other kind to its own file."))
        return kind

    def is_credit(self, row: int, cells: Sequence[object], errors: list[RowError]) -> bool:
        return self._type(row, cells, errors).endswith("CREDIT")

    def skip_reason(self, row: int, cells: Sequence[object], errors: list[RowError]
                    ) -> str | None:
        status = (self.text(cells, "status") or "").upper()
        if status == "AUTHORISED":
            return None
        if status in _SKIPPED:
            return _SKIPPED[status]
        errors.append(self.error(
            row, "status", f"Status {status or '(empty)'} is not one Xero exports "
            "(AUTHORISED, PAID, DRAFT, SUBMITTED, VOIDED, DELETED)."))
        return None


class XeroDocuments(Layout):
    """xero.invoices and xero.bills: one header, told apart by their rows' Type."""

    provider = "xero"
    windows_1252 = True
    columns = COLUMNS
    date_keys = ("dated_on", "due_on")
    lines: ClassVar[type[XeroLines]]

    def accepts(self, header: Header, rows: Sequence[tuple[int, Sequence[object]]]) -> bool:
        position = header.index["type"]
        kinds = {str(cells[position]).strip().upper() for number, cells in rows
                 if number > header.row and position < len(cells) and cells[position]}
        return bool(kinds) and all(k.startswith(self.lines.prefix) for k in kinds)

    def refusal(self, header: Header) -> str:
        return (f"its {header.labels['type']} column does not hold only ACCREC (sales) or "
                "only ACCPAY (purchases) rows: export invoices and bills to separate files, "
                "with their rows")

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return self.lines(ctx, header)
