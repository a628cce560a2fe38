"""Open documents listed one a row in a QuickBooks report (A/R and A/P Aging Detail, Open
Invoices, Unpaid Bills): each detail row is a document with what is still due on it, its
`Open balance`; a negative open balance (a credit memo, a supplier credit, an unapplied
payment) is a credit note. A row with nothing open is skipped. The report's totals are
checked over `Amount` and `Open balance`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from worker.kinds.wizard_import.layouts.base import NO_ERRORS, Item
from worker.kinds.wizard_import.layouts.quickbooks_report import QuickBooksReport
from worker.wizard.records import DocumentRecord, ImportType, RowError

# QuickBooks' transaction types that are credits to the customer or from the vendor
CREDIT_TYPES = ("credit memo", "supplier credit", "vendor credit", "payment",
                "bill payment (check)", "bill payment (credit card)", "refund receipt")


class OpenItems(QuickBooksReport):
    """The detail rows of an open-items report."""

    checked = ("amount", "open")

    def __post_init__(self) -> None:
        super().__post_init__()
        self.document_type: Literal["invoice", "bill"] = (
            "invoice" if self.ctx.import_type is ImportType.INVOICES else "bill")
        self.map(reference="reference", contact="contact", dated_on="dated_on",
                 due_on="due_on", total_minor="amount", due_minor="open")
        if "contact" not in self.header.index:
            self.mapping["contact"] = "(the group row above)"

    def detail(self, number: int, cells: Sequence[object]) -> Item | None:
        errors: list[RowError] = []
        kind = self.text(cells, "type")
        dated_on = self.date(number, cells, "dated_on", errors, required=True)
        due_on = self.date(number, cells, "due_on", errors)
        amount = self.money(number, cells, "amount", errors)
        due = self.money(number, cells, "open", errors, required=True)
        self.totals.add({"amount": amount, "open": due})
        contact = self.text(cells, "contact") if "contact" in self.header.index else self.group
        if contact is None:
            party = "customer" if self.document_type == "invoice" else "vendor"
            errors.append(self.error(number, "contact", f"The document names no {party}."))
        if dated_on is not None and due != 0:  # what is not posted may be later
            self.after_cutover(number, "dated_on", dated_on, errors)
        if errors or dated_on is None or due is None or contact is None:
            return number, None, errors, None
        credit = (kind or "").casefold() in CREDIT_TYPES
        if credit or due < 0:  # a credit memo or supplier credit takes away, whatever sign
            due = -abs(due)
            amount = -abs(amount) if amount is not None else None
        # QuickBooks leaves Num blank when none was typed: a stable name from the row
        reference = (self.text(cells, "reference")
                     or f"{kind or 'Document'} of {dated_on.isoformat()} (row {number})")
        total = amount if amount is not None else due
        record = DocumentRecord(
            row=number, document_type=self.document_type, reference=reference, contact=contact,
            dated_on=dated_on, currency=self.ctx.currency, total_minor=total, due_minor=due,
            due_on=due_on, paid_minor=total - due, credit_note=credit or due < 0)
        if due == 0:
            return number, record, NO_ERRORS, "paid: nothing open at the cutover"
        return number, record, NO_ERRORS, None
