"""Deterministic synthetic records: record N of a kind is always the same.

Amounts are Decimal and serialised as JSON numbers with their exact digits, as the real
API sends them. The first documents of every organisation carry the amounts that float
arithmetic gets wrong (0.1, 0.2, 1234.5678, 19.99 x 3) so that tests can check them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from legacy_sim.orgs import (
    KIND_CLIENT,
    KIND_DOCUMENT,
    KIND_ITEM,
    KIND_PAYMENT,
    KIND_TAX,
    OrgSpec,
    legacy_id,
)

FOUR_PLACES = Decimal("0.0001")
_EPOCH = date(2021, 1, 1)
_TAX_PLANS = [
    ("VAT standard", "VAT", "standard", [("2010-01-01", "20"), ("2013-07-01", "22")]),
    ("VAT reduced", "VAT-R", "reduced", [("2010-01-01", "8.5"), ("2013-07-01", "9.5")]),
    ("Exempt", "EX", "exempt", [("2010-01-01", "0")]),
    ("Import duty", "DUTY", "other", [("2015-01-01", "5")]),
]
# Document types the target holds, weighted by how common they are.
_SUPPORTED_TYPES = ["invoice"] * 14 + ["estimate"] * 3 + ["credit-note"] * 2 + ["advance"]
# The money cases: (currency or None for the org's, quantity, price) of documents 0..5.
_MONEY_CASES: list[tuple[str | None, str, str]] = [
    (None, "1", "0.1"),
    (None, "1", "0.2"),
    (None, "1", "1234.5678"),
    (None, "3", "19.99"),
    ("JPY", "2", "1500"),
    ("KWD", "1", "12.345"),
]
_EXPONENTS = {"JPY": 0, "KWD": 3}


def _rng(org: OrgSpec, kind: int, index: int) -> random.Random:
    return random.Random((org.number << 48) ^ (kind << 40) ^ index)


def _day(offset: int) -> str:
    return (_EPOCH + timedelta(days=offset % 1400)).isoformat()


def _quantize(value: Decimal, currency: str) -> Decimal:
    exponent = _EXPONENTS.get(currency, 2)
    return value.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)


def tax(org: OrgSpec, index: int) -> dict[str, Any]:
    name, abbreviation, classification, rates = _TAX_PLANS[index % len(_TAX_PLANS)]
    return {
        "id": legacy_id(org.number, KIND_TAX, index),
        "name": name,
        "abbreviation": abbreviation,
        "classification": classification,
        "recoverable": classification != "exempt",
        "compound": False,
        "_taxRates": [{"rate": Decimal(r), "dateValidFrom": d} for d, r in rates],
    }


def _current_rate(org: OrgSpec, tax_index: int) -> Decimal:
    return Decimal(_TAX_PLANS[tax_index % len(_TAX_PLANS)][3][-1][1])


def client(org: OrgSpec, index: int) -> dict[str, Any]:
    rng = _rng(org, KIND_CLIENT, index)
    kind = rng.choice(["customer"] * 7 + ["supplier"] * 2 + ["both"])
    return {
        "id": legacy_id(org.number, KIND_CLIENT, index),
        "name": f"Client {index} {rng.choice(['d.o.o.', 'Ltd', 'GmbH', 's.p.'])}",
        "address": f"{rng.randrange(1, 200)} Main Street",
        "address2": None,
        "city": rng.choice(["Ljubljana", "London", "Berlin", "Maribor"]),
        "zip": f"{rng.randrange(1000, 9999)}",
        "country": org.country,
        "countryAlpha2Code": org.alpha2,
        "taxNumber": f"{org.alpha2}{rng.randrange(10**7, 10**8)}" if rng.random() < 0.6 else None,
        "taxSubject": rng.random() < 0.6,
        "companyNumber": None,
        "email": f"billing{index}@client{index}.example",
        "phone": None,
        "isEndCustomer": rng.random() < 0.3,
        "type": kind,
    }


def item(org: OrgSpec, index: int) -> dict[str, Any]:
    rng = _rng(org, KIND_ITEM, index)
    return {
        "id": legacy_id(org.number, KIND_ITEM, index),
        "name": f"Item {index}",
        "description": f"Product or service number {index}",
        "price": Decimal(rng.randrange(100, 500_000)) / 100,
        "unit": rng.choice(["pc", "h", "kg", None]),
        "taxIds": [legacy_id(org.number, KIND_TAX, rng.randrange(org.taxes))],
    }


def _document_shape(org: OrgSpec, index: int, rng: random.Random) -> tuple[str, str]:
    """(type, currency) of a document; some are unsupported in an 'unsupported' org."""
    if org.unsupported_every and index % org.unsupported_every == org.unsupported_every - 1:
        # alternate between an unsupported type and a currency that is not ISO 4217
        if (index // org.unsupported_every) % 2 == 0:
            return "delivery-note", org.currency
        return "invoice", "BTC"
    if index < len(_MONEY_CASES):
        return "invoice", _MONEY_CASES[index][0] or org.currency
    currency = org.currency if rng.random() < 0.9 else rng.choice(["USD", "EUR", "GBP"])
    return rng.choice(_SUPPORTED_TYPES), currency


def _lines(org: OrgSpec, index: int, rng: random.Random) -> list[dict[str, Any]]:
    if index < len(_MONEY_CASES):
        _, quantity_text, price_text = _MONEY_CASES[index]
        return [_line("Money case", Decimal(quantity_text), Decimal(price_text), Decimal(0), [])]
    lines = []
    for position in range(rng.randrange(1, 5)):
        tax_index = rng.randrange(org.taxes)
        taxes = [(legacy_id(org.number, KIND_TAX, tax_index), _current_rate(org, tax_index))]
        price = Decimal(rng.randrange(100, 2_000_000)) / (10_000 if rng.random() < 0.2 else 100)
        quantity = Decimal(rng.choice(["1", "2", "3", "0.5", "1.25", "10"]))
        discount = Decimal(rng.choice(["0", "0", "0", "10"]))
        lines.append(_line(f"Line {position + 1}", quantity, price, discount, taxes))
    return lines


def _line(
    name: str, quantity: Decimal, price: Decimal, discount: Decimal,
    taxes: list[tuple[str, Decimal]],
) -> dict[str, Any]:
    return {
        "name": name,
        "description": None,
        "quantity": quantity,
        "unit": "pc",
        "price": price,
        "discount": discount,
        "_documentItemTaxes": [{"rate": rate, "taxId": tax_id} for tax_id, rate in taxes],
    }


def _line_totals(line: dict[str, Any]) -> tuple[Decimal, Decimal]:
    net = line["quantity"] * line["price"] * (100 - line["discount"]) / 100
    tax_amount = sum((net * t["rate"] / 100 for t in line["_documentItemTaxes"]), Decimal(0))
    return net, net + tax_amount


def document(org: OrgSpec, index: int) -> dict[str, Any]:
    rng = _rng(org, KIND_DOCUMENT, index)
    doc_type, currency = _document_shape(org, index, rng)
    lines = _lines(org, index, rng)
    total = sum((_line_totals(line)[0] for line in lines), Decimal(0)).quantize(FOUR_PLACES)
    with_tax = sum((_line_totals(line)[1] for line in lines), Decimal(0)).quantize(FOUR_PLACES)
    paid = payment_amount(org, index, with_tax, currency)
    client_index = rng.randrange(org.clients)
    issued = rng.randrange(1400)
    return {
        "id": legacy_id(org.number, KIND_DOCUMENT, index),
        "type": doc_type,
        "number": f"{2021 + issued // 365}-{index + 1:06d}",
        "date": _day(issued),
        "dateDue": _day(issued + 30),
        "currencyId": currency,
        "draft": False,
        "canceled": False,
        "clientId": legacy_id(org.number, KIND_CLIENT, client_index),
        "_documentClient": {
            "name": f"Client {client_index}",
            "address": None, "city": None, "zip": None,
            "country": org.country, "taxNumber": None,
        },
        "_documentItems": lines,
        "total": total,
        "totalWithTax": with_tax,
        "totalPaid": paid,
        "totalDue": with_tax - paid,
        "paidInFull": paid == with_tax,
    }


def payment_amount(org: OrgSpec, index: int, with_tax: Decimal, currency: str) -> Decimal:
    """What was paid against document `index`: payment `index` exists iff index < payments."""
    if index >= org.payments:
        return Decimal(0)
    if index < len(_MONEY_CASES):
        return with_tax  # the money cases are paid in full, exactly
    full = _quantize(with_tax, currency)
    return full if index % 3 else _quantize(full / 2, currency)


def payment(org: OrgSpec, index: int) -> dict[str, Any]:
    doc = document(org, index)
    rng = _rng(org, KIND_PAYMENT, index)
    return {
        "id": legacy_id(org.number, KIND_PAYMENT, index),
        "documentId": doc["id"],
        "amount": doc["totalPaid"],
        "date": doc["dateDue"],
        "type": rng.choice(["bank", "cash", "card", "paypal", "online", "other"]),
        "note": None,
    }


GENERATORS = {
    "taxes": (tax, "taxes"),
    "clients": (client, "clients"),
    "items": (item, "items"),
    "documents": (document, "documents"),
    "payments": (payment, "payments"),
}


def count(org: OrgSpec, resource: str) -> int:
    return int(getattr(org, GENERATORS[resource][1]))


def page(org: OrgSpec, resource: str, skip: int, limit: int) -> list[dict[str, Any]]:
    make = GENERATORS[resource][0]
    end = min(skip + limit, count(org, resource))
    return [make(org, i) for i in range(max(skip, 0), end)]


def organization(org: OrgSpec) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "country": org.country,
        "countryAlpha2Code": org.alpha2,
        "taxNumber": org.tax_number,
        "companyNumber": None,
        "currencyId": org.currency,
        "createdAt": "2020-05-15T10:00:00.000Z",
        "address": "1 Legacy Road",
        "city": "Ljubljana",
        "zip": "1000",
    }
