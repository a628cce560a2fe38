"""Conversions between source amounts and integer minor units. Never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from worker.money.currencies import exponent_of


class MoneyError(ValueError):
    """An amount that cannot be converted as asked."""


def to_decimal(value: object) -> Decimal:
    """An exact Decimal from an int, a Decimal or a decimal string; floats are refused.

    Refusing floats is deliberate: a float has already lost the exact source value.
    """
    if isinstance(value, bool):
        raise MoneyError(f"{value!r} is not an amount")
    if isinstance(value, float):
        raise MoneyError(f"{value!r} is a float; amounts must be parsed as Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{value!r} is not a number") from None
    else:
        raise MoneyError(f"{value!r} is not an amount")
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    return result


def to_minor_half_up(value: object, currency: str) -> tuple[int, Decimal]:
    """(minor units rounded half-up, what rounding removed in major units)."""
    amount = to_decimal(value)
    quantum = Decimal(1).scaleb(-exponent_of(currency))
    rounded = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    return int(rounded.scaleb(exponent_of(currency))), amount - rounded


def to_minor_exact(value: object, currency: str) -> int:
    """Minor units; an amount more precise than the currency allows is refused."""
    amount = to_decimal(value)
    exponent = exponent_of(currency)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise MoneyError(
            f"{amount} has more decimals than {currency} allows ({exponent})"
        )
    return int(scaled)

