"""The rows of a CSV file, as users save it or as Xero, QuickBooks and FreeAgent export it.

Encodings (provider-imports.md, "Recognising a file"): UTF-8, a BOM allowed; UTF-16 with a
BOM, either byte order (Excel's "Unicode Text", tab separated); Windows-1252 only when the
bytes are not UTF-8 and the caller allows it (the layout's provider is Xero or QuickBooks),
and never for a file with a UTF-8 BOM or valid UTF-8 text before its first bad byte (a file
of mixed encodings would be read wrong, silently). A file of which one character in ten or
more is NUL is refused as binary (or UTF-16 without its byte order mark); a few NULs are
read as the cells' text, where each makes its row an error (text_checks.py).

Delimiter: `,`, `;` or tab, detected from the first 30 non-blank rows of the file (quotes
respected), so that a report's title block of one-cell lines above the header does not
matter: the candidate under which the most rows have one same number of cells (above one)
wins, then the one giving more cells, then `,` before `;` before tab. Counting rows of one
width, not rows split, keeps a tab file right when its titles (`As of September 30, 2026`)
and amounts (`1,234.56`) hold unquoted commas. A file split by none is one column.

Rows are (line number where the row starts, as a text editor shows it; cells as text).
CRLF, LF or CR line ends, quoted delimiters and quoted line breaks are read as Excel writes
them; blank lines and rows of empty cells are left out.

Memory: `open_csv` checks a file whole in one pass that keeps no text, then its rows are
decoded a chunk of about 1 MB at a time (`CsvSource`): the worker and the web request hold
a 100 MB export as its bytes only, never as text (two to four bytes a character). A file
that fails that pass, or is Windows-1252, is decoded whole (`decode_csv`), which says
precisely why it is refused or gives its text, read in chunks too.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from worker.kinds.wizard_import.errors import InvalidFile

_SAVE_AS = "In Excel use File > Save As > CSV UTF-8 (Comma delimited) (*.csv), and upload that."
DELIMITERS = (",", ";", "\t")  # in order of preference on a tie
_SAMPLE_CHARS = 64 * 1024  # where the delimiter is detected (at most _SAMPLE_ROWS of it)
_SAMPLE_ROWS = 30
_CHUNK_CHARS = 1024 * 1024
_CHUNK_BYTES = 1024 * 1024
_SNIFF_BYTES = 64 * 1024
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class CsvText:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "windows-1252"
    delimiter: str  # ",", ";" or "\t"


def decode_csv(data: bytes, *, windows_1252: bool = False, name: str = "the file") -> CsvText:
    """The file's text, its encoding and its delimiter, or InvalidFile saying why it cannot
    be read (naming `name`, the byte and the line)."""
    text, encoding = _decode(data, windows_1252, name)
    if _binary(text.count("\x00"), len(text)):
        raise InvalidFile(
            f"{_subject(name)} cannot be read as CSV: from line "
            f"{_line_at(text, text.find(chr(0)))} on, it is full of NUL characters; the file "
            "is binary or damaged (or UTF-16 text without its byte order mark), not a CSV "
            "export. Export it again and upload the file as downloaded.")
    return CsvText(text, encoding, _detect_delimiter(text))


def _binary(nuls: int, chars: int) -> bool:
    """Whether a text with `nuls` NUL characters of `chars` is no text at all."""
    return nuls * 10 >= max(chars, 1) and nuls > 0


@dataclass(frozen=True)
class CsvSource:
    """A CSV file's bytes, checked whole (encoding, not binary), decoded only as it is read: a
    100 MB export is never held as text, which takes two to four bytes a character."""

    data: bytes
    encoding: str  # a codec: "utf-8", "utf-8-sig" or "utf-16"
    delimiter: str


def open_csv(data: bytes, *, windows_1252: bool = False, name: str = "the file"
             ) -> CsvSource | CsvText:
    """The file checked as decode_csv checks it, in one pass that keeps no text; a file
    that fails the pass (or is Windows-1252) is decoded whole by decode_csv, which says
    precisely why it is refused, or gives its text."""
    encoding = ("utf-16" if data.startswith(_UTF16_BOMS)
                else "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    decoder = codecs.getincrementaldecoder(encoding)()
    head = ""
    nuls = chars = 0
    try:
        for start in range(0, len(data), _CHUNK_BYTES):
            text = decoder.decode(data[start:start + _CHUNK_BYTES], final=False)
            nuls, chars = nuls + text.count("\x00"), chars + len(text)
            if len(head) < _SAMPLE_CHARS:
                head += text[:_SAMPLE_CHARS]
        tail = decoder.decode(b"", final=True)
        if not _binary(nuls + tail.count("\x00"), chars + len(tail)):
            return CsvSource(data, encoding, _detect_delimiter(head + tail[:_SAMPLE_CHARS]))
    except UnicodeDecodeError:
        pass
    return decode_csv(data, windows_1252=windows_1252, name=name)


def iter_csv_rows(data: bytes | CsvText | CsvSource, *, windows_1252: bool = False,
                  name: str = "the file") -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank row of a CSV file (bytes are decoded first,
    with decode_csv, when the first row is asked for, as before)."""
    if isinstance(data, CsvSource):
        yield from _rows(_streamed_lines(data), data.delimiter, name)
        return
    decoded = data if isinstance(data, CsvText) else decode_csv(
        data, windows_1252=windows_1252, name=name)
    yield from _rows(_lines(decoded.text), decoded.delimiter, name)


