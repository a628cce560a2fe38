"""Checked rows (checking.py): parsed and looked at for duplicates, in the worker for CSV
files and in the reading child for workbooks, the same either way."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from scripts.demo_workbook import write_demo_workbook
from tests.support.workbooks import workbook
from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, check_rows
from worker.kinds.wizard_import.columns import match_sheets
from worker.kinds.wizard_import.csv_rows import iter_csv_rows
from worker.kinds.wizard_import.errors import HeaderNotFound
from worker.kinds.wizard_import.file_checks import check_workbook
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_checked, iter_sheet_rows
from worker.wizard.records import BalanceRecord, ImportType, RowError, record_from_json

CUTOVER = date(2026, 9, 30)


def in_child(data: bytes, spec: ParseSpec) -> list[CheckedRow]:
    return [row for batch in iter_sheet_checked(data, spec) for row in batch]


def in_process(data: bytes, spec: ParseSpec) -> list[CheckedRow]:
    return [row for batch in check_rows(iter_sheet_rows(data, spec.sheet), spec, batch=3)
            for row in batch]


@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
def test_the_child_checks_every_sheet_as_the_worker_would(tmp_path: Path, broken: bool
                                                          ) -> None:
    path = tmp_path / "demo.xlsx"
    write_demo_workbook(path, broken=broken, extra_invoices=2_500)
    data = path.read_bytes()
    errors = 0
    for kind, sheet in match_sheets(check_workbook(data, path.name)).items():
        spec = ParseSpec(kind, sheet, "GBP", CUTOVER)
        checked = in_child(data, spec)
        assert checked == in_process(data, spec)
        assert checked, sheet
        errors += sum(len(row.errors) for row in checked)
        for row in checked:  # each record staged is the row's, as JSON text
            assert (row.record is None) == bool(row.errors)
            if row.record is not None:
                assert record_from_json(kind, orjson.loads(row.record)).row == row.number
    assert (errors > 0) is broken


def test_duplicates_are_skipped_and_a_second_balance_of_an_account_is_an_error() -> None:
    contacts = workbook([["Organisation"], ["Acme Ltd"], ["ACME  LTD "], ["Beta"]])
    spec = ParseSpec(ImportType.CONTACTS, "Sheet", "GBP", None)
    assert [(r.number, r.skipped) for r in in_child(contacts, spec)] == [
        (2, None), (3, "duplicate of row 2"), (4, None)]
    balances = workbook([["Code", "Name", "Debit", "Credit"], ["681", "Debtors", 10, None],
                         ["681", "Debtors again", None, 10]])
    spec = ParseSpec(ImportType.BALANCES, "Sheet", "GBP", None)
    first, second = in_child(balances, spec)
    assert first.record is not None
    assert record_from_json(ImportType.BALANCES, orjson.loads(first.record)) == BalanceRecord(
        row=2, code="681", name="Debtors", debit_minor=1000, credit_minor=0)
    assert second == CheckedRow(3, None, None, [RowError(
        "Sheet", 3, None, "account code 681 appears again (first on row 2); a trial "
        "balance has one row per account")])


def test_row_errors_come_from_the_child_with_sheet_row_and_column() -> None:
    data = workbook([["Title"], ["Reference", "Contact", "Date", "Total"],
                     ["INV-1", "Acme", "31/02/2026", "12.345"]], title="Invoices")
    (row,) = in_child(data, ParseSpec(ImportType.INVOICES, "Invoices", "GBP", CUTOVER))
    assert row.number == 3
    assert row.record is None
    assert [(e.sheet, e.row, e.column) for e in row.errors] == [
        ("Invoices", 3, "Date"), ("Invoices", 3, "Total")]


def test_a_sheet_without_a_header_is_refused_at_the_end_naming_the_columns() -> None:
    data = workbook([["Trial balance"], ["Code", "Name", "Amount"], ["681", "Debtors", 1]])
    spec = ParseSpec(ImportType.BALANCES, "Sheet", "GBP", None)
    message = ("'Sheet' has no header row: the columns Debit, Credit were not found. Put "
               "the column names in one row above the data (names match ignoring case) and "
               "upload the file again.")
    for read in (in_child, in_process):
        with pytest.raises(HeaderNotFound) as refused:
            read(data, spec)
        assert refused.value.code == "HEADER_NOT_FOUND"
        assert refused.value.message == message


def test_a_csv_file_is_checked_in_batches() -> None:
    lines = ["Organisation"] + [f"Contact {i}" for i in range(7)] + ["Contact 3"]
    spec = ParseSpec(ImportType.CONTACTS, "contacts.csv", "GBP", None)
    batches = list(check_rows(iter_csv_rows("\n".join(lines).encode()), spec, batch=3))
    assert [len(batch) for batch in batches] == [3, 3, 2]
    assert batches[-1][-1].skipped == "duplicate of row 5"
