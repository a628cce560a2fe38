"""What QuickBooks' open-item reports share (A/R and A/P Aging Detail, Open Invoices, Unpaid
Bills): a header with an empty first cell, a date, a transaction type, a number, a due
date and the open balance; read by open_items.OpenItems."""

from __future__ import annotations

from worker.kinds.wizard_import.layouts.base import Column, Header, Layout, ReadContext, Reader
from worker.kinds.wizard_import.layouts.open_items import OpenItems
from worker.wizard.records import ImportType

DATE = Column("dated_on", ("Date",), required=True)
TYPE = Column("type", ("Transaction type",), required=True)
NUMBER = Column("reference", ("Num", "No."), required=True)
DUE = Column("due_on", ("Due date",), required=True)
AMOUNT = Column("amount", ("Amount",))
OPEN = Column("open", ("Open balance",), required=True)
CUSTOMER = Column("contact", ("Customer full name", "Customer", "Customer name"), required=True)
VENDOR = Column("contact", ("Vendor display name", "Vendor", "Supplier", "Vendor name"),
                required=True)


class OpenItemsLayout(Layout):
    provider = "quickbooks"
    label_first = True
    windows_1252 = True
    date_keys = ("dated_on", "due_on")

    def required(self, import_type: ImportType) -> tuple[tuple[str, ...], ...]:
        return (("label", *(c.key for c in self.columns if c.required)),)

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return OpenItems(ctx, header)