def peek_csv_rows(data: bytes | CsvText | CsvSource, limit: int = 40, *,
                  windows_1252: bool = False,
                  name: str = "the file") -> list[tuple[int, list[str]]]:
    """The first `limit` non-blank rows, reading no further into the text than they take
    (bytes are decoded whole: whether a file is UTF-8 depends on all of it)."""
    rows: list[tuple[int, list[str]]] = []
    if limit <= 0:
        return rows
    for row in iter_csv_rows(data, windows_1252=windows_1252, name=name):
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def looks_like_text(data: bytes) -> bool:
    """Whether the first 64 kB read as text: UTF-8, UTF-16 with a BOM or Windows-1252, and
    control characters (NUL among them; not tab, line ends, vertical tab, form feed) in at
    most one character in twenty. A cheap sniff, to tell a CSV from other files in a
    bundle (a NUL in a cell is its row's error, as it is in a CSV uploaded alone)."""
    head = data[:_SNIFF_BYTES]
    if head.startswith(_UTF16_BOMS):
        text = _decode_head(head, "utf-16")
    else:
        text = _decode_head(head, "utf-8-sig")
        if text is None:
            text = _decode_head(head, "cp1252")
    if text is None:
        return False
    controls = sum(text.count(chr(code)) for code in _CONTROLS)
    return controls * 20 <= len(text)


_CONTROLS = [code for code in range(32) if chr(code) not in "\t\n\r\x0b\x0c"]


def _decode_head(head: bytes, encoding: str) -> str | None:
    try:  # incremental: a character cut at the end of the sample is not an error
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _rows(lines: Iterator[str], delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, delimiter=delimiter)
    line = 0  # the reader's count of lines consumed so far
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidFile(f"Line {start} of {name} cannot be read as CSV ({exc}). "
                              f"{_SAVE_AS}") from None
        line = reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


