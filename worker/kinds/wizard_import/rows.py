"""From rows of cells to records and row errors, one import type at a time.

Feed a RowParser the rows of one sheet (or CSV file) in order. Rows before the header are
skipped (title rows); the header row is found by its column names (columns.py); each row
after it becomes a record or a list of row errors, every bad cell of the row reported,
never only the first. Once the rows end, `missing_header()` says why nothing was read if no
header was found.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal

from worker.kinds.wizard_import.columns import (
    Header,
    describe,
    found_keys,
    read_header,
    required_sets,
)
from worker.kinds.wizard_import.date_order import DateReader
from worker.kinds.wizard_import.values import (
    CellError,
    cell_text,
    is_blank,
    money_parser,
    other_currency,
    parse_currency,
    parse_whole_number,
    plain_float_minor,
)
from worker.money import exponent_of, is_iso_currency
from worker.wizard.records import (
    BalanceRecord,
    ContactRecord,
    DocumentRecord,
    ImportType,
    RowError,
    WizardRecord,
)

Parsed = tuple[WizardRecord | None, list[RowError]]

# a row's cells by key: their positions, the row length from which the getter applies
_Picker = tuple[list[int], int, Callable[[Sequence[object]], Any]]

_CONTACT_TEXT = ("email", "phone", "address1", "address2", "address3", "town", "region",
                 "postcode", "country", "vat_number", "company_number")


class RowParser:
    """Parses the rows of one sheet of one import type into records and row errors."""

    def __init__(self, import_type: ImportType, sheet: str, currency: str = "GBP",
                 cutover: date | None = None, dates: DateReader | None = None) -> None:
        self.import_type = ImportType(import_type)
        self.sheet = sheet
        self.currency = currency
        self.cutover = cutover
        self.dates = dates or DateReader()
        self.header: Header | None = None
        self.data_rows = 0  # non-blank rows below the header, with or without errors
        self._best: set[str] = set()  # the required columns named by the best row so far
        self._index: dict[str, int] = {}
        self._labels: dict[str, str] = {}
        self._pickers: dict[tuple[str, ...], _Picker] = {}
        self._parse_row: Callable[[int, Sequence[object]], Parsed] = {
            ImportType.CONTACTS: self._contact,
            ImportType.BALANCES: self._balance,
            ImportType.INVOICES: self._document,
            ImportType.BILLS: self._document,
        }[self.import_type]
        self._document_type: Literal["invoice", "bill"] = (
            "invoice" if self.import_type is ImportType.INVOICES else "bill")
        # the currency's decimals, for the plain rows' fast path (None: an unknown currency,
        # every row read the long way, whose amounts then say so)
        self._exponent = exponent_of(currency) if is_iso_currency(currency) else None

    @property
    def header_found(self) -> bool:
        return self.header is not None

    def use_header(self, header: Header) -> None:
        """Read the rows below a header found by someone else (a layout)."""
        self.header, self._index, self._labels = header, header.index, header.labels

    def parse(self, row_number: int, cells: Sequence[object]) -> Parsed:
        """The record of this row, or None with its errors; (None, []) for a title, header
        or blank row."""
        if self.header is None:
            self.header = read_header(self.import_type, row_number, cells)
            if self.header is None:
                found = found_keys(self.import_type, cells)
                if len(found) > len(self._best):
                    self._best = found
            else:
                self._index, self._labels = self.header.index, self.header.labels
            return None, []
        for cell in cells:  # blank rows are no data (the readers leave most out already)
            if cell is not None and (type(cell) is not str or cell.strip()):
                break
        else:
            return None, []
        self.data_rows += 1
        return self._parse_row(row_number, cells)

    def missing_header(self) -> str | None:
        """Why no row was read, when no header row was found (else None)."""
        if self.header is not None:
            return None
        if self.import_type is ImportType.CONTACTS:
            wanted = (f"{describe(self.import_type, 'organisation')}, or First Name and "
                      "Last Name")
        else:
            (keys,) = required_sets(self.import_type)
            wanted = ", ".join(describe(self.import_type, key) for key in keys
                               if key not in self._best)
        return (f"'{self.sheet}' has no header row: the columns {wanted} were not found. "
                "Put the column names in one row above the data (names match ignoring "
                "case) and upload the file again.")

    # --- cells -----------------------------------------------------------------------------

    def _cell(self, cells: Sequence[object], key: str) -> object:
        position = self._index.get(key)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def _pick(self, cells: Sequence[object], keys: tuple[str, ...]) -> Sequence[object]:
        """The cells of `keys`, in that order (None for a column the file lacks or a row
        too short to have): one C-level itemgetter call for a full row."""
        picker = self._pickers.get(keys)
        if picker is None:
            missing = 1 << 30
            positions = [self._index.get(key, missing) for key in keys]
            # a row reaching the last position, when every key has a column, is picked in C
            full = (max(positions) + 1 if missing not in positions and len(positions) > 1
                    else missing)
            picker = self._pickers[keys] = (positions, full, operator.itemgetter(*positions))
        positions, full, getter = picker
        count = len(cells)
        if count >= full:
            picked: tuple[object, ...] = getter(cells)
            return picked
        return [cells[p] if p < count else None for p in positions]

    def _text(self, cells: Sequence[object], key: str) -> str | None:
        return cell_text(self._cell(cells, key))

    def _error(self, row: int, key: str | None, message: str) -> RowError:
        column = self._labels.get(key) if key is not None else None
        return RowError(self.sheet, row, column, message)

    def _required_text(self, row: int, cells: Sequence[object], key: str,
                       errors: list[RowError]) -> str:
        return self._required(row, self._cell(cells, key), key, errors)

    def _required(self, row: int, value: object, key: str, errors: list[RowError]) -> str:
        if type(value) is str and (stripped := value.strip()):
            return stripped
        text = cell_text(value)
        if text is None:
            errors.append(self._error(row, key, f"{self._labels[key]} is empty."))
            return ""
        return text

    def _money(self, row: int, value: object, key: str, currency: str,
               errors: list[RowError]) -> int | None:
        if value is None or (type(value) is str and not value.strip()):
            return None
        try:
            return money_parser(currency)(value)
        except CellError as exc:
            errors.append(self._error(row, key, str(exc)))
            return None

    def _date(self, row: int, value: object, key: str, errors: list[RowError]) -> date | None:
        if type(value) is date:
            return value
        if is_blank(value):
            return None
        try:
            return self.dates.parse(value)
        except CellError as exc:
            errors.append(self._error(row, key, str(exc)))
            return None

    # --- the import types ------------------------------------------------------------------

    def _contact(self, row: int, cells: Sequence[object]) -> Parsed:
        errors: list[RowError] = []
        organisation = self._text(cells, "organisation")
        first, last = self._text(cells, "first_name"), self._text(cells, "last_name")
        name = organisation or (f"{first} {last}" if first and last else None)
        if name is None:
            key = ("organisation" if "organisation" in self._labels
                   else "last_name" if first else "first_name")
            errors.append(self._error(
                row, key, "A contact needs an Organisation, or a First Name and a Last Name."))
        terms: int | None = None
        terms_cell = self._cell(cells, "payment_terms_days")
        if not is_blank(terms_cell):
            try:
                terms = parse_whole_number(terms_cell)
                if terms < 0:
                    raise CellError(f"{terms} is not a number of days.")
            except CellError as exc:
                errors.append(self._error(row, "payment_terms_days", str(exc)))
        if errors or name is None:
            return None, errors
        texts = {key: self._text(cells, key) for key in _CONTACT_TEXT}
        return ContactRecord(row=row, name=name, payment_terms_days=terms, **texts), []

    def _balance(self, row: int, cells: Sequence[object]) -> Parsed:
        errors: list[RowError] = []
        code = self._required_text(row, cells, "code", errors)
        name = self._required_text(row, cells, "name", errors)
        debit = self._money(row, self._cell(cells, "debit"), "debit", self.currency, errors)
        credit = self._money(row, self._cell(cells, "credit"), "credit", self.currency, errors)
        if debit is None and credit is None and not any(
                error.column in (self._labels["debit"], self._labels["credit"])
                for error in errors):
            errors.append(self._error(
                row, "debit", "A trial-balance row needs a Debit or a Credit amount."))
        if errors:
            return None, errors
        # a negative Debit is a credit and vice versa: one positive side, or both zero
        net = (debit or 0) - (credit or 0)
        return BalanceRecord(row=row, code=code, name=name, debit_minor=max(net, 0),
                             credit_minor=max(-net, 0),
                             category=self._text(cells, "category")), []

    _DOCUMENT_KEYS = ("reference", "contact", "dated_on", "due_on", "currency", "total", "net",
                      "vat", "paid", "due")

    def _document(self, row: int, cells: Sequence[object]) -> Parsed:
        picked = self._pick(cells, self._DOCUMENT_KEYS)
        return self._plain_document(row, picked) or self._any_document(row, picked)

    def _plain_document(self, row: int, picked: Sequence[object]) -> Parsed | None:
        """The usual row of an export, read with fewer calls than `_any_document` (3.6
        against 4.3 µs a row, measured; an import's time is mostly here): text reference
        and contact, date cells on or before the cutover, the import's currency or none,
        amounts empty or floats with at most the currency's decimals. None for any other
        row, which `_any_document` reads and whose errors it finds; for a row both read,
        both give the same record."""
        (reference, contact, dated_on, due_on, currency, *amounts) = picked
        exponent = self._exponent
        if (type(reference) is not str or type(contact) is not str
                or type(dated_on) is not date or exponent is None
                or (due_on is not None and type(due_on) is not date)
                or (currency is not None and currency != self.currency)
                or (self.cutover is not None and dated_on > self.cutover)):
            return None
        reference, contact = reference.strip(), contact.strip()
        if not reference or not contact:
            return None
        minors: list[int | None] = []
        for value in amounts:
            if value is None:
                minors.append(None)
            elif type(value) is float and (
                    minor := plain_float_minor(value, exponent)) is not None:
                minors.append(minor)
            else:
                return None
        total, net, vat, paid, due = minors
        if total is None:
            return None
        return DocumentRecord(
            row=row, document_type=self._document_type, reference=reference, contact=contact,
            dated_on=dated_on, currency=self.currency, total_minor=total,
            due_minor=due if due is not None else total - (paid or 0),
            due_on=due_on, net_minor=net, vat_minor=vat, paid_minor=paid), []

    def _any_document(self, row: int, picked: Sequence[object]) -> Parsed:
        errors: list[RowError] = []
        (reference_cell, contact_cell, dated_cell, due_on_cell, currency_cell, total_cell,
         net_cell, vat_cell, paid_cell, due_cell) = picked
        reference = self._required(row, reference_cell, "reference", errors)
        contact = self._required(row, contact_cell, "contact", errors)
        dated_on = self._date(row, dated_cell, "dated_on", errors)
        if dated_on is None and is_blank(dated_cell):
            errors.append(self._error(row, "dated_on",
                                      f"{self._labels['dated_on']} is empty."))
        elif dated_on is not None and self.cutover is not None and dated_on > self.cutover:
            errors.append(self._error(
                row, "dated_on",
                f"{dated_on.isoformat()} is after the cutover date {self.cutover.isoformat()}: "
                "only documents dated on or before it can be outstanding."))
        due_on = self._date(row, due_on_cell, "due_on", errors)
        currency = self._currency(row, currency_cell, errors)
        total = self._money(row, total_cell, "total", currency, errors)
        if total is None and is_blank(total_cell):
            errors.append(self._error(row, "total", f"{self._labels['total']} is empty."))
        net = self._money(row, net_cell, "net", currency, errors)
        vat = self._money(row, vat_cell, "vat", currency, errors)
        paid = self._money(row, paid_cell, "paid", currency, errors)
        due = self._money(row, due_cell, "due", currency, errors)
        if errors or total is None or dated_on is None:
            return None, errors
        return DocumentRecord(
            row=row, document_type=self._document_type, reference=reference, contact=contact,
            dated_on=dated_on, currency=currency, total_minor=total,
            due_minor=due if due is not None else total - (paid or 0),
            due_on=due_on, net_minor=net, vat_minor=vat, paid_minor=paid), []

    def _currency(self, row: int, value: object, errors: list[RowError]) -> str:
        """The row's currency (default: the import's). Money is read in it when it is a
        currency at all, so that one wrong code is one error, not one per amount."""
        if value is None or value == self.currency:
            return self.currency
        if is_blank(value):
            return self.currency
        try:
            currency = parse_currency(value)
        except CellError as exc:
            errors.append(self._error(row, "currency", str(exc)))
            return self.currency
        if currency != self.currency:
            errors.append(self._error(row, "currency", other_currency(currency, self.currency)))
        return currency if is_iso_currency(currency) else self.currency
