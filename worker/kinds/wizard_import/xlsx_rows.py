"""The rows of one sheet of an .xlsx workbook, read with python-calamine in a child process.

Why calamine, and why in a child (bench/README.md has the figures): on a 9.4 MB workbook of
170,000 rows, calamine (Rust) reads about 120,000 rows/s, openpyxl read-only about 13,000
and a streaming reader of our own over the sheet XML about 31,000 (Python's cost per cell;
a regex-based one tried while choosing did 49,000), so only calamine leaves room for
validation within the 50,000 rows/s target. But calamine loads a sheet whole into a dense
grid and copies a shared string into every cell that names it, so a tiny hostile file can
make it allocate without bound (a 10 kB file, 100 GB), and a failed allocation aborts the
process. It therefore runs in `calamine_child.py` under an address-space limit
(CHILD_MEMORY_LIMIT): a file that needs more kills the child, never the worker, and is
refused as InvalidFile. The worker's own memory stays flat: rows come over a pipe, 2,000
at a time, as JSON. For an import (iter_sheet_checked) the child also parses and validates
them (checking.py) and sends records ready to stage, so that the worker's core is left to
staging (bench/README.md: parsing in the worker made it the bound); iter_sheet_rows sends
the raw cells, for tests and the benchmark's baseline.

Before calamine (which inflates the zip parts itself, with no regard for their declared
sizes) can go far, the zip directory is checked again (file_checks.open_workbook: 10 MB,
200 MB declared in all, no encryption or macros) and every part is inflated here, in
bounded chunks, and must end exactly at its declared size with its CRC: so whatever
calamine inflates is exactly what was declared, and a bomb is refused having cost at most
its declared size. (This pass runs while the child starts; the child is ended if it
fails, before a row is yielded.)

What a row is: (Excel row number, cell values from column A), blank rows (every cell
empty or spaces) left out, so trailing formatted rows cost nothing. Values are str, float
(every number in an .xlsx is a double), bool, date or datetime for date-formatted cells
(the 1900 and 1904 date systems both handled by calamine), time, timedelta, or None. The
sheet's `dimension` tag is not used.

Resuming after a crash: iterate again and skip rows up to the last one staged; reading is
fast enough (about 2 s for 170,000 rows).
"""

from __future__ import annotations

import contextlib
import fcntl
import signal
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, ReadOutcome
from worker.kinds.wizard_import.errors import HeaderNotFound, InvalidFile
from worker.kinds.wizard_import.file_checks import open_workbook, read_sheets
from worker.wizard.records import RowError

CHILD = Path(__file__).with_name("calamine_child.py")
_ROOT = Path(__file__).resolve().parents[3]  # where the child imports checking.py from
# The child's address space: the benchmark's 9.4 MB workbook of 170,000 rows peaks at about
# 170 MB of RSS in the child (bench/README.md); 384 MB leaves room for denser legitimate
# files and bounds what a hostile one can take.
CHILD_MEMORY_LIMIT = 384 * 1024 * 1024
_CHUNK = 256 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length


def iter_sheet_rows(data: bytes, sheet_name: str) -> Generator[tuple[int, list[object]]]:
    """(Excel row number, cell values) of the sheet named `sheet_name`, in order, blank rows
    left out. Raises InvalidFile when the workbook cannot be read."""
    for payload in _sheet_frames(data, sheet_name, None):
        yield from _decode_rows(payload)


def iter_sheet_checked(data: bytes, spec: ParseSpec, outcome: ReadOutcome | None = None
                       ) -> Iterator[list[CheckedRow]]:
    """The checked data rows of the sheet `spec.sheet`, in batches, parsed and checked in
    the reading child (on the other core); `outcome`, when given, is filled at the end.
    Raises InvalidFile when the workbook cannot be read, HeaderNotFound at the end when no
    header row was found."""
    return checked_batches(_sheet_frames(data, spec.sheet, spec), outcome)


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


def _sheet_frames(data: bytes, sheet_name: str, spec: ParseSpec | None
                  ) -> Iterator[dict[str, Any]]:
    """The child's row frames, then (when checking) its end frame."""
    archive = open_workbook(data, "")
    try:
        if sheet_name not in {sheet.name for sheet in read_sheets(archive)}:
            raise InvalidFile(f"The workbook has no sheet named '{sheet_name}'.")
        header = {"sheet": sheet_name, "check": spec.to_json() if spec else None}
        # the parts are verified while the child starts and loads (it is ended at once if
        # they fail): calamine's first row does not wait for this pass
        yield from child_frames(data, header, lambda: verify_parts(data, archive))
    finally:
        archive.close()


