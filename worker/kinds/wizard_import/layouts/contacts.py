"""Contact lists (Xero's contacts export, QuickBooks' customer and vendor lists): one row,
one contact, its fields from the columns a layout names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from worker.kinds.wizard_import.layouts.base import NO_ERRORS, CellReader, Item
from worker.kinds.wizard_import.values import CellError, is_blank, parse_whole_number
from worker.wizard.records import ContactRecord

TEXT_FIELDS = ("email", "phone", "address1", "address2", "address3", "town", "region",
               "postcode", "country", "vat_number", "company_number")


class ContactRows(CellReader):
    """Reads contacts. `fields` maps a ContactRecord field to the column keys that may
    feed it, the first non-blank one winning (Xero's postal address, else its street
    address)."""

    fields: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __post_init__(self) -> None:
        super().__post_init__()
        self.map(name="name")
        for record_field, keys in self.fields.items():
            labels = [self.header.labels[k] for k in keys if k in self.header.labels]
            if labels:
                self.mapping[record_field] = " / ".join(labels)

    def first(self, cells: Sequence[object], keys: tuple[str, ...]) -> str | None:
        for key in keys:
            if (text := self.text(cells, key)) is not None:
                return text
        return None

    def payment_terms(self, number: int, cells: Sequence[object]) -> int | None:
        return None

    def row(self, number: int, cells: Sequence[object]) -> Item | None:
        name = self.text(cells, "name")
        if name is None:
            if all(is_blank(cell) for cell in cells):
                return None
            return number, None, [self.error(number, "name", f"{self.header.labels['name']} "
                                                             "is empty.")], None
        texts = {f: self.first(cells, keys) for f, keys in self.fields.items()
                 if f in TEXT_FIELDS}
        try:
            terms = self.payment_terms(number, cells)
        except CellError as exc:
            return number, None, [self.error(number, None, str(exc))], None
        return number, ContactRecord(row=number, name=name, payment_terms_days=terms,
                                     **texts), NO_ERRORS, None

    def end(self) -> Item | None:
        return None


def whole_days(value: object) -> int:
    """A number of days from a cell; CellError when it is not one."""
    days = parse_whole_number(value)
    if days < 0:
        raise CellError(f"{days} is not a number of days.")
    return days
