"""Macros found by what the workbook's package says its parts are, not by their names.

A workbook's parts may have any name: a VBA project renamed `xl/macros1.bin` is still a VBA
project, and Excel finds it the way we do here, by its content type (`[Content_Types].xml`,
an Override for the part or a Default for its extension) and by the relationship that links
it (a `.rels` part: the workbook's to its VBA project, the project's to its signature, the
workbook's to an Excel 4.0 macro sheet). The macro-enabled workbook types (.xlsm, .xltm,
.xlam, .xlsb with macros) are refused by their main part's content type. Pure functions of
parsed parts: file_checks.py reads and bounds the parts.
"""

from __future__ import annotations

import posixpath
from xml.etree.ElementTree import Element

# content types of macro parts (case-insensitive, as MIME types are)
_MACRO_CONTENT_TYPES = frozenset({
    "application/vnd.ms-office.vbaproject",
    "application/vnd.ms-office.vbaprojectsignature",
    "application/vnd.ms-excel.macrosheet+xml",
    "application/vnd.ms-excel.intlmacrosheet+xml",
    "application/vnd.ms-excel.macrosheet",
})
# the last segment of the relationship types that link macro parts (lower-cased)
_MACRO_RELATIONSHIPS = ("vbaproject", "xlmacrosheet", "xlintlmacrosheet")


def is_relationships_part(name: str) -> bool:
    """Whether a zip member is a part's relationships (`…/_rels/<part>.rels`)."""
    folder, base = posixpath.split(name)
    return posixpath.basename(folder) == "_rels" and base.lower().endswith(".rels")


def macro_content_type(content_types: Element) -> str | None:
    """What in `[Content_Types].xml` declares a macro (the part or extension and its type),
    or None."""
    for element in content_types.iter():
        declared = element.get("ContentType", "")
        lowered = declared.lower()
        if "macroenabled" in lowered or lowered in _MACRO_CONTENT_TYPES:
            part, extension = element.get("PartName"), element.get("Extension")
            where = (f"its part {part.lstrip('/')}" if part
                     else f"every .{extension} part" if extension else "a part")
            return f"{where} is declared {declared}"
    return None


def macro_relationship(relationships: Element, rels_part: str) -> str | None:
    """What in the relationships part `rels_part` links a macro part, or None."""
    for element in relationships.iter():
        kind = element.get("Type", "").rstrip("/").rpartition("/")[2].lower()
        if kind.startswith(_MACRO_RELATIONSHIPS):
            target = element.get("Target", "?")
            return (f"{rels_part} links {target} as a "
                    f"{element.get('Type', '').rpartition('/')[2]}")
    return None