def verify_parts(data: bytes, archive: zipfile.ZipFile) -> None:
    """Inflate every part in bounded chunks: each must end exactly at its declared size,
    with its CRC, or the file is refused."""
    for info in archive.infolist():
        produced, crc = 0, 0
        for chunk in _inflate(data, info):
            produced += len(chunk)
            crc = zlib.crc32(chunk, crc)
        if produced != info.file_size or crc != info.CRC:
            raise _damaged(info.filename)


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


def child_frames(data: bytes, header: dict[str, Any],
                 verify: Callable[[], None]) -> Iterator[dict[str, Any]]:
    """The reading child's frames for `data` read as `header` says (calamine_child.py),
    `verify` run while it starts; its end frame too when it checks rows."""
    encoded = orjson.dumps(header)
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(  # noqa: S603 - our own script, by absolute path
            [sys.executable, "-I", str(CHILD), str(CHILD_MEMORY_LIMIT), str(_ROOT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        assert child.stdin is not None
        assert child.stdout is not None
        # A larger pipe lets the child read on while rows are staged here, a few batches
        # ahead (two cores at work, not one after the other).
        with contextlib.suppress(OSError, AttributeError):  # Linux only; a speed-up
            fcntl.fcntl(child.stdout.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        try:
            try:
                child.stdin.write(struct.pack(">I", len(encoded)) + encoded)
                child.stdin.write(data)
                child.stdin.close()
            except BrokenPipeError:
                pass  # it died first: its exit status says why, below
            verify()
            kind = b""
            end: dict[str, Any] = {}
            for kind, payload in _frames(child.stdout):
                if kind in (b"R", b"C"):
                    yield payload
                elif kind == b"E" and payload.get("refused"):
                    raise InvalidFile(payload["message"])  # the child's own refusal
                elif kind == b"E":
                    raise InvalidFile(
                        f"The workbook could not be read ({payload.get('message', '')}). "
                        "Open it in Excel, save it as an Excel Workbook (.xlsx), and "
                        "upload that.")
                else:
                    end = payload
            child.wait()
            if kind != b"D" or child.returncode != 0:
                errors.seek(0)
                raise _failure(child.returncode, errors.read()[-4000:])
            if header["check"] is not None:
                yield end
        finally:
            if child.poll() is None:  # the caller stopped early, or we failed: end it
                child.kill()
            child.wait()
            child.stdout.close()


_PIPE_BYTES = 1024 * 1024  # Linux's default pipe-max-size


class ReaderStopped(RuntimeError):
    """The reading process was ended from outside (a signal other than its own abort):
    not the file's fault, so not an InvalidFile; the job may run again."""


def _failure(returncode: int, stderr: bytes) -> Exception:
    """What the child's death means. Over its memory limit, Rust aborts (SIGABRT) and
    Python raises MemoryError; a panic of calamine on a malformed part is the file's fault
    too; any other signal came from outside."""
    if (returncode == -signal.SIGABRT or b"MemoryError" in stderr
            or b"memory allocation" in stderr):
        return InvalidFile(
            "The workbook is refused: reading it needs more memory than a workbook of 10 MB "
            "can need (for instance a cell far below or right of the data, or one long text "
            "repeated in very many cells). Delete what is not imported and upload it again.")
    if returncode < 0:
        return ReaderStopped(f"the workbook's reading process was stopped by signal "
                             f"{-returncode}")
    last = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return InvalidFile(f"The workbook could not be read ({last[0][:300]}). Open it in "
                       "Excel, save it as an Excel Workbook (.xlsx), and upload that.")


def _frames(stream: IO[bytes]) -> Iterator[tuple[bytes, Any]]:
    """Frames from the child, decoded, up to its end ("D") or until it dies."""
    while True:
        header = stream.read(5)
        if len(header) < 5:
            return
        (length,) = struct.unpack(">I", header[1:])
        payload = stream.read(length)
        if len(payload) < length:
            return
        try:
            decoded = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return  # garbled: the child failed
        yield header[:1], decoded
        if header[:1] not in (b"R", b"C"):
            return


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
