"""Checks of an uploaded workbook made in the web request, before anything is parsed.

Only the zip's central directory and a few small parts are read: `[Content_Types].xml`,
the relationships parts (`_rels/*.rels`: macros are found by content type and relationship
type, macros.py) and `xl/workbook.xml` (for the sheet names), each inflated no further than
its declared size, refused when that is over a small limit, and refused when it declares a
DTD, in whatever encoding (xml_checks.py). Every refusal says what is wrong and what to do.
Nothing here inflates a worksheet: that is the worker's (xlsx_rows.py), which checks every
part again before reading it.

Limits (freeagent-workbook.md): the file at most 10 MB; the members' declared uncompressed
sizes at most 200 MB in all; each deflated member at most 1,100 times its compressed size
(deflate cannot do better than about 1,032:1, so a member declaring more is malformed; the
200 MB total is what bounds the work); only stored and deflated members, none encrypted,
no two with the same name.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from worker.kinds.wizard_import.errors import FileTooLarge, InvalidFile
from worker.kinds.wizard_import.macros import (
    is_relationships_part,
    macro_content_type,
    macro_relationship,
)
from worker.kinds.wizard_import.xml_checks import declares_dtd

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_DEFLATE_RATIO = 1100
MAX_WORKBOOK_XML_BYTES = 5 * 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# every relationships part together (a sheet's hyperlinks are in its own: 10,000 of them
# take about 1.5 MB)
MAX_RELATIONSHIPS_BYTES = 20 * 1024 * 1024

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE compound file: encrypted .xlsx or .xls
WORKBOOK_PART = "xl/workbook.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
WORKBOOK_RELS_PART = "xl/_rels/workbook.xml.rels"

_RESAVE = "Open it in Excel and save it as an Excel Workbook (.xlsx), then upload that."


@dataclass(frozen=True)
class Sheet:
    name: str  # as written in the workbook
    part: str | None  # its worksheet part in the zip, when the relationships name one


def check_workbook(data: bytes, filename: str) -> list[str]:
    """The workbook's sheet names in order, or FileTooLarge / InvalidFile saying why the
    file cannot be imported. Reads the zip directory and the workbook part only."""
    with open_workbook(data, filename) as archive:
        return [sheet.name for sheet in read_sheets(archive, filename)]


def open_workbook(data: bytes, filename: str) -> zipfile.ZipFile:
    """The file as a zip archive whose directory passed every check."""
    shown = filename or "the file"
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge(
            f"{shown} is {len(data) / 1024 / 1024:.1f} MB; the limit is 10 MB. Remove what "
            "is not imported (extra sheets, images, formatting) or split the data, and "
            "upload it again.")
    if data[:8] == CFB_MAGIC:
        raise InvalidFile(
            f"{shown} is either a password-protected (encrypted) workbook or an old-style "
            ".xls workbook, which cannot be read. Remove the password (File > Info > Protect "
            f"Workbook) or, for an .xls file, save it as .xlsx; then upload it again.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InvalidFile(
            f"{shown} is not an .xlsx workbook (it is not a zip archive, as every .xlsx "
            f"file is; a CSV or PDF export will not do). {_RESAVE}") from None
    try:
        _check_directory(archive, shown)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_directory(archive: zipfile.ZipFile, shown: str) -> None:
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise InvalidFile(f"{shown} is a damaged .xlsx: two of its parts have the same name. "
                          f"{_RESAVE}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InvalidFile(f"{shown} has encrypted parts. Remove the password and upload "
                              "it again.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InvalidFile(f"{shown} uses a compression that .xlsx files do not use. "
                              f"{_RESAVE}")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise InvalidFile(f"{shown} is a damaged zip archive. {_RESAVE}")
        if info.file_size > MAX_DEFLATE_RATIO * max(info.compress_size, 1):
            raise InvalidFile(
                f"{shown} is refused: its part {info.filename} claims to expand "
                f"{info.file_size / max(info.compress_size, 1):,.0f} times, more than any "
                f".xlsx can (a zip bomb, or a damaged file). {_RESAVE}")
        total += info.file_size
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InvalidFile(
            f"{shown} is refused: it expands to {total / 1024 / 1024:,.0f} MB, over the "
            "200 MB limit (a zip bomb, or a workbook with far more than the data). Remove "
            "what is not imported and upload it again.")
    present = set(names)
    if any(posixpath.basename(name).lower() == "vbaproject.bin" for name in names):
        raise _macro_enabled(shown)
    if "mimetype" in present and WORKBOOK_PART not in present:
        raise InvalidFile(f"{shown} is an OpenDocument spreadsheet (.ods), not an .xlsx. "
                          f"{_RESAVE}")
    if "xl/workbook.bin" in present:
        raise InvalidFile(f"{shown} is a binary workbook (.xlsb), not an .xlsx. {_RESAVE}")
    if CONTENT_TYPES_PART not in present or WORKBOOK_PART not in present:
        raise InvalidFile(f"{shown} is a zip archive but not an .xlsx workbook (it has no "
                          f"workbook part). {_RESAVE}")
    content_types = _parse_part(archive, CONTENT_TYPES_PART, MAX_CONTENT_TYPES_BYTES, shown)
    if (declared := macro_content_type(content_types)) is not None:
        raise _macro_enabled(shown, declared)
    _check_relationships(archive, [info for info in infos
                                   if is_relationships_part(info.filename)], shown)


def _check_relationships(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo],
                         shown: str) -> None:
    """No relationships part links a macro part (a VBA project by any name)."""
    total = sum(info.file_size for info in parts)
    if total > MAX_RELATIONSHIPS_BYTES:
        raise InvalidFile(f"{shown} is refused: its relationships parts (_rels/*.rels) hold "
                          f"{total / 1024 / 1024:.1f} MB, far more than any workbook needs. "
                          f"{_RESAVE}")
    for info in parts:
        relationships = _parse_part(archive, info.filename, MAX_WORKBOOK_XML_BYTES, shown)
        if (link := macro_relationship(relationships, info.filename)) is not None:
            raise _macro_enabled(shown, link)


def _macro_enabled(shown: str, found: str = "it holds a VBA project") -> InvalidFile:
    return InvalidFile(
        f"{shown} is a macro-enabled workbook (.xlsm: {found}), which is not accepted "
        "because macros can run code. Save it as an Excel Workbook (.xlsx, without macros) "
        "and upload that.")


def read_sheets(archive: zipfile.ZipFile, filename: str = "") -> list[Sheet]:
    """The workbook's sheets in order, with the worksheet part of each."""
    shown = filename or "the file"
    workbook = _parse_part(archive, WORKBOOK_PART, MAX_WORKBOOK_XML_BYTES, shown)
    targets: dict[str, str] = {}
    if WORKBOOK_RELS_PART in archive.NameToInfo:
        rels = _parse_part(archive, WORKBOOK_RELS_PART, MAX_WORKBOOK_XML_BYTES, shown)
        for rel in rels.iter():
            if _local(rel.tag) == "Relationship" and rel.get("Id") and rel.get("Target"):
                targets[rel.get("Id", "")] = _resolve(rel.get("Target", ""))
    sheets: list[Sheet] = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        name = element.get("name")
        if not name:
            raise InvalidFile(f"{shown} is a damaged .xlsx: a sheet has no name. {_RESAVE}")
        rel_id = next((value for key, value in element.attrib.items()
                       if _local(key) == "id"), None)
        part = targets.get(rel_id or "")
        sheets.append(Sheet(name, part if part in archive.NameToInfo else None))
    if not sheets:
        raise InvalidFile(f"{shown} has no sheets. {_RESAVE}")
    return sheets


