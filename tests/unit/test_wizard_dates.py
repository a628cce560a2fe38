"""The wizard's dates: every form, the file's day/month order and its evidence."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal

import pytest

from worker.kinds.wizard_import.dates import (
    DateDecision,
    DateEvidence,
    DateOrder,
    DateOrderNeeded,
    numeric_parts,
    parse_date,
)
from worker.kinds.wizard_import.values import CellError

Source = Literal["none", "column", "stated", "default", "ambiguous"]
NOT_A_DATE = ("is not a date: write it as YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY (with the "
              "file's date order), 25 Jul 2026, or as an Excel date.")


# --- forms that need no order --------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2026, 7, 25, 14, 30), date(2026, 7, 25)),
    (date(2026, 7, 25), date(2026, 7, 25)),
    (46228, date(2026, 7, 25)),
    (46228.5, date(2026, 7, 25)),
    (Decimal("46228"), date(2026, 7, 25)),
    ("2026-07-25", date(2026, 7, 25)),
    ("2026/07/25", date(2026, 7, 25)),
    (" 2026-07-25 ", date(2026, 7, 25)),
    ("\u00a02026-07-25\u202f", date(2026, 7, 25)),
    ("25/07/2026", date(2026, 7, 25)),
    ("25-07-2026", date(2026, 7, 25)),
    ("25.07.2026", date(2026, 7, 25)),
    ("25/7/2026", date(2026, 7, 25)),
    ("07/25/2026", date(2026, 7, 25)),
    ("7-25-2026", date(2026, 7, 25)),
    ("7.25.2026", date(2026, 7, 25)),
    ("25/07/26", date(2026, 7, 25)),
    ("7/25/26", date(2026, 7, 25)),
    ("03/03/2026", date(2026, 3, 3)),  # the same either way
    ("12.12.26", date(2026, 12, 12)),
    ("25 Jul 2026", date(2026, 7, 25)),
    ("25-Jul-2026", date(2026, 7, 25)),
    ("25 July 2026", date(2026, 7, 25)),
    ("25 JULY 2026", date(2026, 7, 25)),
    ("25 jul 2026", date(2026, 7, 25)),
    ("5 Jul 2026", date(2026, 7, 5)),
    ("25 Jul. 2026", date(2026, 7, 25)),
    ("25-Jul-26", date(2026, 7, 25)),
    ("25  Jul  2026", date(2026, 7, 25)),
    ("Jul 25, 2026", date(2026, 7, 25)),
    ("July 25, 2026", date(2026, 7, 25)),
    ("Jul 25 2026", date(2026, 7, 25)),
    ("jul 25,2026", date(2026, 7, 25)),
    ("Jul. 5, 2026", date(2026, 7, 5)),
    ("1 Sept 2026", date(2026, 9, 1)),
    ("Sept 1, 2026", date(2026, 9, 1)),
    ("1 Sep 2026", date(2026, 9, 1)),
    ("1 September 2026", date(2026, 9, 1)),
    ("31 May 2026", date(2026, 5, 31)),
    *[(f"1 {name} 2026", date(2026, month, 1)) for month, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        1)],
    *[(f"{name} 1, 2026", date(2026, month, 1)) for month, name in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"], 1)],
])
def test_dates_without_an_order(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("01/01/00", date(2000, 1, 1)),
    ("31/12/99", date(2099, 12, 31)),  # a two-digit year is 2000 + yy
    ("25/07/26", date(2026, 7, 25)),
    ("07/25/26", date(2026, 7, 25)),
    ("25 Jul 26", date(2026, 7, 25)),
])
def test_two_digit_years_are_this_century(value: str, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(("value", "order", "expected"), [
    ("29/02/2028", None, date(2028, 2, 29)),
    ("02/29/2028", None, date(2028, 2, 29)),
    ("29.02.28", None, date(2028, 2, 29)),
    ("29 Feb 2028", None, date(2028, 2, 29)),
    ("2000-02-29", None, date(2000, 2, 29)),
    ("02/29/2024", "MDY", date(2024, 2, 29)),
])
def test_leap_days(value: str, order: DateOrder | None, expected: date) -> None:
    assert parse_date(value, order) == expected


@pytest.mark.parametrize("value", ["29/02/2026", "02/29/2026", "29 Feb 2026", "2100-02-29",
                                   "29/02/2100"])
def test_no_29_february_outside_leap_years(value: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(value)
    assert str(caught.value) == f"{value!r} {NOT_A_DATE}"


# --- the order ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "order", "expected"), [
    ("03/04/2026", "DMY", date(2026, 4, 3)),
    ("03/04/2026", "MDY", date(2026, 3, 4)),
    ("3-4-26", "DMY", date(2026, 4, 3)),
    ("3.4.26", "MDY", date(2026, 3, 4)),
    ("12/11/2026", "DMY", date(2026, 11, 12)),
    ("25/03/2026", "DMY", date(2026, 3, 25)),
    ("03/25/2026", "MDY", date(2026, 3, 25)),
    ("03/03/2026", "MDY", date(2026, 3, 3)),
    ("2026-03-04", "MDY", date(2026, 3, 4)),  # ISO is ISO whatever the order
    ("4 Mar 2026", "MDY", date(2026, 3, 4)),
    ("Mar 4, 2026", "DMY", date(2026, 3, 4)),
])
def test_the_order_reads_what_could_be_either_way(value: str, order: DateOrder,
                                                  expected: date) -> None:
    assert parse_date(value, order) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("03/04/2026", "'03/04/2026' could be 3 April or 4 March 2026: set the file's date "
                   "order, DMY (day first) or MDY (month first)."),
    ("1-12-26", "'1-12-26' could be 1 December or 12 January 2026: set the file's date "
                "order, DMY (day first) or MDY (month first)."),
])
def test_without_an_order_an_ambiguous_date_is_refused(value: str, message: str) -> None:
    with pytest.raises(DateOrderNeeded) as caught:
        parse_date(value)
    assert str(caught.value) == message
    assert isinstance(caught.value, CellError)


@pytest.mark.parametrize(("value", "order", "message"), [
    ("25/03/2026", "MDY", "'25/03/2026' reads day-first (25 March 2026), but this file's "
                          "dates are month-first (MDY): correct the date or the file's date "
                          "order."),
    ("03/25/2026", "DMY", "'03/25/2026' reads month-first (25 March 2026), but this file's "
                          "dates are day-first (DMY): correct the date or the file's date "
                          "order."),
    ("13.1.26", "MDY", "'13.1.26' reads day-first (13 January 2026), but this file's "
                       "dates are month-first (MDY): correct the date or the file's date "
                       "order."),
])
def test_a_date_that_contradicts_the_order_is_refused(value: str, order: DateOrder,
                                                      message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(value, order)
    assert str(caught.value) == message
    assert not isinstance(caught.value, DateOrderNeeded)


@pytest.mark.parametrize("value", [
    "31/02/2026", "02/31/2026", "13/13/2026", "25/25/2026", "32/01/2026", "01/32/2026",
    "00/05/2026", "05/00/2026", "00/00/2026", "0/13/2026", "13/0/2026", "2026-13-01",
    "2026-02-30", "2026-9-30", "2026.09.30", "20260930", "30/09/2026 10:00",
    "2026-09-30T00:00", "03/04-2026", "3/4/202", "3/4/2026/1", "123/4/2026", "30 Sepp 2026",
    "31 Sep 2026", "32 Jul 2026", "Jul 32, 2026", "25 Jul", "Jul 2026", "25 Jul 202",
    "Monday 25 Jul 2026", "25th Jul 2026", "Jul 25th, 2026", "abc", "", "  ", "1/1",
])
def test_not_dates_say_which_forms_are_accepted(value: str) -> None:
    orders: tuple[DateOrder | None, ...] = (None, "DMY", "MDY")
    for order in orders:
        with pytest.raises(CellError) as caught:
            parse_date(value, order)
        assert str(caught.value) == f"{value.strip()!r} {NOT_A_DATE}"


def test_a_nonbreaking_space_shows_as_a_space_in_messages() -> None:
    with pytest.raises(CellError) as caught:
        parse_date("25\u00a0Jux\u00a02026")
    assert str(caught.value) == f"'25 Jux 2026' {NOT_A_DATE}"


@pytest.mark.parametrize(("value", "message"), [
    (0, "'0' is not a date."),
    (-5, "'-5' is not a date."),
    (3_000_000, "'3000000' is not a date."),
    (float("nan"), "'nan' is not a date."),
    (Decimal("Infinity"), "'Infinity' is not a date."),
    (60, "Excel date serial 60 is 29 February 1900, a day that does not exist."),
    (True, f"'TRUE' {NOT_A_DATE}"),
    (None, f"'' {NOT_A_DATE}"),
    ([2026, 7, 25], f"'[2026, 7, 25]' {NOT_A_DATE}"),
    (time(9, 30), "'09:30:00' is a time, not a date."),
    (timedelta(hours=2), "'2:00:00' is a time, not a date."),
])
def test_cells_that_are_not_dates(value: object, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(value, "DMY")
    assert str(caught.value) == message


# --- numeric_parts -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "parts"), [
    ("03/04/2026", (3, 4, 2026)),
    ("3-4-26", (3, 4, 2026)),
    ("03.04.2026", (3, 4, 2026)),
    (" 25/12/2026 ", (25, 12, 2026)),
    ("45/67/2026", (45, 67, 2026)),  # parts, whether or not a date
    ("2026-04-03", None),
    ("2026/04/03", None),
    ("3 Apr 2026", None),
    ("Apr 3, 2026", None),
    ("03/04-2026", None),
    ("03/04/202", None),
    (46228, None),
    (46228.0, None),
    (date(2026, 4, 3), None),
    (None, None),
])
def test_numeric_parts(value: object, parts: tuple[int, int, int] | None) -> None:
    assert numeric_parts(value) == parts


# --- DateEvidence ----------------------------------------------------------------------------

def _evidence(*cells: tuple[int, object]) -> DateEvidence:
    evidence = DateEvidence()
    for row, value in cells:
        evidence.add(row, value)
    return evidence


def test_no_numeric_dates_needs_no_order() -> None:
    evidence = _evidence((2, "2026-07-25"), (3, date(2026, 7, 25)), (4, 46228), (5, None),
                         (6, "25 Jul 2026"), (7, ""), (8, "abc"), (9, 46228.5))
    assert evidence.decide(None) == DateDecision(None, "none", None, None, None, None)
    assert evidence.decide("MDY") == DateDecision("MDY", "none", None, None, None, None)
    assert evidence.decide(None, "DMY").order == "DMY"
    assert evidence.decide("MDY", "DMY").order == "MDY"
    assert DateEvidence().decide(None).source == "none"


def test_dates_the_same_either_way_need_no_order() -> None:
    decision = _evidence((2, "03/03/2026"), (3, "12.12.26")).decide(None)
    assert (decision.order, decision.source, decision.example) == (None, "none", None)


def test_day_first_dates_decide() -> None:
    evidence = _evidence((2, "03/04/2026"), (3, " 25/04/2026 "), (4, "26/04/2026"))
    for stated in (None, "DMY", "MDY"):  # the column wins over what was stated
        decision = evidence.decide(stated, "MDY")
        assert decision == DateDecision("DMY", "column", "03/04/2026", 2,
                                        (3, "25/04/2026"), None)


def test_month_first_dates_decide() -> None:
    evidence = _evidence((2, "04/25/26"), (3, "4/3/26"))
    assert evidence.decide("DMY", "DMY") == DateDecision("MDY", "column", "4/3/26", 3, None,
                                                         (2, "04/25/26"))


def test_both_orders_the_one_more_rows_show_wins() -> None:
    evidence = _evidence((2, "25/04/2026"), (3, "26/04/2026"), (4, "04/27/2026"),
                         (5, "03/04/2026"))
    decision = evidence.decide("MDY")
    assert decision == DateDecision("DMY", "column", "03/04/2026", 5, (2, "25/04/2026"),
                                    (4, "04/27/2026"))
    # the row that disagrees is a row error when read in the order decided
    assert decision.order is not None
    with pytest.raises(CellError, match="reads month-first"):
        parse_date("04/27/2026", decision.order)
    more_month_first = _evidence((2, "25/04/2026"), (3, "04/26/2026"), (4, "04/27/2026"))
    assert more_month_first.decide("DMY").order == "MDY"
    assert more_month_first.decide("DMY").source == "column"


@pytest.mark.parametrize(("stated", "default", "order", "source"), [
    ("MDY", "DMY", "MDY", "stated"),
    ("DMY", None, "DMY", "stated"),
    (None, "MDY", "MDY", "default"),
    (None, None, None, "ambiguous"),
])
def test_both_orders_as_many_rows_each(stated: DateOrder | None, default: DateOrder | None,
                                       order: DateOrder | None, source: str) -> None:
    evidence = _evidence((2, "25/04/2026"), (3, "04/26/2026"))
    decision = evidence.decide(stated, default)
    assert (decision.order, decision.source) == (order, source)
    assert decision.day_first_example == (2, "25/04/2026")
    assert decision.month_first_example == (3, "04/26/2026")
    assert decision.example is None


@pytest.mark.parametrize(("stated", "default", "order", "source"), [
    ("MDY", "DMY", "MDY", "stated"),
    ("DMY", "MDY", "DMY", "stated"),
    (None, "DMY", "DMY", "default"),
    (None, None, None, "ambiguous"),
])
def test_every_date_either_way(stated: DateOrder | None, default: DateOrder | None,
                               order: DateOrder | None, source: Source) -> None:
    evidence = _evidence((2, "2026-07-25"), (3, "03/03/2026"), (4, " 03/04/2026 "),
                         (5, "05/06/2026"))
    assert evidence.decide(stated, default) == DateDecision(order, source,
                                                            "03/04/2026", 4, None, None)


def test_evidence_is_counted_in_rows() -> None:
    """Two day-first dates in one row count once: here one row of each order is a tie."""
    evidence = _evidence((2, "25/04/2026"), (2, "26/04/2026"), (3, "04/27/2026"))
    assert evidence.decide(None).source == "ambiguous"
    assert _evidence((2, "25/04/2026"), (3, "26/04/2026"), (4, "04/27/2026")).decide(
        None).order == "DMY"


@pytest.mark.parametrize("value", ["32/04/2026", "04/32/2026", "13/13/2026", "00/04/2026",
                                   "04/00/2026", "13/00/2026", "00/13/2026"])
def test_impossible_dates_are_no_evidence(value: str) -> None:
    assert _evidence((2, value)).decide(None).source == "none"


def test_evidence_passes_over_what_is_not_a_numeric_text_date() -> None:
    evidence = DateEvidence()
    for value in (None, 46228, 46228.5, Decimal(1), date(2026, 7, 25), True, b"25/04/2026",
                  "2026/04/25", "25 Apr 2026", "25/04/2026 10:00"):
        evidence.add(2, value)
    assert evidence.decide(None).source == "none"


def test_a_decision_is_frozen() -> None:
    decision = DateEvidence().decide("DMY")
    with pytest.raises(AttributeError):
        decision.order = "MDY"  # type: ignore[misc]
