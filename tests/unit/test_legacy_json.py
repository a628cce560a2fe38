"""The legacy API's JSON (source/client.py): exact for staging, fast for step 1's scan."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from worker.kinds.legacy_migration.source.client import parse_json, parse_json_fast

PAGE = b'[{"id": "d1", "type": "invoice", "currencyId": "EUR", "total": 0.1, "n": 3}]'


def test_the_exact_parse_keeps_every_amount_as_written() -> None:
    (document,) = parse_json(PAGE)
    assert document["total"] == Decimal("0.1")
    assert isinstance(document["total"], Decimal)


def test_the_fast_parse_reads_the_same_ids_types_and_currencies() -> None:
    (fast,) = parse_json_fast(PAGE)
    (exact,) = parse_json(PAGE)
    assert {k: fast[k] for k in ("id", "type", "currencyId", "n")} == {
        k: exact[k] for k in ("id", "type", "currencyId", "n")}
    assert isinstance(fast["total"], float)  # why step 1 reads no amount from it


def test_the_fast_parse_loses_numbers_so_it_is_read_for_text_only() -> None:
    (document,) = parse_json_fast(b'[{"id": 123456789012345678901234567890, "total": 1.5}]')
    assert document["id"] != 123456789012345678901234567890  # a float: never read


@pytest.mark.parametrize("parse", [parse_json_fast, parse_json])
def test_invalid_json_is_refused_by_both(parse: Callable[[bytes], object]) -> None:
    with pytest.raises(ValueError, match=r"line 1|char|Expecting|EOF"):
        parse(b'[{"id": "d1",')
