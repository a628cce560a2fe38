"""The rows of one sheet of an .xlsx workbook, read with python-calamine in a child process.

Why calamine, and why in a child (bench/README.md has the figures): on a 9.4 MB workbook of
170,000 rows, calamine (Rust) reads about 120,000 rows/s, openpyxl read-only about 13,000
and a streaming reader of our own over the sheet XML about 31,000 (Python's cost per cell;
a regex-based one tried while choosing did 49,000), so only calamine leaves room for
validation within the 50,000 rows/s target. But calamine loads a sheet whole into a dense
grid and copies a shared string into every cell that names it, so a tiny hostile file can
make it allocate without bound (a 10 kB file, 100 GB), and a failed allocation aborts the
process. It therefore runs in `calamine_child.py` under an address-space limit and a
CPU-time limit (reader_child.py): a file that needs more kills the child, never the worker,
and is refused as INVALID_FILE naming the sheet, at once. The worker's own memory stays
flat: rows come over a pipe, 2,000
at a time, as JSON. For an import (iter_sheet_checked) the child also parses and validates
them (checking.py) and sends records ready to stage, so that the worker's core is left to
staging (bench/README.md: parsing in the worker made it the bound); iter_sheet_rows sends
the raw cells, for tests and the benchmark's baseline.

Before calamine (which inflates the zip parts itself, with no regard for their declared
sizes) can go far, the zip directory is checked again (file_checks.open_workbook: 10 MB,
200 MB declared in all, no encryption or macros) and every part is inflated here, in
bounded chunks, and must end exactly at its declared size with its CRC: so whatever
calamine inflates is exactly what was declared, and a bomb is refused having cost at most
its declared size; no part may declare a DTD (xml_checks.py, which looks at a part's first
bytes only). (This pass runs while the child starts; the child is ended if it fails,
before a row is yielded.)

What a row is: (Excel row number, cell values from column A), blank rows (every cell
empty or spaces) left out, so trailing formatted rows cost nothing. Values are str, float
(every number in an .xlsx is a double), bool, date or datetime for date-formatted cells
(the 1900 and 1904 date systems both handled by calamine), time, timedelta, or None. The
sheet's `dimension` tag is not used.

Resuming after a crash: iterate again and skip rows up to the last one staged; reading is
fast enough (about 2 s for 170,000 rows).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Generator, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, ReadOutcome
from worker.kinds.wizard_import.errors import HeaderNotFound, InvalidFile
from worker.kinds.wizard_import.file_checks import open_workbook, read_sheets
from worker.kinds.wizard_import.reader_child import ReaderStopped as ReaderStopped
from worker.kinds.wizard_import.reader_child import child_frames
from worker.kinds.wizard_import.xml_checks import DoctypeWatch
from worker.wizard.records import RowError

_CHUNK = 256 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length


def iter_sheet_rows(data: bytes, sheet_name: str, filename: str = ""
                    ) -> Generator[tuple[int, list[object]]]:
    """(Excel row number, cell values) of the sheet named `sheet_name`, in order, blank rows
    left out. Raises InvalidFile when the workbook cannot be read (ReaderFailed, naming the
    sheet and `filename`, when it crashed the reader or needed more than its caps)."""
    for payload in _sheet_frames(data, sheet_name, None, filename):
        yield from _decode_rows(payload)


def iter_sheet_checked(data: bytes, spec: ParseSpec, outcome: ReadOutcome | None = None,
                       filename: str = "") -> Iterator[list[CheckedRow]]:
    """The checked data rows of the sheet `spec.sheet`, in batches, parsed and checked in
    the reading child (on the other core); `outcome`, when given, is filled at the end.
    Raises InvalidFile when the workbook cannot be read, HeaderNotFound at the end when no
    header row was found."""
    return checked_batches(_sheet_frames(data, spec.sheet, spec, filename), outcome)


def sheet_of(sheet_name: str, filename: str = "") -> str:
    """How messages name a workbook's sheet: "Sheet 'Contacts' of export.xlsx"."""
    return f"Sheet '{sheet_name}'" + (f" of {filename}" if filename else "")


