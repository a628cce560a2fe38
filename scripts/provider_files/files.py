"""Writing an export, and the bytes every xlsx and zip of one shares.

`write_export` writes the files and then the alternatives; `zip_export` zips the files
only (an upload). Zips and xlsx files are stamped with the export's time (`STAMP`), so the
same export is always the same bytes; xlsx strings are shared as Excel writes them.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from .model import ProviderExport

if not __name__.startswith("scripts."):  # imported as `provider_files` (scripts/ on sys.path)
    _ROOT = str(Path(__file__).resolve().parents[2])
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)
from scripts.demo_workbook import share_strings

STAMP = (2026, 10, 7, 9, 41, 0)  # when the files were exported (local time, GMT-07:00)
STAMP_W3CDTF = b"2026-10-07T16:41:00Z"


def _zip(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip of `parts`, stamped with the export's time, so the same export is
    always the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


_W3CDTF = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _shared_strings(xlsx: bytes) -> bytes:
    """openpyxl's inline strings rewritten as a shared-strings table, as Excel (and Xero's
    export) writes them, and the export's own time stamped in."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    share_strings(parts)
    parts["docProps/core.xml"] = _W3CDTF.sub(STAMP_W3CDTF, parts["docProps/core.xml"])
    return _zip(parts.items())


def write_export(export: ProviderExport, folder: Path) -> list[Path]:
    """Write the export's files, then its alternatives (if asked for), into `folder`
    (created if missing); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for file in (*export.files, *export.alternatives):
        path = folder / file.name
        path.write_bytes(file.data)
        paths.append(path)
    return paths


def zip_export(export: ProviderExport) -> bytes:
    """The export's files in one .zip (deflated), as a user might upload them (never its
    alternatives)."""
    return _zip((file.name, file.data) for file in export.files)
