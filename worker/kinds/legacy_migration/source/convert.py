"""Legacy v1 records -> the target's canonical records (worker/target/records.py), which
the steps stage as they read. Each is built as a plain tuple in its record type's field
order (`Row`): a NamedTuple instance costs asyncpg's COPY 14 % more per row (a tuple
subclass takes its slow path) and this conversion 10 % more, half a million times a large
organisation (bench/README.md, issue 21). tests/unit/test_convert.py reads them by name.

Pure functions: no I/O. Money goes through worker.money (Decimal, integer minor units).
A record that breaks the legacy API's contract raises RecordError naming it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from worker.errors import ServiceError
from worker.money import MoneyError, UnknownCurrency, is_iso_currency, to_decimal, to_minor_half_up
from worker.target.records import Document, Payment

# legacy document type -> target document kind
DOCUMENT_KINDS = {
    "invoice": "invoice",
    "estimate": "estimate",
    "credit-note": "credit_note",
    "advance": "advance_invoice",
}

# the legacy kind's own staging: what it left out, and why
SKIPPED_COLUMNS = ("job_id", "kind", "legacy_id", "reason")

Row = tuple[Any, ...]
# positions in a row, for the per-currency sums steps 5 and 6 keep
DOCUMENT_CURRENCY = Document._fields.index("currency")
DOCUMENT_TOTAL = Document._fields.index("total_with_tax_minor")
PAYMENT_CURRENCY = Payment._fields.index("currency")
PAYMENT_AMOUNT = Payment._fields.index("amount_minor")


class RecordError(ServiceError):
    """A source record that does not follow the legacy API's contract."""

    code = "INVALID_SOURCE_DATA"

    def __init__(self, record_type: str, legacy_id: object, problem: str) -> None:
        super().__init__(f"{record_type} {legacy_id}: {problem}")
        self.record_type, self.legacy_id, self.problem = record_type, legacy_id, problem


def _required(raw: dict[str, Any], key: str, record_type: str) -> Any:
    value = raw.get(key)
    if value is None or value == "":
        raise RecordError(record_type, raw.get("id"), f"has no {key}")
    return value


