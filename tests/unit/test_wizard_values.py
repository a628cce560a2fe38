"""Cell values of the wizard's files: money exact in minor units, dates, text."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from worker.kinds.wizard_import.dates import DateOrderNeeded, excel_serial_date, parse_date
from worker.kinds.wizard_import.values import (
    _USUAL_MARKS,
    CellError,
    _marks,
    _money_minor,
    cell_text,
    is_blank,
    parse_currency,
    parse_money,
    parse_whole_number,
    plain_float_minor,
)


@pytest.mark.parametrize(("value", "currency", "minor"), [
    (12, "GBP", 1200),
    (Decimal("1234.56"), "GBP", 123456),
    (Decimal("12.50"), "JPY", None),  # see below: JPY has no decimals
    (540.6, "GBP", 54060),
    (1200.0, "GBP", 120000),
    (0.1, "GBP", 10),
    (-0.5, "GBP", -50),
    (-0.0, "GBP", 0),
    ("1,234.50", "GBP", 123450),
    ("£1,234.50", "GBP", 123450),
    ("$5", "USD", 500),
    ("€-3.10", "EUR", -310),
    ("-€3.10", "EUR", -310),
    ("-12.00", "GBP", -1200),
    ("(12.00)", "GBP", -1200),
    ("(£1,000)", "GBP", -100000),
    (" 12.5 ", "GBP", 1250),
    ("+7", "GBP", 700),
    (".5", "GBP", 50),
    ("12.", "GBP", 1200),
    ("1500", "JPY", 1500),
    ("12.50", "JPY", None),
    ("12.00", "JPY", 12),
    ("12.345", "KWD", 12345),
    ("1,000,000.00", "GBP", 100000000),
    ("12 GBP", "GBP", 1200),
])
def test_money_in_minor_units(value: object, currency: str, minor: int | None) -> None:
    if minor is None:
        with pytest.raises(CellError, match="more decimals than JPY allows"):
            parse_money(value, currency)
    else:
        assert parse_money(value, currency) == minor


def test_a_float_is_read_through_its_repr_never_multiplied() -> None:
    assert int(19.99 * 100) == 1998  # what float arithmetic would store
    assert parse_money(19.99, "GBP") == 1999
    assert parse_money(0.57, "GBP") == 57
    assert parse_money(1e15 / 1e3, "GBP") == 100000000000000


def _floats() -> list[float]:
    """Amounts as a sheet holds them (whole minor units of 0-3 decimals, every magnitude),
    arbitrary doubles, and the edges: exponent forms, bounds, -0.0, nan, inf."""
    rng = random.Random(8)
    values = [0.0, -0.0, 0.1 + 0.2, 1.5e-05, 1e-04, 1e16, 1.5e16, 9999999999999.99,
              10000000000000.0, -9999999999999.99, 1e15 / 1e3, float("nan"), float("inf"),
              float("-inf"), 1200.0, 0.5, 12.345, 99.995]
    for digits in range(1, 17):
        for decimals in range(4):
            for _ in range(60):
                values.append(rng.randrange(-10**digits, 10**digits) / 10**decimals)
    values += [rng.uniform(-1e6, 1e6) for _ in range(2000)]
    return values


@pytest.mark.parametrize(("exponent", "currency"), [(0, "JPY"), (2, "GBP"), (3, "KWD")])
def test_the_plain_float_path_reads_as_the_long_way_does(exponent: int, currency: str) -> None:
    """`plain_float_minor` (every amount of a usual row) agrees with the full parse wherever
    it answers, and answers for every amount the file can hold in minor units."""
    answered = 0
    for value in _floats():
        fast = plain_float_minor(value, exponent)
        try:
            slow: int | None = _money_minor(value, exponent, currency)
        except CellError:
            slow = None
        if fast is not None:
            answered += 1
            assert fast == slow, value
        else:  # left to the full parse: an error, or a form the fast path does not read
            assert slow is None or "e" in repr(value), value
    assert answered > 1000


@pytest.mark.parametrize(("value", "message"), [
    ("abc", "'abc' is not an amount."),
    ("12.3.4", "'12.3.4' is not an amount."),
    ("1,2345.00", "'1,2345.00' is not an amount."),
    ("--5", "'--5' is not an amount."),
    ("(-5)", "'(-5)' is not an amount."),
    ("-12.00-", "'-12.00-' is not an amount."),
    ("12.00 CR-", "'12.00 CR-' is not an amount."),
    ("-12.00 CR", "'-12.00 CR' is not an amount."),
    ("(12.00) CR", "'(12.00) CR' is not an amount."),
    ("+12.00 DR", "'+12.00 DR' is not an amount."),
    ("12.00 CR DR", "'12.00 CR DR' is not an amount."),
    ("(12.00", "'(12.00' is not an amount."),
    ("12.00)", "'12.00)' is not an amount."),
    ("((12.00))", "'((12.00))' is not an amount."),
    (")12.00(", "')12.00(' is not an amount."),
    ("12.00+", "'12.00+' is not an amount."),
    ("CR 12.00", "'CR 12.00' is not an amount."),
    ("$£12.00", "'$£12.00' is not an amount."),
    ("GBP 12.00 GBP", "'GBP 12.00 GBP' is not an amount."),
    ("12.00 ABC", "'12.00 ABC' is not an amount."),
    ("12.00 pounds", "'12.00 pounds' is not an amount."),
    ("¥12", "'¥12' is not an amount."),
    ("12.00.", "'12.00.' is not an amount."),
    ("1 234.56", "'1 234.56' is not an amount."),
    ("1,234,56", "'1,234,56' is not an amount."),
    ("£", "'£' is not an amount."),
    ("1e3", "'1e3' is not an amount."),
    ("12.345", "'12.345' has more decimals than GBP allows (2)."),
    (Decimal("0.001"), "'0.001' has more decimals than GBP allows (2)."),
    (0.1 + 0.2, "'0.30000000000000004' has more decimals than GBP allows (2)."),
    (1.5e-05, "'1.5e-05' has more decimals than GBP allows (2)."),
    (float("nan"), "'nan' is not an amount."),
    (float("inf"), "'inf' is not an amount."),
    (Decimal("NaN"), "'NaN' is not an amount."),
    (True, "'TRUE' is not an amount."),
    (date(2026, 1, 1), "'2026-01-01' is not an amount."),
    (1e16, "'1e+16' is too large an amount."),
    ("99,999,999,999,999.99", "'99,999,999,999,999.99' is too large an amount."),
])
def test_money_errors_say_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_money(value, "GBP")
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_an_unknown_currency() -> None:
    with pytest.raises(CellError, match="'XYZ' is not a currency code"):
        parse_money("1.00", "XYZ")


@pytest.mark.parametrize(("value", "minor"), [
    ("1,234.56", 123456),
    ("$1,234.56", 123456),
    ("USD 1,234.56", 123456),
    ("USD1,234.56", 123456),
    ("usd 1,234.56", 123456),
    ("1,234.56 USD", 123456),
    ("1,234.56usd", 123456),
    ("Usd 1,234.56", 123456),
    ("USD $1,234.56", 123456),
    ("(1,234.56)", -123456),
    ("($1,234.56)", -123456),
    ("(USD 1,234.56)", -123456),
    ("(1,234.56) USD", -123456),
    ("$ (1,234.56)", -123456),  # Excel's accounting format
    ("( 1,234.56 )", -123456),
    ("-$1,234.56", -123456),
    ("$-1,234.56", -123456),
    ("- $ 1,234.56", -123456),
    ("-USD 1,234.56", -123456),
    ("USD -1,234.56", -123456),
    ("-1,234.56", -123456),
    ("+1,234.56", 123456),
    ("1,234.56-", -123456),
    ("1,234.56 -", -123456),
    ("$1,234.56-", -123456),
    ("1,234.56 USD-", -123456),
    ("1,234.56 CR", -123456),
    ("1,234.56CR", -123456),
    ("1,234.56 cr", -123456),
    ("1,234.56 Cr", -123456),
    ("$1,234.56 CR", -123456),
    ("1,234.56 USD CR", -123456),
    ("1,234.56 DR", 123456),
    ("1,234.56DR", 123456),
    ("1,234.56 dr", 123456),
    ("  1,234.56  ", 123456),
    ("\u00a01,234.56\u00a0", 123456),
    ("\u202f$\u202f1,234.56\u202fCR\u202f", -123456),
    ("USD\u00a01,234.56", 123456),
    ("\t-1,234.56\n", -123456),
    ("1,234", 123400),  # a thousands comma, not a decimal one
    ("12,345,678", 1234567800),
    ("0.00 CR", 0),
    ("12 USD", 1200),
])
def test_amount_text_forms(value: str, minor: int) -> None:
    assert parse_money(value, "USD") == minor


def test_a_symbol_must_be_its_currencys() -> None:
    """A $ amount read as pounds would be a wrong figure that nothing else catches."""
    assert parse_money("£1,234.56", "GBP") == 123456
    assert parse_money("(€12.00)", "EUR") == -1200
    assert parse_money("$12 CR", "CAD") == -1200
    for value, currency in (("$12.00", "GBP"), ("(€12.00)", "GBP"), ("£12 CR", "USD")):
        with pytest.raises(CellError) as refused:
            parse_money(value, currency)
        assert str(refused.value) == (
            f"{value!r} is written in {value.strip('(')[0]}, but the import's amounts are "
            f"in {currency}: if the books are kept in another currency, create the "
            'migration with it (for example "currency": "USD") and upload the files again.')


@pytest.mark.parametrize(("value", "currency", "message"), [
    ("USD 12.00", "GBP", "'USD 12.00' is in USD, but the import's amounts are in GBP."),
    ("12.00 usd", "GBP", "'12.00 usd' is in USD, but the import's amounts are in GBP."),
    ("(EUR12.00)", "GBP", "'(EUR12.00)' is in EUR, but the import's amounts are in GBP."),
    ("GBP 12.00 CR", "USD", "'GBP 12.00 CR' is in GBP, but the import's amounts are in USD."),
    ("12 GBP", "JPY", "'12 GBP' is in GBP, but the import's amounts are in JPY."),
])
def test_another_currencys_code_is_refused(value: str, currency: str, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_money(value, currency)
    assert str(caught.value) == message


_COMMA_ADVICE = ("amounts must use a decimal point: export the file with a UK or US number "
                 "format, or change the separator in the spreadsheet, and upload it again.")


@pytest.mark.parametrize(("value", "shown", "read"), [
    ("1.234,56", "1.234,56", "1234.56"),
    ("12,50", "12,50", "12.50"),
    ("1,23", "1,23", "1.23"),
    ("1 234,56", "1 234,56", "1234.56"),
    ("1\u00a0234,56", "1 234,56", "1234.56"),
    ("1\u202f234\u202f567,8", "1 234 567,8", "1234567.8"),
    ("1.234.567,89", "1.234.567,89", "1234567.89"),
    ("€12,50", "12,50", "12.50"),
    ("-1.234,56", "1.234,56", "1234.56"),
    ("(12,50)", "12,50", "12.50"),
    ("12,50 GBP", "12,50", "12.50"),
    ("12,3456", "12,3456", "12.3456"),
])
def test_a_decimal_comma_is_refused_saying_what_to_do(value: str, shown: str,
                                                      read: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_money(value, "GBP")
    quoted = value.strip().replace("\u00a0", " ").replace("\u202f", " ")
    assert str(caught.value) == (f"'{quoted}' uses a decimal comma ({shown} for {read}); "
                                 + _COMMA_ADVICE)


def test_the_decimal_comma_message_in_full() -> None:
    with pytest.raises(CellError) as caught:
        parse_money("1.234,56", "GBP")
    assert str(caught.value) == (
        "'1.234,56' uses a decimal comma (1.234,56 for 1234.56); amounts must use a decimal "
        "point: export the file with a UK or US number format, or change the separator in "
        "the spreadsheet, and upload it again.")


@pytest.mark.parametrize(("value", "currency", "message"), [
    ("$1,234.567", "USD", "'$1,234.567' has more decimals than USD allows (2)."),
    ("1,234.567 CR", "USD", "'1,234.567 CR' has more decimals than USD allows (2)."),
    ("(USD 0.001)", "USD", "'(USD 0.001)' has more decimals than USD allows (2)."),
    ("JPY 1,500.5", "JPY", "'JPY 1,500.5' has more decimals than JPY allows (0)."),
    ("$\u00a01.234", "USD", "'$ 1.234' has more decimals than USD allows (2)."),
])
def test_more_decimals_than_the_currency_allows_is_never_rounded(
        value: str, currency: str, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_money(value, currency)
    assert str(caught.value) == message


def test_a_non_breaking_space_is_shown_as_a_space_in_messages() -> None:
    with pytest.raises(CellError) as caught:
        parse_money("12.00\u00a0XYZ", "GBP")
    assert str(caught.value) == "'12.00 XYZ' is not an amount."


@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2026, 9, 30, 14, 0), date(2026, 9, 30)),
    (date(2026, 9, 30), date(2026, 9, 30)),
    (46295, date(2026, 9, 30)),
    (46295.75, date(2026, 9, 30)),
    (Decimal("46295"), date(2026, 9, 30)),
    (1, date(1900, 1, 1)),
    (59, date(1900, 2, 28)),
    (61, date(1900, 3, 1)),
    ("2026-09-30", date(2026, 9, 30)),
    (" 30/09/2026 ", date(2026, 9, 30)),
    ("09/30/2026", date(2026, 9, 30)),  # month-first: 30 can only be the day
    ("30.09.2026", date(2026, 9, 30)),
    ("30 Sep 2026", date(2026, 9, 30)),
    ("1/1/2026", date(2026, 1, 1)),  # the same either way
])
def test_dates(value: object, expected: date) -> None:
    """dates.parse_date without an order."""
    assert parse_date(value) == expected


def test_a_date_that_could_be_either_way_needs_the_files_order() -> None:
    with pytest.raises(DateOrderNeeded, match="'1/9/2026' could be 1 September or 9 January"):
        parse_date("1/9/2026")
    assert parse_date("1/9/2026", "DMY") == date(2026, 9, 1)
    assert parse_date("1/9/2026", "MDY") == date(2026, 1, 9)


def test_serial_60_is_excels_29_february_1900() -> None:
    with pytest.raises(CellError, match="29 February 1900, a day that does not exist"):
        excel_serial_date(60)


@pytest.mark.parametrize("value", ["31/02/2026", "2026-13-01", "13/30/2026", "30.09.20261",
                                   "2026-9-30", "30 Sepp 2026", "abc", "", 0, -5, 3_000_000,
                                   True, None])
def test_not_dates(value: object) -> None:
    with pytest.raises(CellError, match="is not a date"):
        parse_date(value)


def test_a_text_date_error_says_which_forms_are_accepted() -> None:
    with pytest.raises(CellError) as caught:
        parse_date("31/02/2026")
    assert str(caught.value) == ("'31/02/2026' is not a date: write it as YYYY-MM-DD, "
                                 "DD/MM/YYYY or MM/DD/YYYY (with the file's date order), "
                                 "25 Jul 2026, or as an Excel date.")


@pytest.mark.parametrize("value", [time(9, 30), timedelta(hours=2)])
def test_a_time_is_not_a_date(value: object) -> None:
    with pytest.raises(CellError, match="is a time, not a date"):
        parse_date(value)


@pytest.mark.parametrize(("value", "text"), [
    (None, None), ("", None), ("   ", None), (" Acme ", "Acme"), (681, "681"),
    (681.0, "681"), (12.5, "12.5"), (Decimal("681.0"), "681"), (Decimal("1.50"), "1.5"),
    (True, "TRUE"), (date(2026, 9, 30), "2026-09-30"),
    (datetime(2026, 9, 30), "2026-09-30"), (datetime(2026, 9, 30, 8, 5), "2026-09-30 08:05:00"),
])
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text
    assert is_blank(value) == (value is None or (isinstance(value, str) and not text))


@pytest.mark.parametrize(("value", "number"), [(30, 30), (30.0, 30), ("30", 30),
                                                (" 14 ", 14)])
def test_whole_numbers(value: object, number: int) -> None:
    assert parse_whole_number(value) == number


@pytest.mark.parametrize("value", [30.5, "30 days", "", None])
def test_not_whole_numbers(value: object) -> None:
    with pytest.raises(CellError, match="is not a whole number"):
        parse_whole_number(value)


def test_currencies() -> None:
    assert parse_currency(" gbp ") == "GBP"
    with pytest.raises(CellError, match="'XBT' is not an ISO 4217 currency code"):
        parse_currency("XBT")


def test_the_usual_marks_read_as_the_long_way_does() -> None:
    for (prefix, suffix), negative in _USUAL_MARKS.items():
        assert _marks("", prefix, suffix, "GBP") is negative, (prefix, suffix)


@pytest.mark.parametrize("exponent", [0, 2, 3])
def test_the_plain_text_path_reads_as_the_long_way_does(exponent: int) -> None:
    """CSV amounts like 1,234.50 are read by string methods; wherever that path answers, it
    agrees with the full reading, and it answers for the usual forms."""
    from worker.kinds.wizard_import.values import _plain_text_minor, _text_minor

    currency = {0: "JPY", 2: "GBP", 3: "KWD"}[exponent]
    texts = ["0", "0.00", "1", "12.5", "1234.56", "1,234.56", "12,345,678.9", "1,234",
             "123,456", ".5", "5.", "1,23", "12,34.56", "1,2345.00", "1.2.3", "", " 1.00",
             "١٢٣", "12.345", "1.000", "00012.10", "+1.00", "-1.00", "1.00-", "£1.00",
             "1,234.5600", "999,999,999,999.99", "1e5", "1_000.00", ",123.00"]
    answered = 0
    for text in texts:
        fast = _plain_text_minor(text, exponent)
        if fast is None:
            continue
        answered += 1
        assert fast == _text_minor(text, exponent, currency), text
    assert answered >= (6 if exponent == 0 else 10)  # JPY: no decimals to read
    assert _plain_text_minor("1,234.56", 2) == 123456
    assert _plain_text_minor("12,345,678.9", 2) == 1234567890