def _lines(text: str) -> Iterator[str]:
    """The text's lines as a StringIO (newline="") gives them (ends kept; `\\r\\n`, `\\n`
    and `\\r` each end one), from chunks of about 1 MB cut after a `\\n`."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + _CHUNK_CHARS)
        end = len(text) if end < 0 else end + 1
        yield from io.StringIO(text[start:end], newline="")
        start = end


def _streamed_lines(source: CsvSource) -> Iterator[str]:
    """The file's lines as _lines gives them, decoded a chunk at a time (a chunk's text cut
    after its last `\\n`, the rest carried to the next: a `\\r\\n` is never split)."""
    decoder = codecs.getincrementaldecoder(source.encoding)()
    data, pending = source.data, ""
    for start in range(0, len(data), _CHUNK_BYTES):
        text = pending + decoder.decode(data[start:start + _CHUNK_BYTES], final=False)
        cut = text.rfind("\n")
        if cut < 0:
            pending = text
            continue
        yield from io.StringIO(text[:cut + 1], newline="")
        pending = text[cut + 1:]
    text = pending + decoder.decode(b"", final=True)
    if text:
        yield from io.StringIO(text, newline="")


def _decode(data: bytes, windows_1252: bool, name: str) -> tuple[str, str]:
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            line = _line_at(data[:exc.start].decode("utf-16", errors="replace"), None)
            raise InvalidFile(
                f"{_subject(name)} is marked as UTF-16 (Excel's \"Unicode Text\") but is not: "
                f"the text on line {line} cannot be read (the file is damaged, or was "
                f"edited in another encoding). {_SAVE_AS}") from None
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        at = exc.start + len(data) - len(exc.object)  # utf-8-sig counts after its BOM
        bad, line, bom = data[at], _line_at(data, at), data.startswith(codecs.BOM_UTF8)
        mixed = not bom and not data[:at].isascii()
        if windows_1252 and not bom and not mixed:
            try:
                return data.decode("cp1252"), "windows-1252"
            except UnicodeDecodeError as cp_exc:
                raise InvalidFile(
                    f"{_subject(name)} is neither UTF-8 nor Windows-1252: byte "
                    f"0x{data[cp_exc.start]:02X} on line {_line_at(data, cp_exc.start)} is "
                    f"valid in neither. {_SAVE_AS}") from None
        if windows_1252 and mixed:
            raise InvalidFile(
                f"{_subject(name)} mixes encodings: it reads as UTF-8 up to byte "
                f"0x{bad:02X} on line {line}, which is not valid UTF-8 (the file was "
                f"probably edited and saved in another encoding). {_SAVE_AS}") from None
        raise InvalidFile(
            f"{_subject(name)} is not UTF-8: byte 0x{bad:02X} on line {line} is not valid "
            "UTF-8 (the file was probably saved as \"CSV\" in a Windows or Mac encoding "
            f"rather than \"CSV UTF-8\"). {_SAVE_AS}") from None


def _line_at(text: str | bytes, position: int | None) -> int:
    """The line (from 1) holding `position` (None: the end), counting `\\r\\n`, `\\n` and
    a lone `\\r` as line ends, as the reader does."""
    end = len(text) if position is None else position
    if isinstance(text, bytes):
        lf, cr, crlf = text.count(b"\n", 0, end), text.count(b"\r", 0, end), \
            text.count(b"\r\n", 0, end)
    else:
        lf, cr, crlf = text.count("\n", 0, end), text.count("\r", 0, end), \
            text.count("\r\n", 0, end)
    return lf + cr - crlf + 1


def _subject(name: str) -> str:
    return "The file" if name == "the file" else name


def _detect_delimiter(text: str) -> str:
    sample = text[:_SAMPLE_CHARS]
    if len(text) > len(sample):
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        sample = sample[:cut + 1] if cut > 0 else sample
    best, best_key = DELIMITERS[0], (0, 0)
    for delimiter in DELIMITERS:
        widths = Counter(len(cells) for cells in _sample_rows(sample, delimiter)
                         if len(cells) > 1)
        key = max(((count, width) for width, count in widths.items()), default=(0, 0))
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _sample_rows(sample: str, delimiter: str) -> Iterable[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    taken = 0
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield cells
                taken += 1
                if taken >= _SAMPLE_ROWS:
                    return
    except csv.Error:
        return  # the rows read so far decide; reading the file reports the error
