"""The legacy API's JSON (source/client.py): exact for staging, only what it reads for step 1's
scan."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from worker.kinds.legacy_migration.source.client import parse_json_scan
from worker.sources.http import parse_json

PAGE = b'[{"id": "d1", "type": "invoice", "currencyId": "EUR", "total": 0.1, "n": 3}]'


def test_the_exact_parse_keeps_every_amount_as_written() -> None:
    (document,) = parse_json(PAGE)
    assert document["total"] == Decimal("0.1")
    assert isinstance(document["total"], Decimal)


def test_the_exact_parse_gives_what_the_standard_library_gives() -> None:
    text = (b'[{"a": 0.1, "b": 1234.5678, "c": 100.50, "d": 1E2, "e": -0.0, "f": 7,'
            b' "g": 123456789012345678901234567890, "h": 1.5e400, "i": [2.50, null, true]}]')
    parsed = parse_json(text)
    assert parsed == json.loads(text, parse_float=Decimal)
    # the same Decimals digit for digit (100.50 keeps its trailing zero), ints as ints
    assert [repr(v) for v in parsed[0].values()] == [
        repr(v) for v in json.loads(text, parse_float=Decimal)[0].values()]


def test_the_scan_reads_the_same_ids_types_and_currencies_and_nothing_else() -> None:
    (scanned,) = parse_json_scan(PAGE)
    (exact,) = parse_json(PAGE)
    assert scanned == {k: exact[k] for k in ("id", "type", "currencyId")}
    assert parse_json_scan(b'[{"total": 1.5}]') == [
        {"id": None, "type": None, "currencyId": None}]
    assert parse_json_scan(b'{"error": "not a page"}') == {"error": "not a page"}


def test_the_scan_refuses_a_page_of_records_that_are_not_objects() -> None:
    with pytest.raises(ValueError, match=r"Expected `object`, got `int`"):
        parse_json_scan(b'[{"id": "d1"}, 7]')


@pytest.mark.parametrize("parse", [parse_json_scan, parse_json])
def test_invalid_json_is_refused_by_both(parse: Callable[[bytes], object]) -> None:
    with pytest.raises(ValueError, match=r"truncated|malformed"):
        parse(b'[{"id": "d1",')
