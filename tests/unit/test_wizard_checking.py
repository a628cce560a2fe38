"""Checked rows (checking.py): parsed in the worker for CSV files and in the two reading
processes for workbooks, the same either way; then looked at for duplicates, in order."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import time
from collections.abc import Generator
from datetime import date
from pathlib import Path

import orjson
import pytest
from openpyxl import Workbook

from scripts.demo_workbook import write_demo_workbook
from worker.kinds.wizard_import.checking import (
    CheckedRow,
    Duplicates,
    ParsedRow,
    ParseSpec,
    check_rows,
)
from worker.kinds.wizard_import.columns import match_sheets
from worker.kinds.wizard_import.csv_rows import iter_csv_rows
from worker.kinds.wizard_import.errors import HeaderNotFound
from worker.kinds.wizard_import.file_checks import check_workbook
from worker.kinds.wizard_import.xlsx_rows import (
    ReaderStopped,
    iter_sheet_checked,
    iter_sheet_rows,
)
from worker.wizard.records import BalanceRecord, ImportType, RowError, record_from_json

CUTOVER = date(2026, 9, 30)


def workbook(rows: list[list[object]], title: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def in_child(data: bytes, spec: ParseSpec) -> list[ParsedRow]:
    return [row for batch in iter_sheet_checked(data, spec) for row in batch]


def in_process(data: bytes, spec: ParseSpec) -> list[ParsedRow]:
    return [row for batch in check_rows(iter_sheet_rows(data, spec.sheet), spec, batch=3)
            for row in batch]


def checked(rows: list[ParsedRow], spec: ParseSpec) -> list[CheckedRow]:
    duplicates = Duplicates(spec.import_type, spec.sheet)
    return [duplicates.check(row) for row in rows]


@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
def test_the_child_checks_every_sheet_as_the_worker_would(tmp_path: Path, broken: bool
                                                          ) -> None:
    path = tmp_path / "demo.xlsx"
    # 5,000 invoices: batches of 2,000 rows from both reading processes, the last cut short
    write_demo_workbook(path, broken=broken, extra_invoices=5_000)
    data = path.read_bytes()
    errors = 0
    for kind, sheet in match_sheets(check_workbook(data, path.name)).items():
        spec = ParseSpec(kind, sheet, "GBP", CUTOVER)
        parsed = in_child(data, spec)
        assert parsed == in_process(data, spec)
        assert parsed, sheet
        assert [row.number for row in parsed] == sorted({row.number for row in parsed})
        errors += sum(len(row.errors) for row in parsed)
        for row in parsed:  # each record staged is the row's, as JSON text
            assert (row.record is None) == bool(row.errors)
            if row.record is not None:
                assert record_from_json(kind, orjson.loads(row.record)).row == row.number
    assert (errors > 0) is broken


def test_duplicates_are_skipped_and_a_second_balance_of_an_account_is_an_error() -> None:
    contacts = workbook([["Organisation"], ["Acme Ltd"], ["ACME  LTD "], ["Beta"]])
    spec = ParseSpec(ImportType.CONTACTS, "Sheet", "GBP", None)
    assert [(r.number, r.skipped) for r in checked(in_child(contacts, spec), spec)] == [
        (2, None), (3, "duplicate of row 2"), (4, None)]
    balances = workbook([["Code", "Name", "Debit", "Credit"], ["681", "Debtors", 10, None],
                         ["681", "Debtors again", None, 10]])
    spec = ParseSpec(ImportType.BALANCES, "Sheet", "GBP", None)
    first, second = checked(in_child(balances, spec), spec)
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
    assert checked(batches[-1], spec)[-1].skipped is None  # duplicates are the reader's
    assert checked([row for b in batches for row in b], spec)[-1].skipped == (
        "duplicate of row 5")


# --- the two reading processes, killed from outside --------------------------------------

def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    # 30,000 rows are more than the pipes hold: both processes wait for us, alive
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    write_demo_workbook(path, extra_invoices=30_000)
    return path.read_bytes()


@pytest.mark.parametrize("victim", ["reader", "its fork"])
def test_a_reading_process_killed_from_outside_stops_the_read(big: bytes, victim: str
                                                              ) -> None:
    before = children(os.getpid())
    spec = ParseSpec(ImportType.INVOICES, "Outstanding Invoices", "GBP", CUTOVER)
    batches = iter_sheet_checked(big, spec)
    next(batches)
    (reader,) = children(os.getpid()) - before
    (fork,) = children(reader)
    os.kill(reader if victim == "reader" else fork, signal.SIGKILL)
    with pytest.raises(ReaderStopped, match="stopped by signal 9"):
        list(batches)  # the batches already sent may come first
    assert children(os.getpid()) == before
    deadline = time.monotonic() + 10
    while alive(fork) and time.monotonic() < deadline:  # its output closed: it ends
        time.sleep(0.05)
    assert not alive(fork)


def test_stopping_early_ends_both_reading_processes(big: bytes) -> None:
    before = children(os.getpid())
    spec = ParseSpec(ImportType.INVOICES, "Outstanding Invoices", "GBP", CUTOVER)
    batches = iter_sheet_checked(big, spec)
    assert isinstance(batches, Generator)
    assert len(next(batches)) == 2_000  # batches of rows below the header
    (reader,) = children(os.getpid()) - before
    (fork,) = children(reader)
    batches.close()
    assert children(os.getpid()) == before
    deadline = time.monotonic() + 10
    while alive(fork) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(fork)
