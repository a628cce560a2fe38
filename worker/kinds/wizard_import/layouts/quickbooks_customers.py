"""quickbooks.customers: QuickBooks Online's Customer Contact List report (Reports > Customer
Contact List > Export): `Customer full name, Phone numbers, Email, Full name, Bill address,
Ship address`, below a title block."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from worker.kinds.wizard_import.layouts.base import (
    Column,
    Header,
    Item,
    Layout,
    ReadContext,
    Reader,
)
from worker.kinds.wizard_import.layouts.contacts import ContactRows
from worker.kinds.wizard_import.layouts.quickbooks_report import is_footer
from worker.wizard.records import ImportType


class QuickBooksContactRows(ContactRows):
    """A QuickBooks contact list: its footer line is no contact."""

    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "email": ("email",), "phone": ("phone",), "address1": ("address",),
        "address2": ("ship_address",)}

    def row(self, number: int, cells: Sequence[object]) -> Item | None:
        name = self.text(cells, "name")
        rest = [cell for i, cell in enumerate(cells) if i != self.header.index["name"]]
        if name is not None and is_footer(name) and all(not c for c in rest):
            return None
        return super().row(number, cells)


class QuickBooksCustomers(Layout):
    name = "quickbooks.customers"
    provider = "quickbooks"
    title = "QuickBooks Customer Contact List"
    import_type = ImportType.CONTACTS
    windows_1252 = True
    columns = (
        Column("name", ("Customer full name", "Customer"), required=True),
        Column("phone", ("Phone numbers", "Phone")),
        Column("email", ("Email",), required=True),
        Column("full_name", ("Full name",)),
        Column("address", ("Bill address", "Billing address")),
        Column("ship_address", ("Ship address", "Shipping address")),
    )

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return QuickBooksContactRows(ctx, header)
