"""Hostile .xlsx workbooks for the tests of security.md's "Hostile files", written part by
part with zipfile (openpyxl would not write them): one cell of 100 MB in a file of about
100 kB, a workbook part in UTF-16 declaring a DTD, a VBA project under another name."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

from scripts.demo_workbook import CONTACTS_HEADER, TB_HEADER

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # a VBA project is an OLE compound file
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def sheet_xml(rows: list[list[str]]) -> bytes:
    """A worksheet of inline-string cells from column A, row 1 down. Cell text is written
    as given (XML-escaped): `_x0000_` is the .xlsx escape of a NUL, which readers decode."""
    out = [_DECLARATION, f'<worksheet xmlns="{MAIN}"><sheetData>']
    for number, cells in enumerate(rows, 1):
        out.append(f'<row r="{number}">')
        for column, text in enumerate(cells):
            out.append(f'<c r="{chr(65 + column)}{number}" t="inlineStr"><is><t>'
                       f"{escape(text)}</t></is></c>")
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def workbook_parts(sheets: dict[str, bytes]) -> dict[str, bytes]:
    """The parts of a minimal workbook of `sheets` (name → worksheet XML), in order."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1))
    sheet_list = "".join(f"<sheet name={quoteattr(name)} sheetId=\"{n}\" r:id=\"rId{n}\"/>"
                         for n, name in enumerate(sheets, 1))
    links = "".join(f'<Relationship Id="rId{n}" Type="{OFFICE_RELS}/worksheet" '
                    f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheets) + 1))
    parts = {
        "[Content_Types].xml": (
            f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            f'sheet.main+xml"/>{overrides}</Types>').encode(),
        "_rels/.rels": (
            f'{_DECLARATION}<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>").encode(),
        "xl/workbook.xml": (
            f'{_DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}"><sheets>'
            f"{sheet_list}</sheets></workbook>").encode(),
        "xl/_rels/workbook.xml.rels": (
            f'{_DECLARATION}<Relationships xmlns="{RELS}">{links}</Relationships>').encode(),
    }
    for n, xml in enumerate(sheets.values(), 1):
        parts[f"xl/worksheets/sheet{n}.xml"] = xml
    return parts


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def freeagent_parts(contacts: list[list[str]]) -> dict[str, bytes]:
    """A FreeAgent workbook's parts: its Contacts sheet's rows under FreeAgent's header,
    and a Trial Balance that balances."""
    return workbook_parts({
        "Contacts": sheet_xml([CONTACTS_HEADER, *contacts]),
        "Trial Balance": sheet_xml([TB_HEADER, ["1200", "Bank", "Assets", "10.00", ""],
                                    ["3000", "Capital", "Equity", "", "10.00"]]),
    })


def huge_cell_workbook(chars: int = 100 * 1024 * 1024) -> bytes:
    """The issue's file: a FreeAgent workbook whose one contact's name is `chars` letters
    long (100 MB), which deflate packs into about 100 kB."""
    return zipped(freeagent_parts([["a" * chars, "", "", "a@example.com"]]))


def with_utf16_dtd(parts: dict[str, bytes], part: str = "xl/workbook.xml",
                   encoding: str = "utf-16") -> dict[str, bytes]:
    """The parts with `part` in UTF-16 (with its BOM for "utf-16"; or in `encoding`),
    declaring a DTD whose internal entity the part then uses: a byte search for
    `<!DOCTYPE` finds nothing in UTF-16."""
    declared = "UTF-16" if encoding.startswith("utf-16") else encoding.upper()
    text = parts[part].decode().replace(
        _DECLARATION, f'<?xml version="1.0" encoding="{declared}"?>\n'
        '<!DOCTYPE root [<!ENTITY name "Contacts">]>\n')
    if part == "xl/workbook.xml":
        text = text.replace('name="Contacts"', 'name="&name;"')
    return {**parts, part: text.encode(encoding)}


def with_renamed_macro(parts: dict[str, bytes], *, content_type: bool,
                       relationship: bool) -> dict[str, bytes]:
    """The parts with a VBA project named `xl/macros1.bin` (no part is named
    vbaProject.bin), declared by its content type and/or linked by the workbook's
    relationship."""
    changed = {**parts, "xl/macros1.bin": CFB_MAGIC + bytes(504)}
    if content_type:
        changed["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", f'<Override PartName="/xl/macros1.bin" ContentType='
            f'"{VBA_CONTENT_TYPE}"/></Types>'.encode())
    if relationship:
        changed["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", f'<Relationship Id="rIdVba" Type="{VBA_RELATIONSHIP}" '
            'Target="macros1.bin"/></Relationships>'.encode())
    return changed
