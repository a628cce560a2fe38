"""Which layout a file is, by its content (provider-imports.md, "Recognising a file"): its
first rows are read (a CSV's decoded text; a workbook's sheets through the reading child,
which stops after them), and each candidate layout looks for its header row below any title
block. The most specific layout that claims the file wins; a file none claims is refused
naming the file and, for the closest layout, the columns its header lacked. Never by the
file's name. Runs in the web request, off its event loop (it blocks while a child reads)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import itertools
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from worker.kinds.wizard_import.bundles import is_workbook, is_zip
from worker.kinds.wizard_import.csv_rows import CsvText, decode_csv, open_csv, peek_csv_rows
from worker.kinds.wizard_import.errors import InvalidFile, ReadingInterrupted
from worker.kinds.wizard_import.file_checks import CFB_MAGIC, check_workbook
from worker.kinds.wizard_import.layouts.base import Header, Layout
from worker.kinds.wizard_import.reader_child import ReaderFailed, ReaderStopped
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_rows
from worker.wizard.records import ImportType

PEEK_ROWS = 40  # a title block and a header are within the first rows of every export
PEEK_SHEETS = 10  # a workbook's sheets looked at for one (each costs a reading process)
# how a zip archive (every .xlsx is one) begins: a local file header, or the end of the
# directory of an empty archive
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
Rows = Sequence[tuple[int, Sequence[object]]]


@dataclass(frozen=True)
class Recognised:
    """A file and the layout that reads it."""

    name: str
    data: bytes
    file_format: str  # "csv" or "xlsx"
    layout: Layout
    import_type: ImportType
    sheet: str | None  # the workbook's sheet read

    @functools.cached_property
    def sha256(self) -> str:  # shown in the answer and stored with the file: computed once
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class _Match:
    layout: Layout
    import_type: ImportType
    score: int  # the columns the layout knows in the header: the most specific wins
    accepted: bool  # its rows are the layout's too (else: why not, for the refusal)
    header: Header


def _match(rows: Rows, layouts: Sequence[Layout], wanted: ImportType | None
           ) -> _Match | None:
    best: _Match | None = None
    for layout in layouts:
        kind = layout.import_type or wanted
        if kind is None:
            continue  # a flat layout needs the type from the upload
        for number, cells in rows:
            header = layout.read_header(number, cells, kind)
            if header is None:
                continue
            accepted = layout.accepts(header, rows)
            if best is None or (accepted, len(header.index)) > (best.accepted, best.score):
                best = _Match(layout, kind, len(header.index), accepted, header)
            break
    return best


def _refusal(name: str, rows: Rows, layouts: Sequence[Layout], wanted: ImportType | None
             ) -> InvalidFile:
    """The file claimed by no layout: the closest named, with the columns it lacked."""
    closest: tuple[float, Layout, ImportType, Sequence[object]] | None = None
    for layout in layouts:
        kind = layout.import_type or wanted
        if kind is None:
            continue
        need = max(1, *(len(keys) for keys in layout.required(kind)))
        for _, cells in rows:
            share = layout.found(cells, kind) / need
            if closest is None or share > closest[0]:
                closest = (share, layout, kind, cells)
    if not rows:
        return InvalidFile(f"{name} is empty: it has no rows. Export it again from the "
                           "provider and upload that.")
    if len(layouts) == 1 and (kind := layouts[0].import_type or wanted) is not None:
        # one layout looked for (the wizard's own columns): say what its header needs
        cells = closest[3] if closest is not None and closest[0] > 0 else rows[0][1]
        lacked = ", ".join(layouts[0].missing(cells, kind))
        return InvalidFile(
            f"{name} has no header row of a {kind.value} import in its first {PEEK_ROWS} "
            f"rows: the columns {lacked} were not found. Put the column names in one row "
            "above the data (names match ignoring case) and upload it again.")
    if closest is None or closest[0] == 0:
        return InvalidFile(
            f"{name} is not an export the wizard recognises: none of its first "
            f"{PEEK_ROWS} rows (of each of its first {PEEK_SHEETS} sheets, for a workbook) is "
            f"a header row of {_known(layouts)}. Upload the file as the provider exports "
            "it, unedited.")
    _, layout, kind, cells = closest
    lacked = ", ".join(layout.missing(cells, kind))
    return InvalidFile(
        f"{name} is not an export the wizard recognises. The closest is the {layout.title} "
        f"({layout.name}), but its header row lacks the columns {lacked}. Export the file "
        "again from the provider, unedited, and upload that.")


def _not_accepted(name: str, found: _Match) -> InvalidFile:
    """A file with a layout's header whose rows are not the layout's."""
    return InvalidFile(f"{name} has the header of the {found.layout.title} "
                       f"({found.layout.name}), but {found.layout.refusal(found.header)}.")


def _known(layouts: Sequence[Layout]) -> str:
    names = [layout.title for layout in layouts]
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]


def _not_text(name: str, data: bytes) -> InvalidFile:
    """A file that begins as a zip archive or an OLE compound file but is no .xlsx that can
    be read: said as what it is, never as a CSV whose bytes are not UTF-8."""
    if data.startswith(ZIP_MAGIC) and is_zip(data):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
        if "mimetype" not in names and not any(n.startswith("xl/") for n in names):
            return InvalidFile(
                f"{name} is a zip archive, not a CSV file or an .xlsx workbook. Upload the "
                "files inside it one by one, or, for a Xero or QuickBooks export, the .zip "
                "itself to POST /migrations/{id}/upload-provider.")
    elif data.startswith(ZIP_MAGIC):
        return InvalidFile(
            f"{name} begins as a zip archive, as an Excel workbook (.xlsx) does, but cannot "
            "be read as one: it is damaged or cut short. Download or save it again and "
            "upload that.")
    try:
        check_workbook(data, name)  # says what the workbook is (encrypted, .xls, .ods, ...)
    except InvalidFile as exc:
        return exc
    return InvalidFile(f"{name} is a damaged Excel workbook (.xlsx). Open it in Excel, save "
                       "it as an Excel Workbook (.xlsx) and upload that.")


def recognise(name: str, data: bytes, layouts: Sequence[Layout],
              import_type: ImportType | None = None) -> Recognised:
    """The layout among `layouts` that reads the file, or InvalidFile saying why none.
    `import_type` is the upload's (standalone imports); a flat layout needs it."""
    if not is_workbook(data) and (data.startswith(ZIP_MAGIC) or data[:8] == CFB_MAGIC):
        raise _not_text(name, data)  # binary, checked before it is decoded as a CSV
    if is_workbook(data):
        sheets = check_workbook(data, name)
        peeked: list[Rows] = []
        for sheet in sheets[:PEEK_SHEETS]:  # each read by a child: a report has one or two
            try:
                with contextlib.closing(iter_sheet_rows(data, sheet, name)) as reading:
                    rows = list(itertools.islice(reading, PEEK_ROWS))
            except ReaderFailed:  # crashed the reader, or over its caps: names the sheet
                raise
            except InvalidFile as exc:  # the child's reason, for the file of this upload
                raise InvalidFile(f"{name}, sheet '{sheet}': {exc.message}") from None
            except ReaderStopped:
                raise ReadingInterrupted() from None
            peeked.append(rows)
            found = _match(rows, layouts, import_type)
            if found is not None and found.accepted:
                return Recognised(name, data, "xlsx", found.layout, found.import_type, sheet)
            if found is not None:
                raise _not_accepted(name, found)
        raise _refusal(name, [row for rows in peeked for row in rows], layouts, import_type)
    native = any(layout.windows_1252 for layout in layouts)
    text = open_csv(data, name=name, windows_1252=native)  # checked whole, not kept as text
    lines: Rows = peek_csv_rows(text, PEEK_ROWS, name=name)
    found = _match(lines, layouts, import_type)
    if found is None:
        raise _refusal(name, lines, layouts, import_type)
    if not found.accepted:
        raise _not_accepted(name, found)
    if isinstance(text, CsvText) and text.encoding == "windows-1252" and (
            not found.layout.windows_1252):
        decode_csv(data, name=name)  # refused, saying which byte is not UTF-8
    return Recognised(name, data, "csv", found.layout, found.import_type, None)