def _date(value: Any, record_type: str, legacy_id: object, key: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        text = str(value)
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise RecordError(record_type, legacy_id, f"{key} {value!r} is not a date") from None


def _decimal(value: Any, record_type: str, legacy_id: object, key: str) -> Decimal:
    try:
        return to_decimal(value if value is not None else 0)
    except MoneyError as exc:
        raise RecordError(record_type, legacy_id, f"{key}: {exc}") from None


def unsupported_reason(document: dict[str, Any]) -> str | None:
    """Why the target cannot hold this document, or None when it can."""
    doc_type = document.get("type")
    if doc_type not in DOCUMENT_KINDS:
        return f"documents of type {doc_type}"
    currency = document.get("currencyId")
    if not is_iso_currency(currency):
        return f"documents in currency {currency} (not ISO 4217)"
    return None


def tax_rows(job_id: str, raw: dict[str, Any]) -> tuple[Row, list[Row]]:
    """A Tax and its TaxRates."""
    legacy_id = str(_required(raw, "id", "tax"))
    row = (job_id, legacy_id, str(_required(raw, "name", "tax")), raw.get("abbreviation"),
           raw.get("classification"), bool(raw.get("recoverable", True)),
           bool(raw.get("compound", False)))
    rates: dict[date, Row] = {}
    for rate in raw.get("_taxRates") or []:
        valid_from = _date(rate.get("dateValidFrom"), "tax", legacy_id, "dateValidFrom")
        rates[valid_from or date(1970, 1, 1)] = (
            job_id, legacy_id, valid_from or date(1970, 1, 1),
            _decimal(rate.get("rate"), "tax", legacy_id, "rate"),
        )
    return row, list(rates.values())


def customer_row(job_id: str, raw: dict[str, Any]) -> Row:
    """A Customer."""
    legacy_type = raw.get("type") or "customer"
    if legacy_type not in ("customer", "supplier", "both"):
        raise RecordError("client", raw.get("id"), f"type {legacy_type!r} is unknown")
    return (
        job_id, str(_required(raw, "id", "client")), str(_required(raw, "name", "client")),
        raw.get("address"), raw.get("address2"), raw.get("city"), raw.get("zip"),
        raw.get("country"), raw.get("countryAlpha2Code"), raw.get("taxNumber"),
        raw.get("taxSubject"), raw.get("companyNumber"), raw.get("email"), raw.get("phone"),
        raw.get("isEndCustomer"), legacy_type)


def item_row(job_id: str, raw: dict[str, Any]) -> Row:
    """An Item."""
    legacy_id = str(_required(raw, "id", "item"))
    price = raw.get("price")
    return (job_id, legacy_id, str(_required(raw, "name", "item")), raw.get("description"),
            None if price is None else _decimal(price, "item", legacy_id, "price"),
            raw.get("unit"), [str(t) for t in raw.get("taxIds") or []])


def _minor(value: Any, currency: str, record_type: str, legacy_id: object, key: str
           ) -> tuple[int, Decimal]:
    try:
        return to_minor_half_up(_decimal(value, record_type, legacy_id, key), currency)
    except UnknownCurrency as exc:
        raise RecordError(record_type, legacy_id, str(exc)) from None


def document_rows(job_id: str, raw: dict[str, Any]) -> tuple[Row, list[Row]]:
    """A Document and its DocumentLines. Totals are rounded half-up to minor units;
    what rounding removed from the total with tax is kept as the rounding correction."""
    legacy_id = str(_required(raw, "id", "document"))
    currency = str(_required(raw, "currencyId", "document"))
    total, _ = _minor(raw.get("total"), currency, "document", legacy_id, "total")
    with_tax, correction = _minor(raw.get("totalWithTax"), currency, "document", legacy_id,
                                  "totalWithTax")
    paid, _ = _minor(raw.get("totalPaid"), currency, "document", legacy_id, "totalPaid")
    due, _ = _minor(raw.get("totalDue"), currency, "document", legacy_id, "totalDue")
    row = (job_id, legacy_id, DOCUMENT_KINDS[raw["type"]], raw.get("number"),
           _date(raw.get("date"), "document", legacy_id, "date"),
           _date(raw.get("dateDue"), "document", legacy_id, "dateDue"), currency,
           bool(raw.get("draft")), bool(raw.get("canceled")), raw.get("clientId"),
           raw.get("_documentClient"), total, with_tax, paid, due, correction,
           bool(raw.get("paidInFull")))
    lines = []
    for position, line in enumerate(raw.get("_documentItems") or []):
        taxes = line.get("_documentItemTaxes") or []
        lines.append((
            job_id, legacy_id, position, line.get("name"), line.get("description"),
            _decimal(line.get("quantity"), "document", legacy_id, "quantity"),
            line.get("unit"), _decimal(line.get("price"), "document", legacy_id, "price"),
            _decimal(line.get("discount"), "document", legacy_id, "discount"),
            [str(t.get("taxId")) for t in taxes if t.get("taxId")],
            [_decimal(t.get("rate"), "document", legacy_id, "rate")
             for t in taxes if t.get("taxId")],
        ))
    return row, lines


def payment_row(job_id: str, raw: dict[str, Any], currency: str) -> Row:
    """A Payment in its document's currency (the legacy payment has none of its own)."""
    legacy_id = str(_required(raw, "id", "payment"))
    amount, correction = _minor(raw.get("amount"), currency, "payment", legacy_id, "amount")
    return (job_id, legacy_id, str(_required(raw, "documentId", "payment")), amount,
            correction, currency, _date(raw.get("date"), "payment", legacy_id, "date"),
            raw.get("type") or "other", raw.get("note"))
