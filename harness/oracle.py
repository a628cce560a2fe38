"""What the target should hold, computed from the simulator over HTTP, independently of the
worker's code: counts per kind and per-currency totals (Decimal, half-up to minor units)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from legacy_sim.orgs import org_by_id, owner_of

EXPONENT = {"JPY": 0, "KWD": 3}
SUPPORTED = {"invoice", "estimate", "credit-note", "advance"}


def minor(amount: Decimal, currency: str) -> int:
    exponent = EXPONENT.get(currency, 2)
    value = Decimal(amount)
    return int(value.quantize(Decimal(1).scaleb(-exponent), ROUND_HALF_UP).scaleb(exponent))


def fetch_all(base_url: str, org_id: str, resource: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        org = org_by_id(org_id)
        assert org is not None, org_id
        user = owner_of(org.number)
        token = http.post("/v1/Accounts/login", json={"email": user.email,
                                                      "password": user.password}).json()["id"]
        rows: list[dict[str, Any]] = []
        while True:
            page = http.get(f"/v1/Organizations/{org_id}/{resource}",
                            params={"filter[skip]": len(rows), "filter[limit]": 1000},
                            headers={"Authorization": token})
            batch = json.loads(page.content, parse_float=Decimal)
            rows.extend(batch)
            if len(batch) < 1000:
                return rows


def expected(base_url: str, org_id: str) -> dict[str, Any]:
    documents = fetch_all(base_url, org_id, "documents")
    supported = {d["id"]: d for d in documents
                 if d["type"] in SUPPORTED and d["currencyId"] != "BTC"}
    payments = [p for p in fetch_all(base_url, org_id, "payments")
                if p["documentId"] in supported]
    document_totals: Counter[str] = Counter()
    for d in supported.values():
        document_totals[d["currencyId"]] += minor(d["totalWithTax"], d["currencyId"])
    payment_totals: Counter[str] = Counter()
    for p in payments:
        currency = supported[p["documentId"]]["currencyId"]
        payment_totals[currency] += minor(p["amount"], currency)
    return {
        "counts": {
            "taxes": len(fetch_all(base_url, org_id, "taxes")),
            "customers": len(fetch_all(base_url, org_id, "clients")),
            "items": len(fetch_all(base_url, org_id, "items")),
            "documents": len(supported),
            "document_lines": sum(len(d["_documentItems"]) for d in supported.values()),
            "payments": len(payments),
        },
        "skipped_documents": len(documents) - len(supported),
        "document_totals": dict(document_totals),
        "payment_totals": dict(payment_totals),
    }
