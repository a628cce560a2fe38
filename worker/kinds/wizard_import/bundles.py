"""A bundle: one .zip holding several export files (CSV or .xlsx), uploaded in one request
(provider-imports.md, "Uploading"; zip limits as for a workbook, freeagent-workbook.md).

The zip's directory is checked before anything is inflated, as file_checks does for a
workbook: the upload at most 10 MB; no encrypted member, only stored or deflated ones, no
two of one name; each deflated member at most 1,100 times its compressed size; each at most
100 MB and all together at most 200 MB as declared; at most 20 files. Folders, `__MACOSX/`
entries and dotfiles (`.DS_Store`, `._name`) are skipped, never read. Each member is then
inflated no further than one byte past its declared size, and must end exactly there with
its CRC: a bomb costs no more than it declared. A member must be an .xlsx workbook or text
(csv_rows.looks_like_text); a zip within the zip, or anything else, is refused. Files are
returned in the zip's order, named by their base names (what users see); the caller checks
each as it would a file uploaded alone (check_workbook, decode_csv).
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass

from worker.kinds.wizard_import.csv_rows import looks_like_text
from worker.kinds.wizard_import.errors import FileTooLarge, InvalidFile
from worker.kinds.wizard_import.file_checks import (
    CFB_MAGIC,
    CONTENT_TYPES_PART,
    MAX_DEFLATE_RATIO,
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    WORKBOOK_PART,
)

MAX_BUNDLE_FILES = 20
MAX_MEMBER_BYTES = 100 * 1024 * 1024  # one file inside, uncompressed
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_REZIP = ("Zip the export files again as downloaded (in Finder or Explorer: select them, "
          "then Compress / Send to > Compressed folder), or upload them one by one.")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
               NotImplementedError)


@dataclass(frozen=True)
class BundleFile:
    name: str  # the member's base name (folders dropped), as shown to users
    data: bytes


def is_zip(data: bytes) -> bool:
    """Whether the bytes are a zip archive whose directory can be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)):
            return True
    except _ZIP_ERRORS:
        return False


def is_workbook(data: bytes) -> bool:
    """Whether the bytes are an .xlsx: a zip with `[Content_Types].xml` and
    `xl/workbook.xml` (its directory is read, nothing inflated)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except _ZIP_ERRORS:
        return False
    return CONTENT_TYPES_PART in names and WORKBOOK_PART in names


def unpack_bundle(data: bytes, filename: str) -> list[BundleFile]:
    """The export files inside the zip `data`, or FileTooLarge / InvalidFile naming the
    zip, the member and what to do."""
    shown = filename or "the zip"
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge(
            f"{shown} is {len(data) / 1024 / 1024:.1f} MB; the limit for an upload is 10 MB. "
            "Upload the export files themselves (several can be sent together), or split "
            "them across two zips.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS:
        raise InvalidFile(
            f"{shown} is not a zip archive that can be read (it may be damaged, or not a "
            f"zip at all). {_REZIP}") from None
    with archive:
        names = set(archive.namelist())
        if CONTENT_TYPES_PART in names and WORKBOOK_PART in names:
            raise InvalidFile(f"{shown} is an .xlsx workbook, not a zip of export files: "
                              "upload it as it is, not as a bundle.")
        members = [info for info in archive.infolist() if not _skipped(info.filename)]
        _check_directory(members, shown)
        files = [BundleFile(_base(info.filename), _inflate(data, info, shown))
                 for info in members]
    for file in files:
        _check_content(file, shown)
    return files


def _skipped(name: str) -> bool:
    """Folders, macOS' `__MACOSX/` copies and hidden files: not export files."""
    parts = name.replace("\\", "/").split("/")
    return name.endswith(("/", "\\")) or "__MACOSX" in parts or parts[-1].startswith(".")


def _base(name: str) -> str:
    return posixpath.basename(name.replace("\\", "/"))


