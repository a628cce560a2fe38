"""xero.contacts: Xero's contacts export (Contacts > Export): `*ContactName` (the star marks
Xero's required columns), email, names, a postal (`PO…`) and a street (`SA…`) address, phone
numbers, tax and company numbers, sales due-date terms, `Person1…` columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from worker.kinds.wizard_import.layouts.base import Column, Header, Layout, ReadContext, Reader
from worker.kinds.wizard_import.layouts.contacts import ContactRows, whole_days
from worker.kinds.wizard_import.values import is_blank
from worker.wizard.records import ImportType


def _address(part: str, key: str, required: bool = False) -> tuple[Column, Column]:
    # the street address's first line is what tells a contacts file from an invoices one
    # (which has the postal address only)
    return (Column(f"po_{key}", (f"PO{part}",)),
            Column(f"sa_{key}", (f"SA{part}",), required=required))


class XeroContactRows(ContactRows):
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "email": ("email",), "phone": ("phone", "mobile"),
        "address1": ("po_line1", "sa_line1"), "address2": ("po_line2", "sa_line2"),
        "address3": ("po_line3", "sa_line3"), "town": ("po_city", "sa_city"),
        "region": ("po_region", "sa_region"), "postcode": ("po_postcode", "sa_postcode"),
        "country": ("po_country", "sa_country"), "vat_number": ("tax_number",),
        "company_number": ("company_number",),
    }

    def __post_init__(self) -> None:
        super().__post_init__()
        self.map(payment_terms_days="sales_day")

    def payment_terms(self, number: int, cells: Sequence[object]) -> int | None:
        """Days after the invoice date, when the terms are of that kind (Xero's other
        terms, "of the following month", are not a number of days)."""
        day = self.cell(cells, "sales_day")
        if is_blank(day) or self.text(cells, "sales_term") != "DAYSAFTERBILLDATE":
            return None
        return whole_days(day)


class XeroContacts(Layout):
    name = "xero.contacts"
    provider = "xero"
    title = "Xero contacts export"
    import_type = ImportType.CONTACTS
    windows_1252 = True
    columns = (
        Column("name", ("ContactName",), required=True),
        Column("email", ("EmailAddress",)),
        Column("first_name", ("FirstName",)),
        Column("last_name", ("LastName",)),
        *_address("AddressLine1", "line1", required=True), *_address("AddressLine2", "line2"),
        *_address("AddressLine3", "line3"), *_address("City", "city"),
        *_address("Region", "region"), *_address("PostalCode", "postcode"),
        *_address("Country", "country"),
        Column("phone", ("PhoneNumber",)),
        Column("mobile", ("MobileNumber",)),
        Column("tax_number", ("TaxNumber",)),
        Column("company_number", ("CompanyNumber",)),
        Column("sales_day", ("DueDateSalesDay",)),
        Column("sales_term", ("DueDateSalesTerm",)),
    )

    def reader(self, ctx: ReadContext, header: Header) -> Reader:
        return XeroContactRows(ctx, header)
