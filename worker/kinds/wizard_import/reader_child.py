"""The reading child (calamine_child.py) run under its caps, its frames read, and what its
death means (security.md, "Hostile files").

Caps (settings READER_CHILD_MEMORY_BYTES and READER_CHILD_CPU_SECONDS), set by the child on
itself before it reads a byte of the file: its address space (RLIMIT_AS) and its CPU time
(RLIMIT_CPU). CPU time rather than time on the clock: a child waiting for the worker to
stage what it sent (its pipe full) uses none, so a slow database or a busy machine never
trips the cap, while a file that makes the reader compute without end does. No core dump is
written of a child that crashes.

What its death means:
- a crash (SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGSYS, SIGTRAP) or MemoryError: the
  file's doing. Over RLIMIT_AS a failed allocation aborts the child (Rust), faults (C code
  that does not check) or raises MemoryError (Python): the file needs more memory than
  allowed. ReaderFailed, an INVALID_FILE naming the sheet and the file; never retried.
- SIGXCPU: over its CPU-time cap. ReaderFailed too.
- any other signal (SIGKILL, SIGTERM, SIGINT, SIGHUP): what an operator, a supervisor
  stopping the worker's process group or the OOM killer sends, not the file's doing:
  ReaderStopped, which the import retries from its checkpoint (as after a worker's kill).
- an exit with an error: the file could not be read (the child's last line says why).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from worker.kinds.wizard_import.errors import InvalidFile
from worker.kinds.wizard_import.text_checks import visible
from worker.settings import get_settings

CHILD = Path(__file__).with_name("calamine_child.py")
_ROOT = Path(__file__).resolve().parents[3]  # where the child imports checking.py from
_PIPE_BYTES = 1024 * 1024  # Linux's default pipe-max-size
_CRASHES = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL,
                      signal.SIGFPE, signal.SIGSYS, signal.SIGTRAP})


@dataclass(frozen=True)
class ChildCaps:
    """What one reading child may take."""

    memory_bytes: int
    cpu_seconds: int

    @classmethod
    def from_settings(cls) -> ChildCaps:
        settings = get_settings()
        return cls(settings.reader_child_memory_bytes, settings.reader_child_cpu_seconds)


class ReaderStopped(RuntimeError):
    """The reading process was ended from outside (SIGKILL, SIGTERM, ...): not the file's
    fault, so not an InvalidFile; the job may run again."""


class ReaderFailed(InvalidFile):
    """The reading process crashed on the file, or it needed more memory or time than
    allowed: the file cannot be read. The message names the sheet and the file."""

    code = "INVALID_FILE"


def child_frames(data: bytes, header: dict[str, Any], verify: Callable[[], None],
                 where: str, caps: ChildCaps | None = None) -> Iterator[dict[str, Any]]:
    """The reading child's frames for `data` read as `header` says (calamine_child.py),
    `verify` run while it starts; its end frame too when it checks rows. `where` names
    what is read in messages ("Sheet 'Contacts' of export.xlsx", "invoices.csv")."""
    caps = caps or ChildCaps.from_settings()
    encoded = orjson.dumps(header)
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(  # noqa: S603 - our own script, by absolute path
            [sys.executable, "-I", str(CHILD), str(caps.memory_bytes), str(_ROOT),
             str(caps.cpu_seconds)],
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
                errors.seek(0, os.SEEK_END)  # the end says why; a traceback can be long
                errors.seek(max(0, errors.tell() - 4000))
                raise failure(child.returncode, errors.read(), where, caps)
            if header["check"] is not None:
                yield end
        finally:
            if child.poll() is None:  # the caller stopped early, or we failed: end it
                child.kill()
            child.wait()
            child.stdout.close()


def failure(returncode: int, stderr: bytes, where: str, caps: ChildCaps) -> Exception:
    """What the child's death means (the module's docstring)."""
    crashed = returncode < 0 and -returncode in _CRASHES
    if crashed or b"MemoryError" in stderr or b"memory allocation" in stderr:
        how = (f"crashed with {signal.Signals(-returncode).name}" if crashed
               else "ran out of memory")
        return ReaderFailed(
            f"{where} is refused: reading it needs more memory than the "
            f"{caps.memory_bytes / 1024 / 1024:,.0f} MB allowed (the reading process {how}). "
            "A file does with a cell holding far more text than a spreadsheet cell can "
            "(32,767 characters) or, in a workbook, a cell far below or right of the data, "
            "or one long text repeated in very many cells. Delete what is not imported, "
            "save the file again, and upload it again.")
    if returncode == -signal.SIGXCPU:
        return ReaderFailed(
            f"{where} is refused: reading it needs more processing time than the "
            f"{caps.cpu_seconds} s allowed (a file of 10 MB needs a few seconds). Delete "
            "what is not imported, or split the file, and upload it again.")
    if returncode < 0:
        return ReaderStopped(f"the reading process of {where} was stopped by signal "
                             f"{-returncode}")
    last = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return InvalidFile(f"{where} could not be read ({visible(last[0], 300)}). Open it in "
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
