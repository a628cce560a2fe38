"""The wizard's file pipeline up to rows: the upload checks (file_checks), the workbook
reader (xlsx_rows, calamine in a child process) and the CSV reader. Test workbooks are
written with openpyxl; hostile ones by hand with zipfile."""

from __future__ import annotations

import io
import os
import re
import signal
import warnings
import zipfile
from collections.abc import Callable, Generator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from scripts.demo_workbook import write_demo_workbook
from tests.support.workbooks import workbook
from tests.support.zips import patch_directory
from worker.kinds.wizard_import.columns import match_sheets, missing_sheets
from worker.kinds.wizard_import.errors import FileTooLarge, InvalidFile, MissingSheets
from worker.kinds.wizard_import.file_checks import check_workbook
from worker.kinds.wizard_import.xlsx_rows import ReaderStopped, iter_sheet_rows
from worker.wizard.records import ImportType

SHEETS = ["Contacts", "Trial Balance", "Outstanding Invoices", "Outstanding Bills", "Notes"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    write_demo_workbook(path)
    return path.read_bytes()


def rezip(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    """The workbook with its parts changed by `change` (name → bytes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def refused(data: bytes, match: str, filename: str = "export.xlsx") -> InvalidFile:
    with pytest.raises(InvalidFile, match=match) as caught:
        check_workbook(data, filename)
    assert caught.value.code == "INVALID_FILE"
    return caught.value


# --- the upload's checks -------------------------------------------------------------------

def test_a_workbook_gives_its_sheet_names_in_order(demo: bytes) -> None:
    assert check_workbook(demo, "export.xlsx") == SHEETS


def test_over_10_mb_is_too_large_before_anything_else() -> None:
    with pytest.raises(FileTooLarge, match=r"10\.0 MB; the limit is 10 MB") as caught:
        check_workbook(b"\xd0\xcf\x11\xe0" + bytes(10 * 1024 * 1024), "big.xlsx")
    assert caught.value.code == "FILE_TOO_LARGE"


def test_not_a_zip() -> None:
    error = refused(b"Name,Email\nAcme,a@example.com\n", "not a zip archive",
                    filename="contacts.csv")
    assert "contacts.csv is not an .xlsx workbook" in error.message


def test_an_encrypted_workbook_or_a_legacy_xls_is_an_ole_compound_file() -> None:
    error = refused(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(600), "password-protected")
    assert ".xls" in error.message
    assert "Remove the password" in error.message


def test_a_zip_without_a_workbook_part() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("readme.txt", "hello")
    refused(out.getvalue(), "not an .xlsx workbook")


def test_an_opendocument_spreadsheet() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    refused(out.getvalue(), r"OpenDocument spreadsheet \(\.ods\)")


def test_a_macro_enabled_content_type_whatever_the_filename(demo: bytes) -> None:
    def macro(parts: dict[str, bytes]) -> None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")

    data = rezip(demo, macro)
    assert b"macroEnabled" in zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    refused(data, "macro-enabled workbook")


def test_a_vba_project_part_is_macro_enabled(demo: bytes) -> None:
    def vba(parts: dict[str, bytes]) -> None:
        parts["xl/vbaProject.bin"] = b"\x00" * 64

    refused(rezip(demo, vba), "macro-enabled workbook")


def test_a_zip_bomb_by_declared_size_is_refused_without_inflating(demo: bytes) -> None:
    def padding(parts: dict[str, bytes]) -> None:
        for n in range(3):
            parts[f"xl/media/image{n}.bin"] = os.urandom(70 * 1024)

    data = rezip(demo, padding)
    for n in range(3):  # each claims 70 MB: 1,000 times its data, 210 MB in all
        data = patch_directory(data, f"xl/media/image{n}.bin", size=70 * 1024 * 1024)
    refused(data, "expands to 210 MB, over the 200 MB limit")


def test_a_member_claiming_more_than_deflate_can_produce(demo: bytes) -> None:
    data = patch_directory(demo, "docProps/app.xml", size=150 * 1024 * 1024)
    refused(data, r"docProps/app\.xml claims to expand")


def test_encrypted_members(demo: bytes) -> None:
    refused(patch_directory(demo, "xl/styles.xml", flags=0x1), "encrypted parts")


def test_two_members_of_one_name(demo: bytes) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns, and writes it all the same
        with zipfile.ZipFile(io.BytesIO(demo)) as source:
            for info in source.infolist():
                archive.writestr(info.filename, source.read(info))
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    refused(out.getvalue(), "two of its parts have the same name")


def test_a_workbook_part_larger_than_declared_fails_its_crc(demo: bytes) -> None:
    size = zipfile.ZipFile(io.BytesIO(demo)).getinfo("xl/workbook.xml").file_size
    refused(patch_directory(demo, "xl/workbook.xml", size=size // 2),
            r"damaged .xlsx \(xl/workbook\.xml cannot be read\)")


def test_a_workbook_part_declared_over_5_mb(demo: bytes) -> None:
    def huge(parts: dict[str, bytes]) -> None:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"<sheets>", b"<!-- " + b" " * (6 * 1024 * 1024) + b" --><sheets>")

    refused(rezip(demo, huge), r"xl/workbook\.xml is 6\.0 MB")


def test_a_workbook_part_with_a_dtd(demo: bytes) -> None:
    def dtd(parts: dict[str, bytes]) -> None:
        parts["xl/workbook.xml"] = re.sub(
            rb"^(<\?xml[^>]*\?>)?", rb'<!DOCTYPE w [<!ENTITY a "aaaa">]>', parts[
                "xl/workbook.xml"], count=1)

    refused(rezip(demo, dtd), "declares a DTD")


def test_sheets_are_matched_by_name_and_alias() -> None:
    names = ["Notes", " tb ", "CONTACTS", "Outstanding Invoices", "bills"]
    assert match_sheets(names) == {ImportType.CONTACTS: "CONTACTS",
                                   ImportType.BALANCES: " tb ",
                                   ImportType.INVOICES: "Outstanding Invoices",
                                   ImportType.BILLS: "bills"}
    assert missing_sheets(names) == []
    assert missing_sheets(["Trial Balance", "Invoices"]) == ["Contacts"]


def test_missing_sheets_names_them_and_what_was_found() -> None:
    missing = missing_sheets(["Sheet1", "Invoices"])
    error = MissingSheets.naming(missing, ["Sheet1", "Invoices"])
    assert error.code == "MISSING_SHEETS"
    assert error.message == (
        "The workbook lacks the required sheets Contacts; Trial Balance (or TB); sheets "
        "found: 'Sheet1', 'Invoices'. Add or rename the sheets (names match ignoring case) "
        "and upload the workbook again.")


# --- reading a sheet -----------------------------------------------------------------------

def rows_of(data: bytes, sheet: str = "Sheet") -> list[tuple[int, list[object]]]:
    return list(iter_sheet_rows(data, sheet))


def test_rows_with_excel_row_numbers_blank_rows_left_out(demo: bytes) -> None:
    rows = rows_of(demo, "Outstanding Invoices")
    assert [number for number, _ in rows] == [1, 2, 3, 4, 5, 6, 7, 9]
    assert rows[0][1][:2] == ["Outstanding invoices at 30 September 2026", None]
    assert rows[2] == (3, ["INV-0041", "Acme Widgets Ltd", date(2026, 7, 31),
                           date(2026, 8, 30), "GBP", 1000.0, 200.0, 1200.0, 0.0, 1200.0])
    assert rows[3][1][2:4] == ["2026-08-15", "2026-08-29"]  # text stays text
    assert rows[3][1][9] is None  # an empty cell


def test_cells_start_at_column_a_and_rows_at_row_1() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet"
    ws["C4"] = "Code"
    ws["D4"] = "Name"
    ws["D6"] = "Sales ünïcode"
    ws["F6"] = datetime(2026, 9, 30, 14, 30)
    buffer = io.BytesIO()
    wb.save(buffer)
    assert rows_of(buffer.getvalue()) == [
        (4, [None, None, "Code", "Name", None, None]),
        (6, [None, None, None, "Sales ünïcode", None, datetime(2026, 9, 30, 14, 30)]),
    ]


def test_cell_types_survive_the_way_from_the_reading_process() -> None:
    data = workbook([
        [True, time(9, 30), timedelta(hours=36), datetime(2026, 9, 30, 8, 5),
         date(2026, 9, 30), "=1+1", -0.0, 1e-7, "two\nlines", "Zürich 東京"],
        ["   ", None, " "],  # only spaces: blank
        ["end"],
    ])
    assert rows_of(data) == [
        (1, [True, time(9, 30), timedelta(days=1, hours=12), datetime(2026, 9, 30, 8, 5),
             date(2026, 9, 30), None, -0.0, 1e-7, "two\nlines", "Zürich 東京"]),
        (3, ["end", None, None, None, None, None, None, None, None, None]),
    ]


def test_dates_of_the_1904_date_system() -> None:
    data = workbook([["Dated On"], [datetime(2026, 9, 30)]], epoch=CALENDAR_MAC_1904)
    assert b'date1904="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    assert rows_of(data)[1] == (2, [date(2026, 9, 30)])


def _sheet_xml(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    def edit(parts: dict[str, bytes]) -> None:
        parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"])

    return rezip(data, edit)


TABLE: list[list[object]] = [["Code", "Name", "Debit"], ["681", "Trade Debtors", 10],
                             ["796", "Creditors", 5]]
TABLE_ROWS = [(1, ["Code", "Name", "Debit"]), (2, ["681", "Trade Debtors", 10.0]),
              (3, ["796", "Creditors", 5.0])]


def test_no_dimension_tag() -> None:
    data = _sheet_xml(workbook(TABLE), lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml")
    assert rows_of(data) == TABLE_ROWS


def test_a_wrong_dimension_tag_is_not_trusted() -> None:
    data = _sheet_xml(workbook(TABLE), lambda xml: re.sub(
        rb"<dimension[^>]*/>", b'<dimension ref="A1:A1"/>', xml))
    assert b'<dimension ref="A1:A1"/>' in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml")
    assert rows_of(data) == TABLE_ROWS


@pytest.mark.timeout(60)
@pytest.mark.parametrize("row", [
    b'<row r="{n}" s="1" customFormat="1" ht="15" customHeight="1"/>',
    b'<row r="{n}" s="1" customFormat="1"><c r="A{n}" s="1"/><c r="B{n}" s="1"></c></row>',
], ids=["rows", "rows of styled empty cells"])
def test_a_million_styled_empty_trailing_rows_cost_nothing(row: bytes) -> None:
    trailing = b"".join(row.replace(b"{n}", b"%d" % n) for n in range(4, 1_000_004))
    data = _sheet_xml(workbook(TABLE), lambda xml: xml.replace(b"</sheetData>",
                                                               trailing + b"</sheetData>"))
    assert rows_of(data) == TABLE_ROWS


def test_a_cell_far_from_the_data_is_refused_not_fatal() -> None:
    # calamine would allocate a dense grid of 200,000 x 16,384 cells (100 GB)
    far = b'<row r="200000"><c r="XFD200000"><v>1</v></c></row></sheetData>'
    data = _sheet_xml(workbook(TABLE), lambda xml: xml.replace(b"</sheetData>", far))
    assert len(data) < 10_000
    with pytest.raises(InvalidFile, match="needs more memory"):
        rows_of(data)


def test_one_long_text_repeated_in_many_cells_is_refused_not_fatal() -> None:
    # calamine copies a shared string into every cell that names it: 40,000 x 30 kB
    cells = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n)
                     for n in range(1, 40_001))
    data = workbook([["x" * 30_000]])  # openpyxl writes it inline: make it shared

    def shared(parts: dict[str, bytes]) -> None:
        parts["xl/sharedStrings.xml"] = (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<si><t>" + b"x" * 30_000 + b"</t></si></sst>")
        parts["xl/worksheets/sheet1.xml"] = re.sub(
            rb"<sheetData>.*</sheetData>", b"<sheetData>" + cells + b"</sheetData>",
            parts["xl/worksheets/sheet1.xml"], flags=re.DOTALL)
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
            b"</Relationships>")

    data = rezip(data, shared)
    assert len(data) < 300_000
    with pytest.raises(InvalidFile, match="needs more memory"):
        rows_of(data)


def test_a_part_that_inflates_past_its_declared_size(demo: bytes) -> None:
    info = zipfile.ZipFile(io.BytesIO(demo)).getinfo("xl/worksheets/sheet3.xml")
    data = patch_directory(demo, "xl/worksheets/sheet3.xml", size=info.file_size // 4)
    assert check_workbook(data, "export.xlsx") == SHEETS  # the request does not inflate it
    with pytest.raises(InvalidFile, match=r"sheet3\.xml holds more data than its zip "
                                          "directory declares"):
        rows_of(data, "Outstanding Invoices")


def test_a_part_that_stops_short_of_its_declared_size(demo: bytes) -> None:
    info = zipfile.ZipFile(io.BytesIO(demo)).getinfo("xl/styles.xml")
    data = patch_directory(demo, "xl/styles.xml", size=info.file_size + 10)
    with pytest.raises(InvalidFile, match=r"damaged: its part xl/styles\.xml"):
        rows_of(data, "Contacts")


def test_an_unknown_sheet(demo: bytes) -> None:
    with pytest.raises(InvalidFile, match="no sheet named 'Ledger'"):
        rows_of(demo, "Ledger")


def _children() -> set[int]:
    pid = os.getpid()
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def test_stopping_early_ends_the_reading_process(demo: bytes) -> None:
    before = _children()
    rows = iter_sheet_rows(demo, "Outstanding Invoices")
    assert isinstance(rows, Generator)
    assert next(rows)[0] == 1
    assert _children() - before  # the child is reading
    rows.close()
    assert _children() == before


def test_a_reading_process_killed_from_outside_is_not_the_files_fault(tmp_path: Path) -> None:
    # 20,000 rows are more than the pipe holds: the child waits for us, alive, to be killed
    write_demo_workbook(tmp_path / "big.xlsx", extra_invoices=20_000)
    before = _children()
    rows = iter_sheet_rows((tmp_path / "big.xlsx").read_bytes(), "Outstanding Invoices")
    next(rows)
    (reader,) = _children() - before
    os.kill(reader, signal.SIGKILL)
    with pytest.raises(ReaderStopped, match="stopped by signal 9"):
        list(rows)  # the rows already sent may come first
