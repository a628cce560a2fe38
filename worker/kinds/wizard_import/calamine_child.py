"""The child process that reads one sheet with python-calamine, under a memory limit, and
(when asked) parses and checks its rows too.

Run by reader_child.py as a script (`python -I calamine_child.py`). Why a child: calamine
loads a sheet whole into a dense grid, and a tiny hostile file makes it allocate without
bound — one cell at XFD200000 asks for 100 GB, and 20,000 cells that each name one
30,000-character shared string take 590 MB from a 113 KB file. A failed allocation aborts
the process, so it must not be the worker. Here the limits (RLIMIT_AS on its memory,
RLIMIT_CPU on its time) turn that into the child's death, which the parent reports as an
unreadable file (reader_child.py says how each death is told); everything the child sends
is plain JSON, so a child gone wrong can send nothing but data. Parsing here (checking.py,
imported from the service's root given in argv[2], after the limit is set) puts it on the
other core: the worker only stages what it is sent.

stdin: 4-byte big-endian length, a JSON header {"sheet": name, "check": ParseSpec or null,
"csv": null, or {"encoding", "delimiter"} for a CSV file checked here}, then the file's
bytes.
stdout: frames of 1 type byte + 4-byte big-endian length + JSON payload:
  R  {"rows": [[row_number, [cells...]], ...], "dates": [[i, j, kind, iso], ...]}
     (raw rows, when "check" is null) rows of empty cells left out; cells padded from
     column A; '' as null; each date cell (kind d date, t datetime, h time, s duration in
     seconds) listed in "dates"
  C  {"rows": [[row_number, skipped, record JSON text, [[sheet, row, column, message]]]]}
     (checked rows, when "check" is given) data rows only
  E  {"error": class name, "message": text, "refused": true when the message is the
     file's refusal as the user reads it}
  D  {} or, when checking, the ReadOutcome (checking.py) as JSON: why no header row was
     found (or null), blockers, summary, mapping: the end (a child that stops without it
     has failed)
argv[1]: the address-space limit in bytes; argv[2]: the service's root directory;
argv[3]: the CPU-time limit in seconds (over it the kernel sends SIGXCPU, which ends it).
"""

from __future__ import annotations

import datetime
import io
import resource
import struct
import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

BATCH_ROWS = 2000
_DATE_KINDS = {datetime.date: "d", datetime.datetime: "t", datetime.time: "h",
               datetime.timedelta: "s"}


def _frame(out: BinaryIO, kind: bytes, payload: bytes) -> None:
    out.write(kind + struct.pack(">I", len(payload)) + payload)


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, cells from column A) of each row not wholly empty."""
    # python-calamine 0.9 yields rows from row 0, each starting at the range's first column
    pad: list[Any] = [None] * (sheet.start[1] if sheet.start else 0)
    width = sheet.width
    # Per-cell work in Python is what this loop costs: C-level list operations only.
    for index, row in enumerate(sheet.iter_rows()):
        if "" in row:  # a full row (most of a sheet) is passed on as calamine made it
            if row.count("") == width:
                continue  # blank (rows of spaces only: by the parser, or the parent)
            row = [None if value == "" else value for value in row]
        yield index + 1, pad + row if pad else row


def _send_raw(rows: Iterator[tuple[int, list[Any]]], send: Callable[[bytes, Any], None]
              ) -> dict[str, Any]:
    batch: list[Any] = []
    dates: list[Any] = []
    for number, cells in rows:
        for j in [j for j, value in enumerate(cells) if value.__class__ in _DATE_KINDS]:
            value = cells[j]
            kind = _DATE_KINDS[value.__class__]
            dates.append((len(batch), j, kind,
                          value.total_seconds() if kind == "s" else value.isoformat()))
            cells[j] = None  # sent in "dates"
        batch.append((number, cells))
        if len(batch) >= BATCH_ROWS:
            send(b"R", {"rows": batch, "dates": dates})
            batch, dates = [], []
    if batch:
        send(b"R", {"rows": batch, "dates": dates})
    return {}


def _send_checked(rows: Callable[[], Iterator[tuple[int, list[Any]]]], spec: dict[str, Any],
                  send: Callable[[bytes, Any], None]) -> dict[str, Any]:
    from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, RowChecker

    # the rows again, for a file whose text dates need their order decided from them all
    checker = RowChecker(ParseSpec.from_json(spec), rows)
    batch: list[Any] = []

    def add(checked: CheckedRow) -> None:
        errors = checked.errors
        batch.append((checked.number, checked.skipped, checked.record,
                      [(e.sheet, e.row, e.column, e.message) for e in errors] if errors
                      else errors))

    for number, cells in rows():
        checked = checker.check(number, cells)
        if checked is None:
            continue
        add(checked)
        if len(batch) >= BATCH_ROWS:
            send(b"C", {"rows": batch})
            batch.clear()
    last, outcome = checker.finish()
    if last is not None:
        add(last)
    if batch:
        send(b"C", {"rows": batch})
    return outcome.to_json()


def _check_csv(data: bytes, header: dict[str, Any], send: Callable[[bytes, Any], None]
               ) -> None:
    """A CSV file's rows checked here too (its text decoded a chunk at a time, as the
    worker would): the worker's core is left to staging."""
    from worker.errors import ServiceError
    from worker.kinds.wizard_import.csv_rows import CsvSource, iter_csv_rows

    meta = header["csv"]
    source = CsvSource(data, meta["encoding"], meta["delimiter"])
    try:
        end = _send_checked(lambda: iter_csv_rows(source, name=header["sheet"]),
                            header["check"], send)
    except ServiceError as exc:  # the file refused (a row that is no CSV): say why
        send(b"E", {"error": type(exc).__name__, "message": exc.message, "refused": True})
        return
    send(b"D", end)


def _cap(which: int, soft: int, hard: int) -> None:
    """Lower a resource limit to (soft, hard), never above a lower one already set."""
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        hard = min(hard, current)
    resource.setrlimit(which, (min(soft, hard), hard))


def main() -> int:
    limit, seconds = int(sys.argv[1]), int(sys.argv[3])
    _cap(resource.RLIMIT_AS, limit, limit)
    # SIGXCPU at the soft limit ends the process; the hard one (SIGKILL) only backs it up
    _cap(resource.RLIMIT_CPU, seconds, seconds + 5)
    _cap(resource.RLIMIT_CORE, 0, 0)  # a crash on a hostile file: no core dump
    sys.path.insert(0, sys.argv[2])
    import orjson  # after the limit: nothing is allocated outside it
    from python_calamine import CalamineWorkbook

    source = sys.stdin.buffer
    (length,) = struct.unpack(">I", source.read(4))
    header = orjson.loads(source.read(length))
    data = source.read()
    out = sys.stdout.buffer

    def send(kind: bytes, payload: Any) -> None:
        _frame(out, kind, orjson.dumps(payload))

    if header.get("csv") is not None:
        _check_csv(data, header, send)
        out.flush()
        return 0
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(
            header["sheet"])
    except Exception as exc:  # calamine's errors: a damaged or unreadable part
        send(b"E", {"error": type(exc).__name__, "message": str(exc)})
        return 0
    del data
    spec = header.get("check")
    end = (_send_raw(_sheet_rows(sheet), send) if spec is None
           else _send_checked(lambda: _sheet_rows(sheet), spec, send))
    send(b"D", end)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
