"""Dates as the importers read them, and a file's day/month order.

A date cell is a date or datetime, an Excel serial number, or text: ISO `2026-07-25` (or
`2026/07/25`), numeric `25/07/2026`, `07/25/26`, `25-7-2026`, `25.07.2026` (one separator,
`/`, `-` or `.`), or with an English month name or abbreviation, any case: `25 Jul 2026`,
`25-Jul-2026`, `25 July 2026`, `Jul 25, 2026`, `July 25 2026`, `25 Sept 2026`. A two-digit
year is 2000 + yy (`26` is 2026, `99` is 2099): accounting exports are of this century.

A numeric date's order is plain when a part is over 12 (`25/07/2026` is day-first,
`07/25/2026` month-first) or both parts are equal (`03/03/2026`); otherwise (`03/04/2026`)
the file's order decides, which `DateEvidence` finds from all its date cells: a date is never
guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal

from worker.kinds.wizard_import.values import CellError, shown

__all__ = ["DateDecision", "DateEvidence", "DateOrder", "DateOrderNeeded", "excel_serial_date",
           "numeric_parts", "parse_date"]

DateOrder = Literal["DMY", "MDY"]


class DateOrderNeeded(CellError):
    """A numeric date whose day and month could be either way, and no order is known."""


_NUMERIC = re.compile(r"\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\s*")
_ISO = re.compile(r"(\d{4})([-/])(\d{2})\2(\d{2})")
_DAY_NAME_YEAR = re.compile(r"(\d{1,2})(?:\s+|-)([A-Za-z]+)\.?(?:\s+|-)(\d{4}|\d{2})")
_NAME_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:,\s*|\s+)(\d{4}|\d{2})")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTHS: dict[str, int] = {name: number for number, full in enumerate(_MONTH_NAMES, 1)
                           for name in (full, full[:3])} | {"sept": 9}
_ORDER_NAMES: dict[str, str] = {"DMY": "day-first", "MDY": "month-first"}


def parse_date(value: object, order: DateOrder | None = None) -> date:
    """A date from a date or datetime cell, an Excel serial number (1900 date system), or
    text in one of the module's forms. `order` is the file's day/month order: it reads a
    numeric date whose parts are both 12 or under, and a date that plainly reads the other
    way is an error; without it such a date is a `DateOrderNeeded`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _text_date(value.strip(), order)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return excel_serial_date(value)
    if isinstance(value, (time, timedelta)):
        raise CellError(f"{shown(value)!r} is a time, not a date.")
    raise _not_a_date(shown(value))


def numeric_parts(value: object) -> tuple[int, int, int] | None:
    """(first part, second part, year) of a numeric text date: (3, 4, 2026) from
    `03/04/2026`, `3-4-26` or `03.04.2026` (a two-digit year as 2000 + yy); None for any
    other value (ISO, month names, a number, a date cell)."""
    if type(value) is not str or (match := _NUMERIC.fullmatch(value)) is None:
        return None
    return int(match[1]), int(match[3]), _year(match[4])


def _text_date(text: str, order: DateOrder | None) -> date:
    if match := _NUMERIC.fullmatch(text):
        return _numeric_date(text, int(match[1]), int(match[3]), _year(match[4]), order)
    if match := _ISO.fullmatch(text):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    elif match := _DAY_NAME_YEAR.fullmatch(text):
        day, month, year = int(match[1]), _MONTHS.get(match[2].lower(), 0), _year(match[3])
    elif match := _NAME_DAY_YEAR.fullmatch(text):
        month, day, year = _MONTHS.get(match[1].lower(), 0), int(match[2]), _year(match[3])
    else:
        raise _not_a_date(text)
    return _calendar_date(text, year, month, day)


def _numeric_date(text: str, first: int, second: int, year: int,
                  order: DateOrder | None) -> date:
    if first > 12 and second > 12:
        raise _not_a_date(text)
    if first == second:
        return _calendar_date(text, year, first, first)
    if first > 12 or second > 12:  # the order the date plainly has
        plain: DateOrder = "DMY" if first > 12 else "MDY"
        day, month = (first, second) if plain == "DMY" else (second, first)
        read = _calendar_date(text, year, month, day)
        if order is not None and order != plain:
            raise CellError(
                f"{shown(text)!r} reads {_ORDER_NAMES[plain]} ({_spoken(read)}), but this "
                f"file's dates are {_ORDER_NAMES[order]} ({order}): correct the date or the "
                "file's date order.")
        return read
    if order is None:
        if first == 0 or second == 0:
            raise _not_a_date(text)
        raise DateOrderNeeded(
            f"{shown(text)!r} could be {first} {_month_name(second)} or {second} "
            f"{_month_name(first)} {year}: set the file's date order, DMY (day first) or "
            "MDY (month first).")
    if order == "DMY":
        return _calendar_date(text, year, second, first)
    return _calendar_date(text, year, first, second)


def _calendar_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _not_a_date(text) from None


def _year(digits: str) -> int:
    return int(digits) + 2000 if len(digits) == 2 else int(digits)


