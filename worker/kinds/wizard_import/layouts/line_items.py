"""Documents written as line items (Xero's invoice and bill exports, FreeAgent's invoices
sheet): the rows of one document become one document record.

A document's own cells (number, contact, dates, total, paid, due, status, type) come from
its first row; every row of it adds its line's amount and tax. Its total is checked
against its lines: a difference over one minor unit is one row error naming the document
and both sums. What is posted is what is still due at the cutover; drafts, voided and
deleted documents, and those with nothing due, are staged as skipped, with the reason.
Credit notes are documents with `credit_note` set and negative amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from worker.kinds.wizard_import.layouts.base import NO_ERRORS, CellReader, Item
from worker.kinds.wizard_import.values import cell_text, is_blank, other_currency
from worker.wizard.proof import format_money
from worker.wizard.records import DocumentRecord, ImportType, RowError


@dataclass
class _Document:
    """A document being read: its first row and what its rows added up to."""

    row: int
    identity: tuple[object, ...]  # what its rows share: number, contact (type, status)
    cells: Sequence[object]  # its first row
    lines: int = 0
    lines_minor: int = 0
    errors: list[RowError] = field(default_factory=list)


class LineItemDocuments(CellReader):
    """The reader; a layout's subclass says where a document starts, what its status and
    type mean, and which columns are a line's amount and tax."""

    line_keys: tuple[str, str] = ("line_amount", "line_tax")
    lines_named: str = "LineAmount + TaxAmount"
    first_row_is_line: bool = True  # Xero repeats the document on each line's row

    def __post_init__(self) -> None:
        super().__post_init__()
        self.document_type: Literal["invoice", "bill"] = (
            "invoice" if self.ctx.import_type is ImportType.INVOICES else "bill")
        self.current: _Document | None = None
        # each document's first row, by its identity's hash (40,000 identities cost 15 MB,
        # their hashes a tenth): its rows must be together (a split file is no export)
        self.finished: dict[int, int] = {}
        self.line_rows = 0
        self.skipped: dict[str, int] = {}
        self.map(reference="reference", contact="contact", dated_on="dated_on",
                 due_on="due_on", total_minor="total", paid_minor="paid", due_minor="due",
                 vat_minor="tax_total", currency="currency")
        self.summary["lineItems"] = {"lines": self.lines_named}

    # --- what a layout says ----------------------------------------------------------------

    def identity(self, cells: Sequence[object]) -> tuple[object, ...] | None:
        """The document a row belongs to (number, contact, type, status: a voided invoice
        and its reissue share a number), or None for a line row that continues the
        document above it."""
        # the document's cells as written: its rows repeat them exactly
        return tuple(self.cell(cells, key) for key in ("reference", "contact", "type", "status"))

    def skip_reason(self, row: int, cells: Sequence[object], errors: list[RowError]
                    ) -> str | None:
        """Why a document is not posted whatever it owes (draft, voided, deleted)."""
        return None

    def is_credit(self, row: int, cells: Sequence[object], errors: list[RowError]) -> bool:
        """Whether the document is a credit note written with positive amounts (Xero's
        …CREDIT types); a document whose total is negative is one anyway."""
        return False

    def contact(self, cells: Sequence[object]) -> str | None:
        return self.text(cells, "contact")

    # --- reading ---------------------------------------------------------------------------

    def row(self, number: int, cells: Sequence[object]) -> Item | None:
        self.line_rows += 1
        identity = self.identity(cells)
        done: Item | None = None
        current = self.current
        if identity is not None and (current is None or identity != current.identity):
            done = self._finish()
            self.current = current = _Document(number, identity, cells)
            if (first := self.finished.setdefault(hash(identity), number)) != number:
                current.errors.append(self.error(
                    number, "reference",
                    f"{self.text(cells, 'reference') or 'This document'}'s rows are not "
                    f"together: it began on row {first} and begins again here. Export the "
                    "file again, unedited (sorting or filtering it splits documents)."))
            if not self.first_row_is_line:
                return done
        elif current is None:
            return (number, None, [self.error(
                number, "reference", "A line item with no document above it: its document's "
                "own row (number, contact, date) is missing.")], None)
        self._add_line(number, cells, current)
        return done

    def end(self) -> Item | None:
        self.summary["lineItems"]["rows"] = self.line_rows
        if self.skipped:
            self.summary["skippedDocuments"] = self.skipped
        return self._finish()

    def _add_line(self, number: int, cells: Sequence[object], doc: _Document) -> None:
        amount_key, tax_key = self.line_keys
        amount = self.money(number, cells, amount_key, doc.errors)
        tax = self.money(number, cells, tax_key, doc.errors)
        if amount is not None or tax is not None:
            doc.lines += 1
            doc.lines_minor += (amount or 0) + (tax or 0)

    def _finish(self) -> Item | None:
        doc, self.current = self.current, None
        if doc is None:
            return None
        row, cells, errors = doc.row, doc.cells, doc.errors
        skip = self.skip_reason(row, cells, errors)
        credit = self.is_credit(row, cells, errors)
        reference = self.required_text(row, cells, "reference", errors)
        contact = self.contact(cells)
        if contact is None:
            errors.append(self.error(row, "contact", f"{self.header.labels['contact']} is "
                                                     "empty."))
        dated_on = self.date(row, cells, "dated_on", errors, required=True)
        due_on = self.date(row, cells, "due_on", errors)
        self._currency(row, cells, errors)
        total = self.money(row, cells, "total", errors, required=True)
        paid = self.money(row, cells, "paid", errors)
        due = self.money(row, cells, "due", errors)
        tax = self.money(row, cells, "tax_total", errors)
        if total is not None and doc.lines and abs(total - doc.lines_minor) > 1:
            errors.append(self.error(
                row, "total",
                f"{reference or 'The document'}'s {self.header.labels['total']} "
                f"{format_money(total, self.ctx.currency)} differs from the sum of its "
                f"{doc.lines} line{'s' if doc.lines != 1 else ''} ({self.lines_named}) "
                f"{format_money(doc.lines_minor, self.ctx.currency)}: the file was edited "
                "or cut; export it again unedited."))
        if due is None and total is not None:
            due = total - (paid or 0)
        if skip is None and due == 0:
            skip = "paid"
        if dated_on is not None and skip is None:  # what is not posted may be later
            self.after_cutover(row, "dated_on", dated_on, errors)
        if errors or total is None or due is None or dated_on is None or contact is None:
            return row, None, errors, None
        if credit:  # written positive, as Xero writes credit notes: they take away
            total, due = -abs(total), -abs(due)
            paid = -abs(paid) if paid is not None else None
            tax = -abs(tax) if tax is not None else None
        record = DocumentRecord(
            row=row, document_type=self.document_type, reference=reference, contact=contact,
            dated_on=dated_on, currency=self.ctx.currency, total_minor=total,
            due_minor=due, due_on=due_on, net_minor=total - tax if tax is not None else None,
            vat_minor=tax, paid_minor=paid, credit_note=credit or total < 0)
        if skip is not None:
            self.skipped[skip] = self.skipped.get(skip, 0) + 1
            return row, record, NO_ERRORS, f"{skip}: not outstanding at the cutover"
        return row, record, NO_ERRORS, None

    def _currency(self, row: int, cells: Sequence[object], errors: list[RowError]) -> None:
        value = self.cell(cells, "currency")
        if is_blank(value):
            return
        code = (cell_text(value) or "").upper()
        if code != self.ctx.currency:
            errors.append(self.error(row, "currency", other_currency(code, self.ctx.currency)))
