"""A workbook's parts as a hostile file writes them (security.md, "Hostile files"): a DTD is
found by the XML parser in whatever encoding the part is (xml_checks.py), in the upload's
parts and in every part the worker inflates; macros are found by content type and
relationship type, whatever the part's name (macros.py)."""

from __future__ import annotations

import pytest

from tests.support.hostile_xlsx import (
    freeagent_parts,
    with_renamed_macro,
    with_utf16_dtd,
    zipped,
)
from worker.kinds.wizard_import.errors import InvalidFile
from worker.kinds.wizard_import.file_checks import check_workbook
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_rows
from worker.kinds.wizard_import.xml_checks import DoctypeWatch, declares_dtd

DTD = '<!DOCTYPE r [<!ENTITY e "x">]>'


def _parts() -> dict[str, bytes]:
    return freeagent_parts([["Acme Ltd", "", "", "a@acme.example"]])


def _refused(data: bytes, match: str) -> str:
    with pytest.raises(InvalidFile, match=match) as caught:
        check_workbook(data, "export.xlsx")
    assert caught.value.code == "INVALID_FILE"
    return caught.value.message


def test_a_plain_workbook_passes() -> None:
    assert check_workbook(zipped(_parts()), "export.xlsx") == ["Contacts", "Trial Balance"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8"])
def test_a_dtd_in_the_workbook_part_is_refused_in_any_encoding(encoding: str) -> None:
    parts = with_utf16_dtd(_parts(), encoding=encoding)
    if encoding != "utf-8":
        assert b"<!DOCTYPE" not in parts["xl/workbook.xml"]  # what the byte search missed
    message = _refused(zipped(parts), "declares a DTD")
    assert message.startswith("export.xlsx is not an .xlsx as Excel writes it: its part "
                              "xl/workbook.xml declares a DTD")
    assert "which workbooks never have" in message


def test_a_dtd_in_a_relationships_part_is_refused() -> None:
    _refused(zipped(with_utf16_dtd(_parts(), part="xl/_rels/workbook.xml.rels")),
             r"its part xl/_rels/workbook\.xml\.rels declares a DTD")


def test_a_dtd_in_a_worksheet_is_refused_by_the_worker_before_a_row() -> None:
    data = zipped(with_utf16_dtd(_parts(), part="xl/worksheets/sheet1.xml"))
    assert check_workbook(data, "export.xlsx")  # the upload does not read worksheets
    with pytest.raises(InvalidFile, match=r"its part xl/worksheets/sheet1\.xml declares a "
                                          "DTD"):
        list(iter_sheet_rows(data, "Contacts"))


def test_utf32_is_no_xml_to_the_parser_and_refused_as_such() -> None:
    parts = _parts()
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].decode().replace(
        'encoding="UTF-8"', 'encoding="UTF-32"').replace("?>", "?>" + DTD, 1).encode(
        "utf-32")
    _refused(zipped(parts), r"xl/workbook\.xml is not valid XML")


def test_the_watch_stops_at_the_root_element() -> None:
    assert declares_dtd(f'<?xml version="1.0"?>{DTD}<r>&e;</r>'.encode())
    assert declares_dtd(f"{DTD}<r/>".encode("utf-16"))
    assert not declares_dtd(b"<r><!-- <!DOCTYPE r> --></r>")
    assert not declares_dtd(b"\x89PNG\r\n\x1a\n")  # not XML: declares nothing
    watch = DoctypeWatch()
    watch.feed(b'<?xml version="1.0"?><worksheet><sheetData>')
    assert watch.settled
    assert not watch.found
    watch.feed(b"junk after the start that is never parsed <<<")
    assert not watch.found
    split = DoctypeWatch()  # a DOCTYPE cut across two chunks
    for chunk in (b"<?xml version='1.0'?><!DOC", b"TYPE r []><r/>"):
        split.feed(chunk)
    assert split.found


@pytest.mark.parametrize(("content_type", "relationship"),
                         [(True, False), (False, True), (True, True)],
                         ids=["content-type", "relationship", "both"])
def test_a_vba_project_under_another_name_is_refused(content_type: bool,
                                                     relationship: bool) -> None:
    parts = with_renamed_macro(_parts(), content_type=content_type,
                               relationship=relationship)
    assert not any("vbaproject" in name.lower() for name in parts)
    message = _refused(zipped(parts), "is a macro-enabled workbook")
    if content_type:
        assert ("its part xl/macros1.bin is declared application/vnd.ms-office.vbaProject"
                in message)
    else:
        assert "xl/_rels/workbook.xml.rels links macros1.bin as a vbaProject" in message
    assert "Save it as an Excel Workbook (.xlsx, without macros)" in message


def test_a_macro_content_type_by_extension_and_macro_sheets_are_refused() -> None:
    parts = _parts()
    by_extension = {**parts, "xl/m.dat": b"x", "[Content_Types].xml": parts[
        "[Content_Types].xml"].replace(b"</Types>", b'<Default Extension="dat" '
                                       b'ContentType="application/vnd.ms-office.vbaProject"/>'
                                       b"</Types>")}
    assert "every .dat part is declared" in _refused(zipped(by_extension), "macro-enabled")
    macro_sheet = {**parts, "xl/_rels/workbook.xml.rels": parts[
        "xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdM" Type="http://schemas.microsoft.com/'
        b'office/2006/relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"/>'
        b"</Relationships>")}
    assert "as a xlMacrosheet" in _refused(zipped(macro_sheet), "macro-enabled")
    # a sheet's own relationships count as much as the workbook's
    nested = {**parts, "xl/worksheets/_rels/sheet1.xml.rels": (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="r1" Type="http://schemas.microsoft.com/office/'
        b'2006/relationships/vbaProjectSignature" Target="../x.bin"/></Relationships>')}
    _refused(zipped(nested), r"xl/worksheets/_rels/sheet1\.xml\.rels links")