def _resolve(target: str) -> str:
    """A relationship target of the workbook as a zip member name."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join("xl", target))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _parse_part(archive: zipfile.ZipFile, name: str, limit: int,
                shown: str) -> ElementTree.Element:
    """A small XML part, inflated no further than its declared size (zipfile stops there
    and checks the CRC) and refused over `limit`."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise InvalidFile(f"{shown} is refused: its part {name} is "
                          f"{info.file_size / 1024 / 1024:.1f} MB, far larger than any "
                          f"workbook needs. {_RESAVE}")
    try:
        with archive.open(info) as stream:
            content = stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        raise InvalidFile(f"{shown} is a damaged .xlsx ({name} cannot be read). "
                          f"{_RESAVE}") from None
    if declares_dtd(content):  # found by the parser, in whatever encoding the part is
        raise InvalidFile(f"{shown} is not an .xlsx as Excel writes it: its part {name} "
                          "declares a DTD (<!DOCTYPE …>, where entities are defined), which "
                          f"workbooks never have. {_RESAVE}")
    try:
        # no DTD (refused above), and expat >= 2.4 bounds entity expansion besides
        return ElementTree.fromstring(content)  # noqa: S314
    except ElementTree.ParseError:
        raise InvalidFile(f"{shown} is a damaged .xlsx ({name} is not valid XML). "
                          f"{_RESAVE}") from None
