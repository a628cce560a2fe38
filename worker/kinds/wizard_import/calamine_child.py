"""The child process that reads one sheet with python-calamine, under a memory limit.

Run by xlsx_rows.py as a script (`python -I calamine_child.py`; it imports nothing of the
service). Why a child: calamine loads a sheet whole into a dense grid, and a tiny hostile
file makes it allocate without bound — one cell at XFD200000 asks for 100 GB, and 20,000
cells that each name one 30,000-character shared string take 590 MB from a 113 KB file. A
failed allocation aborts the process, so it must not be the worker. Here the limit
(RLIMIT_AS) turns that into the child's death, which the parent reports as an unreadable
file; everything the child sends is plain JSON, so a child gone wrong can send nothing but
data.

stdin: 4-byte big-endian length, the sheet name (UTF-8), then the .xlsx bytes.
stdout: frames of 1 type byte + 4-byte big-endian length + JSON payload:
  R  {"rows": [[row_number, [cells...]], ...], "dates": [[i, j, kind, iso], ...]}
     rows of empty cells left out; cells padded from column A; '' as null; each date cell
     (kind d date, t datetime, h time, s duration in seconds) listed in "dates"
  E  {"error": class name, "message": text}
  D  {} (the end: a child that stops without it has failed)
argv[1]: the address-space limit in bytes.
"""

from __future__ import annotations

import datetime
import io
import resource
import struct
import sys
from typing import Any, BinaryIO

BATCH_ROWS = 2000
_DATE_KINDS = {datetime.date: "d", datetime.datetime: "t", datetime.time: "h",
               datetime.timedelta: "s"}


def _frame(out: BinaryIO, kind: bytes, payload: bytes) -> None:
    out.write(kind + struct.pack(">I", len(payload)) + payload)


def main() -> int:
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import orjson  # after the limit: nothing is allocated outside it
    from python_calamine import CalamineWorkbook

    source = sys.stdin.buffer
    (length,) = struct.unpack(">I", source.read(4))
    sheet_name = source.read(length).decode()
    data = source.read()
    out = sys.stdout.buffer
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet_name)
    except Exception as exc:  # calamine's errors: a damaged or unreadable part
        _frame(out, b"E", orjson.dumps({"error": type(exc).__name__, "message": str(exc)}))
        return 0
    del data
    # python-calamine 0.9 yields rows from row 0, each starting at the range's first column
    pad: list[Any] = [None] * (sheet.start[1] if sheet.start else 0)
    width = sheet.width
    rows: list[Any] = []
    dates: list[Any] = []
    # Per-cell work in Python is what this loop costs: C-level list operations only, and
    # a Python step only for the date cells.
    for index, row in enumerate(sheet.iter_rows()):
        if row.count("") == width:
            continue  # blank (rows of spaces only are left out by the parent)
        cells: list[Any] = pad + [None if value == "" else value for value in row]
        for j in [j for j, value in enumerate(cells) if value.__class__ in _DATE_KINDS]:
            value = cells[j]
            kind = _DATE_KINDS[value.__class__]
            dates.append((len(rows), j, kind,
                          value.total_seconds() if kind == "s" else value.isoformat()))
            cells[j] = None  # sent in "dates"
        rows.append((index + 1, cells))
        if len(rows) >= BATCH_ROWS:
            _frame(out, b"R", orjson.dumps({"rows": rows, "dates": dates}))
            rows, dates = [], []
    if rows:
        _frame(out, b"R", orjson.dumps({"rows": rows, "dates": dates}))
    _frame(out, b"D", b"{}")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