def checked_batches(frames: Iterator[dict[str, Any]], outcome: ReadOutcome | None
                    ) -> Iterator[list[CheckedRow]]:
    """The reading child's checked rows from its frames, then its outcome."""
    for payload in frames:
        if "missing" in payload:
            if payload["missing"] is not None:
                raise HeaderNotFound(payload["missing"])
            if outcome is not None:
                outcome.take(payload)
            return
        yield [CheckedRow(number, skipped, record,
                          [RowError(*error) for error in errors] if errors else _NO_ERRORS)
               for number, skipped, record, errors in payload["rows"]]


_NO_ERRORS: list[RowError] = []  # shared, never changed: a row without errors has none


def _sheet_frames(data: bytes, sheet_name: str, spec: ParseSpec | None, filename: str
                  ) -> Iterator[dict[str, Any]]:
    """The child's row frames, then (when checking) its end frame."""
    archive = open_workbook(data, "")
    try:
        if sheet_name not in {sheet.name for sheet in read_sheets(archive)}:
            raise InvalidFile(f"The workbook has no sheet named '{sheet_name}'.")
        header = {"sheet": sheet_name, "check": spec.to_json() if spec else None}
        # the parts are verified while the child starts and loads (it is ended at once if
        # they fail): calamine's first row does not wait for this pass
        yield from child_frames(data, header, lambda: verify_parts(data, archive),
                                sheet_of(sheet_name, filename))
    finally:
        archive.close()


def verify_parts(data: bytes, archive: zipfile.ZipFile) -> None:
    """Inflate every part in bounded chunks: each must end exactly at its declared size,
    with its CRC, and declare no DTD, or the file is refused."""
    for info in archive.infolist():
        produced, crc = 0, 0
        doctype = DoctypeWatch()
        for chunk in _inflate(data, info):
            produced += len(chunk)
            crc = zlib.crc32(chunk, crc)
            doctype.feed(chunk)
        if produced != info.file_size or crc != info.CRC:
            raise _damaged(info.filename)
        doctype.feed(b"", final=True)
        if doctype.found:
            raise InvalidFile(
                f"The workbook is not an .xlsx as Excel writes it: its part {info.filename} "
                "declares a DTD (<!DOCTYPE …>, where entities are defined), which workbooks "
                "never have. Open it in Excel, save it as an Excel Workbook (.xlsx), and "
                "upload that.")


def _inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes, never more than its declared size (one byte past it refuses it)."""
    header = data[info.header_offset:info.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise _damaged(info.filename)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise _damaged(info.filename)
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise _damaged(info.filename)
    if info.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(raw), _CHUNK):
            yield bytes(raw[offset:offset + _CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left = info.file_size + 1  # room for one byte too many, to see it
    try:
        for offset in range(0, len(raw) + 1, _CHUNK):
            # the last round has no input: it drains what zlib still holds
            pending: bytes | memoryview = raw[offset:offset + _CHUNK]
            while not inflater.eof:
                chunk = inflater.decompress(pending, min(_CHUNK, left))
                if not chunk and not inflater.unconsumed_tail:
                    break  # wants more input
                left -= len(chunk)
                if left <= 0:
                    raise InvalidFile(
                        f"The workbook is refused: its part {info.filename} holds more data "
                        "than its zip directory declares (a zip bomb, or a damaged file).")
                yield chunk
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        raise _damaged(info.filename) from None
    if not inflater.eof:
        raise _damaged(info.filename)


def _damaged(part: str) -> InvalidFile:
    return InvalidFile(f"The workbook is damaged: its part {part} cannot be read. Open it "
                       "in Excel, save it as an Excel Workbook (.xlsx), and upload that.")


_DATES = {
    "d": date.fromisoformat,
    "t": datetime.fromisoformat,
    "h": time.fromisoformat,
}


def _decode_rows(payload: dict[str, Any]) -> list[tuple[int, list[object]]]:
    rows: list[list[Any]] = payload["rows"]
    for i, j, kind, value in payload["dates"]:
        rows[i][1][j] = (timedelta(seconds=value) if kind == "s" else _DATES[kind](value))
    return [(number, cells) for number, cells in rows if not _spaces_only(cells)]


def _spaces_only(cells: list[object]) -> bool:
    for value in cells:  # the first value settles it, nearly always
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True