def _month_name(month: int) -> str:
    return _MONTH_NAMES[month - 1].capitalize()


def _spoken(day: date) -> str:
    """`25 March 2026`."""
    return f"{day.day} {_month_name(day.month)} {day.year}"


def _not_a_date(value: object) -> CellError:
    return CellError(f"{shown(value)!r} is not a date: write it as YYYY-MM-DD, DD/MM/YYYY "
                     "or MM/DD/YYYY (with the file's date order), 25 Jul 2026, or as an "
                     "Excel date.")


# --- a file's order ------------------------------------------------------------------------

@dataclass(frozen=True)
class DateDecision:
    """A file's day/month order and what it was decided from.

    `source`: "none" when no date of the file needs an order (no numeric text dates, or only
    ones that read the same either way, like 03/03/2026); "column" when the dates show it (a
    part over 12); "stated" or "default" when every numeric date could be either way (or the
    dates show both orders, as many rows each) and the stated order or the default decided;
    "ambiguous" (`order` None) when nothing decided. `example` (and `example_row`) is the
    first date that could be read either way, as written; `day_first_example` and
    `month_first_example` the first (row, text) plainly of each order. These are filled
    whatever the decision, for messages.
    """

    order: DateOrder | None
    source: Literal["none", "column", "stated", "default", "ambiguous"]
    example: str | None
    example_row: int | None
    day_first_example: tuple[int, str] | None
    month_first_example: tuple[int, str] | None


class DateEvidence:
    """The numeric text dates of one file (all its date columns together), counted to decide
    its day/month order. Evidence is counted in rows: cells added one after the other for the
    same row count once."""

    __slots__ = ("_ambiguous", "_day_first", "_day_first_example", "_day_first_row",
                 "_example", "_month_first", "_month_first_example", "_month_first_row")

    def __init__(self) -> None:
        self._day_first = self._month_first = self._ambiguous = 0
        self._day_first_row: int | None = None
        self._month_first_row: int | None = None
        self._example: tuple[int, str] | None = None
        self._day_first_example: tuple[int, str] | None = None
        self._month_first_example: tuple[int, str] | None = None

    def add(self, row: int, value: object) -> None:
        """Count one date cell; any value but a numeric text date is passed over."""
        if type(value) is not str or (match := _NUMERIC.fullmatch(value)) is None:
            return
        first, second = int(match[1]), int(match[3])
        if 12 < first <= 31 and 0 < second <= 12:
            if row != self._day_first_row:
                self._day_first_row = row
                self._day_first += 1
                if self._day_first_example is None:
                    self._day_first_example = (row, value.strip())
        elif 12 < second <= 31 and 0 < first <= 12:
            if row != self._month_first_row:
                self._month_first_row = row
                self._month_first += 1
                if self._month_first_example is None:
                    self._month_first_example = (row, value.strip())
        elif 0 < first <= 12 and 0 < second <= 12 and first != second:
            self._ambiguous += 1
            if self._example is None:
                self._example = (row, value.strip())

    def decide(self, stated: DateOrder | None, default: DateOrder | None = None) -> DateDecision:
        """The file's order: the one its dates show (the one more rows show, when both are
        shown; `stated`, then `default`, on a tie), else `stated`, else `default`; None
        (source "ambiguous") when a date needs an order and nothing gives one. A date of the
        other order is a row error when parsed with the order decided."""
        day_first, month_first = self._day_first, self._month_first
        order: DateOrder | None
        if day_first != month_first:
            order = "DMY" if day_first > month_first else "MDY"
            return self._decision(order, "column")
        if day_first == 0 and self._ambiguous == 0:
            return self._decision(stated or default, "none")
        if stated is not None:
            return self._decision(stated, "stated")
        if default is not None:
            return self._decision(default, "default")
        return self._decision(None, "ambiguous")

    def _decision(self, order: DateOrder | None,
                  source: Literal["none", "column", "stated", "default", "ambiguous"],
                  ) -> DateDecision:
        example_row, example = self._example or (None, None)
        return DateDecision(order, source, example, example_row, self._day_first_example,
                            self._month_first_example)


_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


def excel_serial_date(serial: int | float | Decimal) -> date:
    """The date of an Excel serial number in the 1900 date system (the time of day, a
    fraction, is dropped). Excel counts a 29 February 1900 that never was (serial 60, a
    bug kept from Lotus 1-2-3): serials before it are one day off from those after it."""
    try:
        days = int(serial)  # towards zero; serials are positive
    except (ValueError, OverflowError, InvalidOperation):
        raise CellError(f"{shown(serial)!r} is not a date.") from None
    if days == 60:
        raise CellError("Excel date serial 60 is 29 February 1900, a day that does not exist.")
    if not 1 <= days <= _EXCEL_MAX_SERIAL:
        raise CellError(f"{shown(serial)!r} is not a date.")
    if days < 60:
        return date(1899, 12, 31) + timedelta(days=days)
    return date(1899, 12, 30) + timedelta(days=days)
