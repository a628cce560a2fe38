"""Text a record may keep, and text a message may show (security.md, "Hostile files").

A record's text must hold no control character: C0 but tab, line feed and carriage return
(a cell may hold line breaks), DEL, and the C1 block U+0080–U+009F. None of them is text
anyone typed: they come from a damaged or binary file, or from text decoded in the wrong
encoding (Windows-1252 read as Latin-1 gives C1 characters). A NUL cannot be stored at all
(Postgres refuses \\u0000 in jsonb), and an .xlsx carries any of them through its `_x0000_`
escape. Lone surrogates (U+D800–U+DFFF, again only an `_xD800_` escape makes one) cannot be
written as JSON. Nor may a text be longer than the 32,767 characters an Excel cell holds: a
longer one comes from no spreadsheet, and would make a record of megabytes. A record with
such text is not staged; its row is an error naming the cell.

Messages quote cell text, so `visible` shows control characters by their code (`<U+0000>`)
and clips long text: an error message is always text that can be stored and read.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from worker.wizard.records import RowError, WizardRecord

MAX_CELL_CHARS = 32_767  # Excel's limit on a cell's text
SHOWN_CHARS = 100  # how much of a cell's text a message quotes

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# In a record's JSON text (orjson): a C0 character is escaped (\u00XX, or \b and \f), DEL and
# C1 are written as they are. A hit may be a false alarm (a backslash the user typed): the
# record's fields are then looked at one by one.
_SUSPECT = re.compile(r"\\u00|\\[bf]|[\x7f-\x9f]")
_FIELDS: dict[type, tuple[str, ...]] = {}


def text_problem(text: str) -> str | None:
    """Why a text cannot be kept in a record (a sentence naming the character, and how to
    fix it), or None."""
    found = CONTROL.search(text)
    if found is not None:
        char = found.group()
        return (f"holds the control character {_name(char)} at character "
                f"{found.start() + 1}, which is not text (the file is damaged, or was saved "
                "in another encoding). Delete the character in the spreadsheet, or export "
                "the file again, and upload it again.")
    if len(text) > MAX_CELL_CHARS:
        return (f"holds {len(text):,} characters, more than the {MAX_CELL_CHARS:,} a "
                "spreadsheet cell can hold. Shorten it and upload the file again.")
    return None


def record_problems(record: WizardRecord, json_text: str | None, sheet: str, row: int,
                    mapping: Mapping[str, str]) -> list[RowError]:
    """The errors of a record whose text cannot be kept, one per field, each naming the
    column that fed it (`mapping`: record field → column); [] for nearly every record.
    `json_text` is the record as JSON, None when it could not be written (a surrogate)."""
    if json_text is not None and (len(json_text) <= MAX_CELL_CHARS
                                  and _SUSPECT.search(json_text) is None):
        return []
    errors: list[RowError] = []
    for name in _fields(record):
        value = getattr(record, name)
        if isinstance(value, str) and (problem := text_problem(value)) is not None:
            column = mapping.get(name)
            subject = column or name.replace("_", " ")
            errors.append(RowError(sheet, row, column, f"{subject} {problem}"))
    return errors


def visible(text: str, limit: int = SHOWN_CHARS) -> str:
    """The text as a message may quote it: control characters by their code (`<U+0000>`),
    at most `limit` characters of it (then how long it was)."""
    shown = text if len(text) <= limit else text[:limit]
    if CONTROL.search(shown) is not None:
        shown = CONTROL.sub(_escape, shown)
    if len(text) > limit:
        shown += f"… ({len(text):,} characters)"
    return shown


def visible_error(error: RowError) -> RowError:
    """The error with its sheet, column and message made visible (a message may quote a
    cell's text; a column is named as its header cell is written)."""
    column = None if error.column is None else visible(error.column)
    return RowError(visible(error.sheet), error.row, column,
                    visible(error.message, limit=2000))


def visible_json(value: Any) -> Any:
    """A JSON value (a read's summary, its blockers) with every text made visible."""
    if isinstance(value, str):
        return visible(value, limit=2000)
    if isinstance(value, list):
        return [visible_json(item) for item in value]
    if isinstance(value, dict):
        return {visible_json(key): visible_json(item) for key, item in value.items()}
    return value


def _escape(found: re.Match[str]) -> str:
    # not a backslash escape: messages quote text with repr(), which would double it
    return f"<U+{ord(found.group()):04X}>"


def _name(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X} (half of a surrogate pair)"
    # C0 and C1 have no character names in unicodedata: their aliases say enough
    names = {0: "NUL", 0x7F: "DEL", 0x1B: "ESC"}
    name = names.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def _fields(record: WizardRecord) -> tuple[str, ...]:
    cls = type(record)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(record))
    return names