def _check_directory(members: list[zipfile.ZipInfo], shown: str) -> None:
    if not members:
        raise InvalidFile(f"{shown} holds no export files (it is empty, or holds only "
                          f"folders). {_REZIP}")
    if len(members) > MAX_BUNDLE_FILES:
        raise InvalidFile(
            f"{shown} holds {len(members)} files; at most {MAX_BUNDLE_FILES} can be uploaded "
            "together. Upload them in several zips, leaving out what is not imported.")
    seen: dict[str, str] = {}
    total = 0
    for info in members:
        base, size = _base(info.filename), info.file_size
        if base in seen:
            where = ("twice" if seen[base] == info.filename
                     else f"as {seen[base]} and {info.filename}")
            raise InvalidFile(
                f"{shown} holds two files named {base} ({where}). Rename one, or leave "
                "one out, and upload again.")
        seen[base] = info.filename
        if info.flag_bits & 0x1:
            raise InvalidFile(f"{shown} is password-protected ({base} is encrypted). Zip the "
                              "files again without a password and upload that.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InvalidFile(
                f"{shown} uses a compression for {base} that is not accepted (only the "
                f"standard deflate, which Finder and Explorer use). {_REZIP}")
        if info.compress_type == zipfile.ZIP_STORED and size != info.compress_size:
            raise InvalidFile(f"{shown} is a damaged zip archive ({base}). {_REZIP}")
        if size > MAX_MEMBER_BYTES:
            raise InvalidFile(
                f"{shown} holds a file over the size limits: {base} is "
                f"{size / 1024 / 1024:,.1f} MB uncompressed; one file may be at most "
                f"{MAX_MEMBER_BYTES // 1024 // 1024} MB. Export a shorter period or fewer "
                "columns, and upload again.")
        if size > MAX_DEFLATE_RATIO * max(info.compress_size, 1):
            raise InvalidFile(
                f"{shown} is refused: its file {base} claims to expand "
                f"{size / max(info.compress_size, 1):,.0f} times, more than any zip can "
                f"(a zip bomb, or a damaged file). {_REZIP}")
        total += size
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InvalidFile(
            f"{shown} is refused: it expands to {total / 1024 / 1024:,.0f} MB, over the "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB limit (a zip bomb, or more than "
            "the exports). Upload the files in several zips, leaving out what is not "
            "imported.")


def _inflate(data: bytes, info: zipfile.ZipInfo, shown: str) -> bytes:
    """A member's bytes, inflated no further than one byte past its declared size; they
    must be exactly that size, with the CRC the directory declares."""
    base = _base(info.filename)
    damaged = InvalidFile(f"{shown} is damaged: its file {base} cannot be read. {_REZIP}")
    header = data[info.header_offset:info.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise damaged
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise damaged
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    raw = data[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise damaged
    if info.compress_type == zipfile.ZIP_STORED:
        content = raw
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:  # zlib stops at max_length: one byte past the declared size shows a bomb
            content = inflater.decompress(raw, info.file_size + 1)
        except zlib.error:
            raise damaged from None
        if len(content) > info.file_size:
            raise InvalidFile(
                f"{shown} is refused: its file {base} holds more data than the zip's "
                f"directory declares (a zip bomb, or a damaged file). {_REZIP}")
        if not inflater.eof:
            raise damaged
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        raise damaged
    return content


def _check_content(file: BundleFile, shown: str) -> None:
    if not file.data:
        raise InvalidFile(f"{file.name} in {shown} is empty. Export it again, or leave it "
                          "out, and upload again.")
    if file.data[:8] == CFB_MAGIC:
        raise InvalidFile(
            f"{file.name} in {shown} is a password-protected workbook or an old-style .xls "
            "workbook, which cannot be read. Remove the password, or save it as an Excel "
            "Workbook (.xlsx), and zip it again.")
    if is_zip(file.data):
        if is_workbook(file.data):
            return
        raise InvalidFile(
            f"{file.name} in {shown} is itself a zip archive. Put the export files directly "
            "in the zip, not zips within a zip, and upload it again.")
    if not looks_like_text(file.data):
        raise InvalidFile(
            f"{file.name} in {shown} is neither a CSV nor an .xlsx file (it is binary: an "
            "image, a PDF or the like). Leave it out of the zip, and upload it again.")
