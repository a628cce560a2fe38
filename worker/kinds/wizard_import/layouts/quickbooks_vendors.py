"""quickbooks.vendors: QuickBooks Online's Vendor Contact List report: `Vendor, Phone
numbers, Email, Full name, Address, Account #`, below a title block. Its contacts join the
customers' in one contacts import."""

from __future__ import annotations

from typing import ClassVar

from worker.kinds.wizard_import.layouts.base import Column, Header, Layout, ReadContext, Reader
from worker.kinds.wizard_import.layouts.quickbooks_customers import QuickBooksContactRows
from worker.wizard.records import ImportType


class _VendorRows(QuickBooksContactRows):
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "email": ("email",), "phone": ("phone",), "address1": ("address",)}


class QuickBooksVendors(Layout):
    name = "quickbooks.vendors"
    provider = "quickbooks"
    title = "QuickBooks Vendor Contact List"
    import_type = ImportType.CONTACTS
    windows_1252 = True
    columns = (
        Column("name", ("Vendor", "Vendor display name", "Supplier", "Company name"),
               required=True),
        Column("phone", ("Phone numbers", "Phone")),
        Column("email", ("Email",), required=True),
        Column("full_name", ("Full name",)),
        Column("address", ("Address",)),
        Column("account", ("Account #",)),
    )

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return _VendorRows(ctx, header)
