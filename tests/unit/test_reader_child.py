"""The reading child's death, told apart (reader_child.py, security.md "Hostile files"): a
crash or a cap is the file's (ReaderFailed: INVALID_FILE naming the sheet and the file,
never retried); a signal from outside is not (ReaderStopped: the import runs again). Real
child processes, real signals, real limits."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.demo_workbook import write_demo_workbook
from tests.support.hostile_xlsx import huge_cell_workbook
from worker.kinds.wizard_import.checking import ParseSpec
from worker.kinds.wizard_import.errors import InvalidFile
from worker.kinds.wizard_import.reader_child import (
    ChildCaps,
    ReaderFailed,
    ReaderStopped,
    child_frames,
    failure,
)
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_checked, iter_sheet_rows
from worker.wizard.records import ImportType

CAPS = ChildCaps(384 * 1024 * 1024, 60)


def _children() -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A workbook whose invoices sheet fills the pipe: its child waits for us, alive."""
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    write_demo_workbook(path, extra_invoices=20_000)
    return path.read_bytes()


def _killed(data: bytes, sig: signal.Signals) -> Iterator[tuple[int, list[object]]]:
    """The sheet's rows, its reading child sent `sig` once reading began."""
    before = _children()
    rows = iter_sheet_rows(data, "Outstanding Invoices", "big.xlsx")
    next(rows)
    (reader,) = _children() - before
    os.kill(reader, sig)
    return rows


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT],
                         ids=lambda s: s.name)
def test_a_child_that_crashes_fails_the_file_naming_its_sheet(big: bytes,
                                                              sig: signal.Signals) -> None:
    with pytest.raises(ReaderFailed) as caught:
        list(_killed(big, sig))  # the rows already sent may come first
    assert caught.value.code == "INVALID_FILE"
    assert caught.value.message.startswith(
        "Sheet 'Outstanding Invoices' of big.xlsx is refused: reading it needs more memory "
        f"than the 384 MB allowed (the reading process crashed with {sig.name}).")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=lambda s: s.name)
def test_a_child_stopped_from_outside_is_not_the_files_fault(big: bytes,
                                                             sig: signal.Signals) -> None:
    # a process started in the background of a shell without job control (CI's, an xdist
    # worker's) inherits SIGINT ignored, and so would the reader: it must see a Ctrl-C
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(ReaderStopped, match=f"stopped by signal {int(sig)}$"):
            list(_killed(big, sig))
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_the_issues_workbook_with_one_100_mb_cell_is_refused_naming_its_sheet() -> None:
    data = huge_cell_workbook()
    assert len(data) < 110_000  # 106 kB in the issue
    spec = ParseSpec(ImportType.CONTACTS, "Contacts", "GBP", None, "freeagent.workbook")
    with pytest.raises(ReaderFailed) as caught:
        list(iter_sheet_checked(data, spec, filename="export.xlsx"))
    message = caught.value.message
    assert message.startswith("Sheet 'Contacts' of export.xlsx is refused: reading it needs "
                              "more memory than the 384 MB allowed")
    assert "Delete what is not imported" in message


def test_a_child_over_its_cpu_time_cap_fails_the_file() -> None:
    # about 3 s of the child's CPU: text dates it reads twice (their order decided first)
    lines = "".join(f"INV-{i},Customer {i % 50},{1 + i % 28:02d}/{1 + i % 12:02d}/2026,"
                    f"{10 + i % 90}.50,{i % 7}.25\r\n" for i in range(160_000))
    data = ("Reference,Contact,Dated On,Total,Due\r\n" + lines).encode()
    spec = ParseSpec(ImportType.INVOICES, "invoices.csv", "GBP", None)
    header = {"sheet": spec.sheet, "check": spec.to_json(),
              "csv": {"encoding": "utf-8", "delimiter": ","}}
    with pytest.raises(ReaderFailed) as caught:
        for _ in child_frames(data, header, lambda: None, "invoices.csv",
                              ChildCaps(CAPS.memory_bytes, 1)):
            pass
    assert caught.value.message.startswith(
        "invoices.csv is refused: reading it needs more processing time than the 1 s "
        "allowed")
    # the same file under the usual cap reads to its end
    frames = list(child_frames(data, header, lambda: None, "invoices.csv", CAPS))
    assert sum(len(frame.get("rows", ())) for frame in frames) == 160_000


def test_what_each_death_means() -> None:
    memory = failure(1, b"Traceback ...\nMemoryError\n", "big.csv", CAPS)
    assert isinstance(memory, ReaderFailed)
    assert "(the reading process ran out of memory)" in memory.message
    rust = failure(-signal.SIGABRT, b"memory allocation of 8589934592 bytes failed\n",
                   "Sheet 'A'", CAPS)
    assert isinstance(rust, ReaderFailed)
    cpu = failure(-signal.SIGXCPU, b"", "Sheet 'A'", ChildCaps(CAPS.memory_bytes, 60))
    assert isinstance(cpu, ReaderFailed)
    assert "more processing time than the 60 s allowed" in cpu.message
    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGHUP):
        assert isinstance(failure(-sig, b"", "Sheet 'A'", CAPS), ReaderStopped)
    broken = failure(1, b"Traceback ...\nValueError: bad part\n", "Sheet 'A' of x.xlsx",
                     CAPS)
    assert type(broken) is InvalidFile
    assert broken.message.startswith("Sheet 'A' of x.xlsx could not be read (ValueError: "
                                     "bad part).")
