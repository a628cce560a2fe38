"""worker.money: integer minor units through Decimal, never a float."""

from decimal import Decimal

import pytest

from worker.money import (
    MoneyError,
    UnknownCurrency,
    exponent_of,
    to_decimal,
    to_minor_exact,
    to_minor_half_up,
)


def test_tenths_that_floats_get_wrong_add_up_exactly() -> None:
    a, _ = to_minor_half_up(Decimal("0.1"), "EUR")
    b, _ = to_minor_half_up(Decimal("0.2"), "EUR")
    assert (a, b, a + b) == (10, 20, 30)
    assert 0.1 + 0.2 != 0.3  # the float trap this module exists to avoid


def test_four_decimals_round_half_up_and_keep_the_correction() -> None:
    assert to_minor_half_up(Decimal("1234.5678"), "EUR") == (123457, Decimal("-0.0022"))
    assert to_minor_half_up(Decimal("0.005"), "EUR") == (1, Decimal("-0.005"))
    assert to_minor_half_up(Decimal("-0.005"), "EUR") == (-1, Decimal("0.005"))


def test_quantity_times_price() -> None:
    total = Decimal("19.99") * 3
    assert to_minor_exact(total, "GBP") == 5997


@pytest.mark.parametrize(("currency", "exponent"), [("JPY", 0), ("EUR", 2), ("GBP", 2),
                                                    ("KWD", 3)])
def test_iso_exponents(currency: str, exponent: int) -> None:
    assert exponent_of(currency) == exponent


def test_exponent_applies_to_conversion() -> None:
    assert to_minor_exact("1500", "JPY") == 1500
    assert to_minor_exact("12.345", "KWD") == 12345


def test_more_decimals_than_the_currency_allows_is_refused_when_exact() -> None:
    with pytest.raises(MoneyError, match="more decimals than JPY allows"):
        to_minor_exact("10.5", "JPY")


def test_floats_are_refused() -> None:
    with pytest.raises(MoneyError, match="float"):
        to_decimal(0.1)
    with pytest.raises(MoneyError, match="float"):
        to_minor_half_up(19.99, "EUR")


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", True, None, [1]])
def test_non_amounts_are_refused(bad: object) -> None:
    with pytest.raises(MoneyError):
        to_decimal(bad)


def test_unknown_currency() -> None:
    with pytest.raises(UnknownCurrency, match="BTC"):
        to_minor_half_up("1", "BTC")
