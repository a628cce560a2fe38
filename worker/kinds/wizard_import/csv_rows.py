"""The rows of a CSV file (the standalone importers): UTF-8, a BOM allowed, comma separated.

Rows are (line number where the row starts, as a text editor shows it; cells as text).
CRLF or LF line ends, quoted commas and quoted line breaks are read as Excel writes them;
blank lines and rows of empty cells are left out. A file that is not UTF-8, or not comma
separated, is refused with what to do about it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from worker.kinds.wizard_import.errors import InvalidFile

_SAVE_AS = "In Excel use File > Save As > CSV UTF-8 (Comma delimited) (*.csv), and upload that."


def iter_csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank row of a UTF-8 CSV file."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0  # the reader's count of lines consumed so far
    checked = False
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidFile(f"Line {start} of the file cannot be read as CSV ({exc}). "
                              f"{_SAVE_AS}") from None
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if not checked:
            checked = True
            _check_delimiter(cells)
        yield start, cells


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidFile(f"The file is saved as UTF-16 (Excel's \"Unicode Text\"), not "
                          f"UTF-8. {_SAVE_AS}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidFile(
            f"The file is not UTF-8: byte 0x{data[exc.start]:02X} on line {line} is not "
            "valid UTF-8 (the file was probably saved as \"CSV\" in a Windows or Mac "
            f"encoding rather than \"CSV UTF-8\"). {_SAVE_AS}") from None


def _check_delimiter(cells: list[str]) -> None:
    """A header read as one cell holding semicolons or tabs: the wrong separator."""
    if len(cells) == 1:
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if separator in cells[0]:
                raise InvalidFile(f"The file's columns are separated by {name}, not commas. "
                                  f"{_SAVE_AS}")
