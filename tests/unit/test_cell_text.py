"""Cell text no record may keep (text_checks.py, security.md "Hostile files"): NUL and the
other control characters, lone surrogates, text longer than a cell holds. Each is its row's
error naming the sheet, the row and the column, never a crash and never staged; messages
quoting such text show it escaped and clipped. The same in the worker (CSV decoded whole)
and in the reading child (a workbook's `_x0000_` escape, a UTF-8 CSV)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.support.hostile_xlsx import freeagent_parts, zipped
from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, check_rows
from worker.kinds.wizard_import.csv_checked import iter_csv_checked
from worker.kinds.wizard_import.csv_rows import CsvSource, iter_csv_rows, open_csv
from worker.kinds.wizard_import.text_checks import text_problem, visible
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_checked
from worker.wizard.records import ImportType, RowError

CONTACTS = ParseSpec(ImportType.CONTACTS, "contacts.csv", "GBP", None)


def _checked(rows: Sequence[tuple[int, Sequence[object]]], spec: ParseSpec = CONTACTS
             ) -> list[CheckedRow]:
    return [row for batch in check_rows(rows, spec) for row in batch]


@pytest.mark.parametrize(("char", "named"), [
    ("\x00", "U+0000 (NUL)"), ("\x1b", "U+001B (ESC)"), ("\x07", "U+0007"),
    ("\x7f", "U+007F (DEL)"), ("\x85", "U+0085"), ("\ud800", "U+D800 (half of a surrogate"),
])
def test_a_control_character_makes_its_row_an_error_naming_the_cell(char: str,
                                                                   named: str) -> None:
    rows = [(1, ["Organisation", "Email"]), (2, ["Acme Ltd", "a@acme.example"]),
            (3, [f"Bad{char}Co", "b@bad.example"]), (4, ["Good Co", f"g@go{char}od.example"])]
    first, bad, good_name = _checked(rows)
    assert first.record is not None
    assert bad.record is None
    assert good_name.record is None
    (error,) = bad.errors
    assert (error.sheet, error.row, error.column) == ("contacts.csv", 3, "Organisation")
    assert error.message.startswith(f"Organisation holds the control character {named}")
    assert "at character 4" in error.message
    assert "Delete the character in the spreadsheet" in error.message
    (email_error,) = good_name.errors
    assert (email_error.row, email_error.column) == (4, "Email")


def test_tab_and_line_breaks_are_text() -> None:
    rows = [(1, ["Organisation", "Address 1"]), (2, ["Tab\tCo", "1 High St\r\nLondon\n"])]
    (row,) = _checked(rows)
    assert row.record is not None
    assert row.errors == []


def test_a_text_longer_than_a_cell_holds_is_its_rows_error() -> None:
    (row,) = _checked([(1, ["Organisation"]), (2, ["x" * 40_000])])
    assert row.record is None
    assert row.errors == [RowError("contacts.csv", 2, "Organisation",
                                   "Organisation holds 40,000 characters, more than the "
                                   "32,767 a spreadsheet cell can hold. Shorten it and upload "
                                   "the file again.")]
    (fits,) = _checked([(1, ["Organisation"]), (2, ["x" * 32_767])])
    assert fits.record is not None


def test_a_backslash_the_user_typed_is_no_control_character() -> None:
    (row,) = _checked([(1, ["Organisation"]), (2, ["C:\\u0000\\b\\f Ltd"])])
    assert row.record is not None
    assert row.errors == []


def test_messages_quoting_a_cell_show_its_control_characters_and_clip_it() -> None:
    spec = ParseSpec(ImportType.BALANCES, "tb.csv", "GBP", None)
    rows = [(1, ["Code", "Name", "Debit", "Credit"]), (2, ["1200", "Bank", "1\x000.00", ""]),
            (3, ["1210", "Cash", "9" * 500 + "x", ""])]
    nul, long = _checked(rows, spec)
    assert nul.errors[0].message == "'1<U+0000>0.00' is not an amount."
    assert "… (501 characters)' is not an amount." in long.errors[0].message
    assert len(long.errors[0].message) < 200
    assert visible("a\x00b\x9fc") == "a<U+0000>b<U+009F>c"
    assert text_problem("fine\ttext\n") is None


def test_a_nul_escaped_in_a_workbook_cell_is_its_rows_error_in_the_child() -> None:
    data = zipped(freeagent_parts([["Acme_x0000_ Ltd", "", "", "a@acme.example"],
                                   ["Bell Ltd", "", "", "b@bell.example"]]))
    spec = ParseSpec(ImportType.CONTACTS, "Contacts", "GBP", None, "freeagent.workbook")
    bad, good = [row for batch in iter_sheet_checked(data, spec) for row in batch]
    assert good.record is not None
    assert bad.record is None
    (error,) = bad.errors
    assert (error.sheet, error.row, error.column) == ("Contacts", 2, "Organisation Name")
    assert "U+0000 (NUL)" in error.message


def test_a_nul_in_a_csv_cell_is_its_rows_error_in_the_child_and_in_the_worker() -> None:
    data = b"Organisation,Email\r\nAcme\x00 Ltd,a@acme.example\r\nBell Ltd,b@bell.example\r\n"
    source = open_csv(data, name="contacts.csv")
    assert isinstance(source, CsvSource)  # not refused: a NUL or two is a cell's
    in_child = [row for batch in iter_csv_checked(source, CONTACTS) for row in batch]
    in_worker = _checked(list(iter_csv_rows(source, name="contacts.csv")))
    for bad, good in (in_child, in_worker):
        assert good.record is not None
        assert bad.record is None
        assert [(e.row, e.column) for e in bad.errors] == [(2, "Organisation")]
