"""Legacy records -> staging rows."""

from datetime import date
from decimal import Decimal

import pytest

from worker.kinds.legacy_migration.source import convert
from worker.sources.http import parse_json
from worker.target.records import Customer, Document, DocumentLine, Item, Payment, Tax, TaxRate

DOC = parse_json(b"""{"id": "d1", "type": "credit-note", "number": "2021-1",
  "date": "2021-03-01", "dateDue": "2021-03-31T00:00:00.000Z", "currencyId": "EUR",
  "clientId": "c1", "_documentClient": {"name": "X"},
  "_documentItems": [{"name": "A", "quantity": 3, "price": 19.99, "discount": 0,
                      "_documentItemTaxes": [{"rate": 22, "taxId": "t1"}]}],
  "total": 59.97, "totalWithTax": 73.1634, "totalPaid": 0, "totalDue": 73.1634}""")


def test_document_row_uses_minor_units_and_keeps_the_rounding_correction() -> None:
    row, lines = convert.document_rows("mig_x", DOC)
    named = Document._make(row)._asdict()
    assert named["kind"] == "credit_note"
    assert named["total_minor"] == 5997
    assert named["total_with_tax_minor"] == 7316
    assert named["rounding_correction"] == Decimal("0.0034")
    assert named["due_on"] == date(2021, 3, 31)
    line = DocumentLine._make(lines[0])._asdict()
    assert line["unit_price"] == Decimal("19.99")
    assert line["tax_legacy_ids"] == ["t1"]
    assert line["tax_rates"] == [Decimal(22)]


def test_json_numbers_parse_as_decimal_never_float() -> None:
    def walk(value: object) -> None:
        assert not isinstance(value, float), value
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        if isinstance(value, list):
            for v in value:
                walk(v)

    walk(DOC)
    assert DOC["totalWithTax"] == Decimal("73.1634")


@pytest.mark.parametrize(("doc", "reason"), [
    ({"type": "delivery-note", "currencyId": "EUR"}, "documents of type delivery-note"),
    ({"type": "invoice", "currencyId": "BTC"}, "documents in currency BTC (not ISO 4217)"),
    ({"type": "advance", "currencyId": "JPY"}, None),
])
def test_unsupported_reason(doc: dict[str, str], reason: str | None) -> None:
    assert convert.unsupported_reason(doc) == reason


def test_a_bad_date_names_the_record() -> None:
    bad = {**DOC, "date": "2021-13-45"}
    with pytest.raises(convert.RecordError, match=r"document d1: date '2021-13-45' is not a date"):
        convert.document_rows("mig_x", bad)


def test_payment_takes_its_documents_currency() -> None:
    row = convert.payment_row("mig_x", {"id": "p1", "documentId": "d1", "amount": Decimal(1500),
                                        "type": "bank"}, "JPY")
    named = Payment._make(row)._asdict()
    assert (named["amount_minor"], named["currency"]) == (1500, "JPY")


def test_tax_rate_history() -> None:
    tax, rates = convert.tax_rows("mig_x", {"id": "t1", "name": "VAT", "_taxRates": [
        {"rate": Decimal(20), "dateValidFrom": "2010-01-01"},
        {"rate": Decimal(22), "dateValidFrom": "2013-07-01"}]})
    assert tax[1:3] == ("t1", "VAT")
    history = [TaxRate._make(r) for r in rates]
    assert [(r.valid_from, r.rate) for r in history] == [(date(2010, 1, 1), Decimal(20)),
                                                         (date(2013, 7, 1), Decimal(22))]


def test_every_row_is_its_record_in_field_order() -> None:
    """The rows are plain tuples (COPY's fast path): each one is its canonical record."""
    tax, rates = convert.tax_rows("mig_x", {"id": "t1", "name": "VAT", "_taxRates": [
        {"rate": Decimal(20), "dateValidFrom": "2010-01-01"}]})
    assert Tax._make(tax).legacy_id == "t1"
    assert TaxRate._make(rates[0]).tax_legacy_id == "t1"
    customer = Customer._make(convert.customer_row("mig_x", {
        "id": "c1", "name": "Acme", "countryAlpha2Code": "SI", "type": "supplier"}))
    assert (customer.name, customer.country_code, customer.legacy_type) == ("Acme", "SI",
                                                                            "supplier")
    item = Item._make(convert.item_row("mig_x", {"id": "i1", "name": "Work",
                                                 "price": Decimal("12.5"), "taxIds": [3]}))
    assert (item.unit_price, item.tax_legacy_ids) == (Decimal("12.5"), ["3"])
    row, _ = convert.document_rows("mig_x", DOC)
    assert Document._make(row).currency == row[convert.DOCUMENT_CURRENCY]
    assert Document._make(row).total_with_tax_minor == row[convert.DOCUMENT_TOTAL]
    payment = convert.payment_row("mig_x", {"id": "p1", "documentId": "d1", "amount": 3},
                                  "EUR")
    assert Payment._make(payment).amount_minor == payment[convert.PAYMENT_AMOUNT] == 300
    assert Payment._make(payment).currency == payment[convert.PAYMENT_CURRENCY]
