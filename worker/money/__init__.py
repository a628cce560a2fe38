"""Money: integer minor units, converted with Decimal only."""

from worker.money.convert import (
    MoneyError,
    to_decimal,
    to_minor_exact,
    to_minor_half_up,
)
from worker.money.currencies import UnknownCurrency, exponent_of, is_iso_currency

__all__ = [
    "MoneyError",
    "UnknownCurrency",
    "exponent_of",
    "is_iso_currency",
    "to_decimal",
    "to_minor_exact",
    "to_minor_half_up",
]
