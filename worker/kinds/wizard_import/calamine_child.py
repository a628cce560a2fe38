"""The child process that reads one sheet with python-calamine, under a memory limit, and
(when asked) parses and checks its rows too.

Run by xlsx_rows.py as a script (`python -I calamine_child.py`). Why a child: calamine
loads a sheet whole into a dense grid, and a tiny hostile file makes it allocate without
bound — one cell at XFD200000 asks for 100 GB, and 20,000 cells that each name one
30,000-character shared string take 590 MB from a 113 KB file. A failed allocation aborts
the process, so it must not be the worker. Here the limit (RLIMIT_AS) turns that into the
child's death, which the parent reports as an unreadable file; everything the child sends
is plain JSON, so a child gone wrong can send nothing but data.

When asked to check, it parses the rows too (checking.py, imported from the service's root
given in argv[2], after the limit is set), in two processes: itself and a fork of it made
once the sheet is loaded and its header found, each on its own core and its own output
(stdout, and the pipe whose descriptor is argv[3]). Batch k of the rows below the header
goes out on output k % 2; the worker reads the two in turn and stages what it is sent.

stdin: 4-byte big-endian length, a JSON header {"sheet": name, "check": ParseSpec or null},
then the .xlsx bytes.
outputs: frames of 1 type byte + 4-byte big-endian length + JSON payload:
  R  {"rows": [[row_number, [cells...]], ...], "dates": [[i, j, kind, iso], ...]}
     (raw rows, when "check" is null) rows of empty cells left out; cells padded from
     column A; '' as null; each date cell (kind d date, t datetime, h time, s duration in
     seconds) listed in "dates"
  C  {"rows": [[row_number, key, record JSON text, [[sheet, row, column, message]]]]}
     (parsed rows, when "check" is given) one batch, data rows only, sent even if empty
  E  {"error": class name, "message": text}
  D  {} or, when checking, {"missing": why no header row was found, or null}: the end of
     an output (one that stops without it has failed)
argv[1]: the address-space limit in bytes; argv[2]: the service's root directory; argv[3]
(when checking): the second output's file descriptor.
"""

from __future__ import annotations

import datetime
import io
import os
import resource
import struct
import sys
import traceback
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
        if row.count("") == width:
            continue  # blank (rows of spaces only are left out by the parser)
        yield index + 1, pad + [None if value == "" else value for value in row]


def _send_raw(rows: Iterator[tuple[int, list[Any]]], send: Callable[[bytes, Any], None]
              ) -> None:
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


def _send_checked(sheet: Any, spec: dict[str, Any], outputs: tuple[BinaryIO, BinaryIO]
                  ) -> int:
    """Parse the rows in two processes, this one and a fork of it, each on its own output
    and core: batch k of the rows below the header is parsed and sent by process k % 2, so
    that the parent, reading the two outputs in turn, gets every row in order."""
    import orjson

    from worker.kinds.wizard_import.checking import ParseSpec, RowChecker

    checker = RowChecker(ParseSpec.from_json(spec))
    rows = _sheet_rows(sheet)
    for number, cells in rows:  # the title rows and the header, before the fork: both know it
        checker.check(number, cells)
        if checker.header_found:
            break
    outputs[0].flush()
    forked = os.fork()
    me = 1 if forked == 0 else 0
    # each keeps only its own output open: one that dies ends its output at once, and the
    # parent, reading that output, sees it instead of waiting for the other process
    outputs[1 - me].close()
    if me == 1:
        os.close(1)  # stdout's own descriptor, which closing sys.stdout leaves open
    out = outputs[me]
    try:
        batch: list[Any] = []
        count, mine = -1, False
        for count, (number, cells) in enumerate(rows):
            mine = (count // BATCH_ROWS) % 2 == me
            if mine and (parsed := checker.check(number, cells)) is not None:
                batch.append((parsed.number, parsed.key, parsed.record,
                              [(e.sheet, e.row, e.column, e.message) for e in parsed.errors]))
            if mine and (count + 1) % BATCH_ROWS == 0:
                _frame(out, b"C", orjson.dumps({"rows": batch}))  # sent even if empty
                batch = []
        else:
            if mine and (count + 1) % BATCH_ROWS:  # the last batch, cut short
                _frame(out, b"C", orjson.dumps({"rows": batch}))
        _frame(out, b"D", orjson.dumps({"missing": checker.missing_header()}))
        out.flush()
    except BaseException:
        if forked == 0:
            traceback.print_exc()
            os._exit(1)
        raise
    if forked == 0:
        os._exit(0)  # the fork ends here: nothing of the parent's to clean up
    _, status = os.waitpid(forked, 0)
    if os.WIFSIGNALED(status):  # end as it ended, so that the worker reads its death alike
        os.kill(os.getpid(), os.WTERMSIG(status))
    return os.waitstatus_to_exitcode(status)


def main() -> int:
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
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

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(
            header["sheet"])
    except Exception as exc:  # calamine's errors: a damaged or unreadable part
        send(b"E", {"error": type(exc).__name__, "message": str(exc)})
        return 0
    del data
    spec = header.get("check")
    if spec is not None:
        return _send_checked(sheet, spec, (out, open(int(sys.argv[3]), "wb")))
    _send_raw(_sheet_rows(sheet), send)
    send(b"D", {})
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
