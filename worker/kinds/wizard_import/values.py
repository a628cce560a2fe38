"""Cell values as the importers read them: money, dates and text, exactly.

A cell reaches us as text (CSV, or a text cell), an int, a float (every number in an .xlsx is
a double, and the readers hand it over as a float), a Decimal, a date or a datetime. Money
never passes through float arithmetic: a float is read through its shortest repr, the
digits Excel wrote, and an amount with more decimals than its currency allows is an error,
never rounded. Errors are `CellError`s whose message a user understands. Text dates and the
file's day/month order are dates.py's (`parse_date` here is its compatibility entry).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from worker.kinds.wizard_import.text_checks import visible
from worker.money import UnknownCurrency, exponent_of, is_iso_currency


class CellError(ValueError):
    """A cell whose value cannot be read; the message says why, for the user."""


_TEN_TO: tuple[int, ...] = tuple(10**power for power in range(10))

# Amounts beyond this many minor units are refused as implausible (and keep clear of bigint).
MAX_MINOR = 10**15

# The number of an amount as text: "1,234.50", "1234.5", ".5", thousands separators only in
# groups of three; or (`comma`, refused with its own message) a decimal comma, "1.234,56",
# "1 234,56", "12,50". Around it (`prefix`, `suffix`) the marks `_marks` reads.
_NUMBER = (r"(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)"
           r"|(?P<comma>(?:\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+),\d+)")
_MONEY = re.compile(rf"(?P<prefix>[^\d.,]*)(?:{_NUMBER})(?P<suffix>[^\d.,]*)")
# Marks: a sign, a bracket, a symbol, a word (an ISO code, or after the number CR or DR); any
# other character but a space (non-breaking ones too) is a mark `_marks` refuses
_MARK = re.compile(r"[-+()£$€]|[A-Za-z]+|\S")
_SYMBOLS = frozenset("£$€")
_CR_DR = frozenset(("CR", "DR"))


def parse_money(value: object, currency: str) -> int:
    """Integer minor units of `currency` from a cell.

    Accepts int, float (through its repr), Decimal, and text: a number with a point and
    thousands in groups of three (`1,234.50`, `12.5`, `.5`), with a symbol (`£`, `$`, `€`:
    any, in any currency) and `currency`'s ISO code (`GBP 1,234.50`, `1,234.50 gbp`) before or
    after it, and one sign: `-12.00`, `$-12.00`, `+12.00`, `12.00-`, `(12.00)`, `($12.00)`,
    `12.00 CR` (negative: a credit) or `12.00 DR` (a debit). Spaces, non-breaking ones too,
    are ignored around and between these. Refused with the reason: two signs, another
    currency's code, a decimal comma (`1.234,56`, `12,50`), more decimals than `currency`
    has.
    """
    return money_parser(currency)(value)


def money_parser(currency: str) -> Callable[[object], int]:
    """parse_money for one currency, its exponent looked up once: what a sheet's parser
    calls for every amount of every row."""
    parser = _PARSERS.get(currency)
    if parser is not None:
        return parser
    try:
        exponent = exponent_of(currency)
    except UnknownCurrency:
        raise CellError(f"{currency!r} is not a currency code.") from None

    def parse(value: object) -> int:
        if type(value) is float and (minor := plain_float_minor(value, exponent)) is not None:
            return minor  # the common case, one call
        return _money_minor(value, exponent, currency)

    _PARSERS[currency] = parse
    return parse


_PARSERS: dict[str, Callable[[object], int]] = {}


def plain_float_minor(value: float, exponent: int) -> int | None:
    """Minor units of a float whose shortest repr (the digits the file holds) is in plain
    notation with at most `exponent` decimals, within bounds; None for any other float,
    which `_money_minor` reads or refuses with the reason. Digits only: no float arithmetic."""
    text = repr(value)
    minor: int | None
    if exponent != 2:
        minor = _plain_digits(text, exponent)
    elif text[-3] == ".":  # pence and cents, nearly every amount: "1279.78" (an exponent
        minor = int(text.replace(".", ""))  # form ends "e+16" or "e-05": never matched)
    elif text[-2] == ".":  # "12.5"
        minor = int(text.replace(".", "")) * 10
    else:
        return None
    return minor if minor is not None and -MAX_MINOR < minor < MAX_MINOR else None


def _plain_digits(text: str, exponent: int) -> int | None:
    """Minor units of a float's repr in plain notation with at most `exponent` decimals,
    or a whole number written `1200.0` in a currency without decimals; else None."""
    dot = text.find(".")
    if dot < 0 or "e" in text:
        return None
    decimals = len(text) - dot - 1
    if decimals <= exponent:
        return int(text[:dot] + text[dot + 1:]) * _TEN_TO[exponent - decimals]
    if text.endswith(".0"):  # 1200.0 in JPY
        return int(text[:dot]) * _TEN_TO[exponent]
    return None


def _money_minor(value: object, exponent: int, currency: str) -> int:
    if isinstance(value, float):
        minor = _float_minor(value, exponent, currency)
    elif isinstance(value, str):
        plain = _plain_text_minor(value, exponent)
        minor = plain if plain is not None else _text_minor(value, exponent, currency)
    elif isinstance(value, bool) or value is None:
        raise CellError(f"{shown(value)!r} is not an amount.")
    elif isinstance(value, int):
        minor = value * _TEN_TO[exponent]
    elif isinstance(value, Decimal):
        minor = _decimal_minor(value, str(value), exponent, currency)
    else:
        raise CellError(f"{shown(value)!r} is not an amount.")
    if not -MAX_MINOR < minor < MAX_MINOR:
        raise CellError(f"{shown(value)!r} is too large an amount.")
    return minor


def _float_minor(value: float, exponent: int, currency: str) -> int:
    text = repr(value)  # the shortest repr: the digits the file holds, not binary noise
    minor = _plain_digits(text, exponent)
    if minor is not None:
        return minor
    if "." not in text or "e" in text:  # 1e+16, 1.5e-05; nan, inf
        if text in ("nan", "inf", "-inf"):
            raise CellError(f"'{text}' is not an amount.")
        return _decimal_minor(Decimal(text), text, exponent, currency)
    raise CellError(f"'{text}' has more decimals than {currency} allows ({exponent}).")


def _decimal_minor(amount: Decimal, shown: str, exponent: int, currency: str) -> int:
    if not amount.is_finite():
        raise CellError(f"{shown!r} is not an amount.")
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise CellError(f"{shown!r} has more decimals than {currency} allows ({exponent}).")
    return int(scaled)


def _plain_text_minor(text: str, exponent: int) -> int | None:
    """Minor units of the usual text amount of a CSV export, `1234.50` or `1,234.50` (no
    sign, symbol or code; thousands in groups of three; at most `exponent` decimals), read
    with string methods; None for any other text, which `_text_minor` reads or refuses
    with the reason. A test holds the two to the same answers."""
    whole, dot, fraction = text.partition(".")
    if "," in whole:
        groups = whole.split(",")
        if not 0 < len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:]):
            return None
        whole = "".join(groups)
    if not (whole.isascii() and whole.isdigit()):
        return None
    if dot:
        if not fraction or not (fraction.isascii() and fraction.isdigit()):
            return None
        fraction = fraction.rstrip("0")
        if len(fraction) > exponent:
            return None
    return int(whole + fraction.ljust(exponent, "0")) if exponent else int(whole)


def _text_minor(value: str, exponent: int, currency: str) -> int:
    text = value.strip()  # spaces, non-breaking ones too
    match = _MONEY.fullmatch(text)
    if match is None:
        raise CellError(f"{shown(text)!r} is not an amount.")
    prefix, suffix = match["prefix"], match["suffix"]
    negative = _USUAL_MARKS.get((prefix, suffix))
    if negative is None:
        negative = _marks(text, prefix, suffix, currency)
    number = match["number"]
    if number is None:
        raise _decimal_comma(text, match["comma"])
    if prefix or suffix:
        _check_symbol(text, prefix + suffix, currency)
    whole, _, fraction = number.replace(",", "").partition(".")
    fraction = fraction.rstrip("0")  # 12.50 in JPY is 12.5 → refused below; 12.00 is fine
    if len(fraction) > exponent:
        raise CellError(
            f"{shown(text)!r} has more decimals than {currency} allows ({exponent}).")
    minor = int((whole or "0") + fraction.ljust(exponent, "0"))
    return -minor if negative else minor


# The currencies each symbol is written for: a $ amount read as pounds would be a wrong
# figure nothing else would catch (the trial balance and the documents agree in any unit).
_SYMBOL_CURRENCIES = {
    "£": frozenset({"GBP", "GIP", "FKP", "SHP", "EGP", "LBP", "SYP", "SSP"}),
    "€": frozenset({"EUR"}),
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN", "ARS", "CLP",
                    "COP", "UYU", "BBD", "BSD", "BZD", "BMD", "BND", "FJD", "GYD", "JMD",
                    "KYD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "ZWL"}),
}


def _check_symbol(text: str, marks: str, currency: str) -> None:
    for symbol, currencies in _SYMBOL_CURRENCIES.items():
        if symbol in marks and currency not in currencies:
            raise CellError(
                f"{shown(text)!r} is written in {symbol}, but the import's amounts are in "
                f"{currency}: if the books are kept in another currency, create the "
                "migration with it (for example \"currency\": \"USD\") and upload the "
                "files again.")


def _marks(text: str, prefix: str, suffix: str, currency: str) -> bool:
    """Whether the marks around an amount's number make it negative: `-` before or after it,
    brackets around it, or CR after it (a credit); `+` before it or DR after it (a debit) is
    positive. One sign at most; one symbol (its currency's: _check_symbol) and one ISO code
    at most, the code `currency`'s."""
    signs: list[str] = []
    opened = closed = symbols = 0
    code: str | None = None
    for part, after in ((prefix, False), (suffix, True)):
        for mark in _MARK.findall(part):
            upper = mark.upper()
            if mark in _SYMBOLS:
                symbols += 1
            elif mark == "(" and not after:
                opened += 1
            elif mark == ")" and after:
                closed += 1
            elif mark == "-" or (mark == "+" and not after) or (after and upper in _CR_DR):
                signs.append(upper)
            elif len(mark) == 3 and code is None and is_iso_currency(upper):
                code = upper
            else:
                raise CellError(f"{shown(text)!r} is not an amount.")
    if opened or closed:  # "(" before the number and ")" after it, once each
        signs.append("(" if opened == closed == 1 else "unmatched")
    if len(signs) > 1 or symbols > 1 or "unmatched" in signs:
        raise CellError(f"{shown(text)!r} is not an amount.")
    if code is not None and code != currency:
        raise CellError(
            f"{shown(text)!r} is in {code}, but the import's amounts are in {currency}.")
    return bool(signs) and signs[0] in ("-", "(", "CR")


# The usual marks, read at once (as `_marks` reads them): ("", "") (none), ("-", ""),
# ("£", ""), ("-$", ""), ("(", ")"), ("$", " CR")...
_USUAL_MARKS: dict[tuple[str, str], bool] = {
    marks: negative
    for symbol in ("", "£", "$", "€")
    for marks, negative in (((symbol, ""), False), ((f"-{symbol}", ""), True),
                            ((f"{symbol}-", ""), True), ((f"({symbol}", ")"), True),
                            ((symbol, "-"), True), ((symbol, " CR"), True),
                            ((symbol, "CR"), True), ((symbol, " DR"), False))}


def _decimal_comma(text: str, number: str) -> CellError:
    whole, _, fraction = number.rpartition(",")
    point = f"{re.sub(r'[^0-9]', '', whole)}.{fraction}"
    return CellError(
        f"{shown(text)!r} uses a decimal comma ({number.translate(_NO_BREAK)} for {point}); "
        "amounts must use a decimal point: export the file with a UK or US number format, "
        "or change the separator in the spreadsheet, and upload it again.")


_NO_BREAK = str.maketrans("\u00a0\u202f", "  ")  # shown as spaces in messages, not \xa0


# --- text ----------------------------------------------------------------------------------

def is_blank(value: object) -> bool:
    """Whether a cell holds nothing a user would see (None, empty or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str | None:
    """A cell as text, stripped; None when blank. A number keeps the digits it shows, so a
    code or reference typed as a number (681, 681.0 from a float) reads as "681"."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value():  # not Infinity, NaN
            return str(int(value))
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip() or None


def parse_whole_number(value: object) -> int:
    """A whole number (e.g. payment terms in days) from a number or text cell."""
    text = cell_text(value)
    if text is not None and re.fullmatch(r"[-+]?\d{1,9}", text):
        return int(text)
    raise CellError(f"{shown(value)!r} is not a whole number.")


def other_currency(code: str, currency: str) -> str:
    """The row error of a document in `code` in an import kept in `currency`."""
    return (f"{code} differs from the import's currency {currency}: a document in another "
            "currency cannot be reconciled against the trial balance.")


def parse_currency(value: object) -> str:
    """An ISO 4217 currency code from a cell ("gbp " reads as GBP)."""
    text = (cell_text(value) or "").upper()
    if not is_iso_currency(text):
        raise CellError(f"{shown(value)!r} is not an ISO 4217 currency code.")
    return text


def shown(value: object) -> str:
    """The value as the user typed or sees it, for messages: control characters by their
    code, a long text clipped (text_checks.visible)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return visible(value.strip().translate(_NO_BREAK))
    return visible(cell_text(value) or "")
