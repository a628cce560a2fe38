"""A zip of several export files uploaded at once (bundles.py): what is taken, what is
skipped, and each refusal with what it says."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from openpyxl import Workbook

from tests.support.zips import patch_directory
from tests.support.zips import zip_of as make_zip
from worker.kinds.wizard_import import bundles
from worker.kinds.wizard_import.bundles import (
    MAX_BUNDLE_FILES,
    MAX_MEMBER_BYTES,
    BundleFile,
    is_workbook,
    is_zip,
    unpack_bundle,
)
from worker.kinds.wizard_import.errors import FileTooLarge, InvalidFile

CONTACTS = b"*ContactName,EmailAddress\r\nSmith & Jones,office@sj.example\r\n"
INVOICES = b"ContactName,InvoiceNumber,Total\r\nSmith & Jones,INV-1,120.00\r\n"


def tiny_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Account", "Debit", "Credit"])
    sheet.append(["Sales (200)", None, 120])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(data: bytes, *fragments: str, filename: str = "exports.zip") -> str:
    with pytest.raises(InvalidFile) as caught:
        unpack_bundle(data, filename)
    assert caught.value.code == "INVALID_FILE"
    for fragment in fragments:
        assert fragment in caught.value.message
    return caught.value.message


def inflation_never_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    def no(*args: object) -> bytes:
        raise AssertionError("a member was inflated")
    monkeypatch.setattr(bundles, "_inflate", no)


# --- what is taken -------------------------------------------------------------------------

def test_a_bundle_of_two_csvs_and_a_workbook() -> None:
    workbook = tiny_xlsx()
    data = make_zip({
        "Xero export/": b"",
        "Xero export/Contacts.csv": CONTACTS,
        "Xero export/reports/Trial Balance.xlsx": workbook,
        "__MACOSX/Xero export/._Contacts.csv": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
        "Xero export/.DS_Store": b"\x00\x00\x00\x01Bud1\x00\x00",
        "Invoices.csv": INVOICES,
    })
    assert unpack_bundle(data, "exports.zip") == [
        BundleFile("Contacts.csv", CONTACTS),
        BundleFile("Trial Balance.xlsx", workbook),
        BundleFile("Invoices.csv", INVOICES),
    ]


def test_stored_members_and_utf16_or_windows_1252_text() -> None:
    utf16 = "Code\tName\r\n200\tSales\r\n".encode("utf-16")
    cp1252 = "Name,Balance\r\nCafé,£12.00\r\n".encode("cp1252")
    data = make_zip({"tb.txt": utf16, "contacts.csv": cp1252}, zipfile.ZIP_STORED)
    assert unpack_bundle(data, "exports.zip") == [BundleFile("tb.txt", utf16),
                                                  BundleFile("contacts.csv", cp1252)]


def test_twenty_files_are_allowed() -> None:
    data = make_zip({f"file {n}.csv": CONTACTS for n in range(MAX_BUNDLE_FILES)})
    assert len(unpack_bundle(data, "exports.zip")) == MAX_BUNDLE_FILES


def test_is_workbook_and_is_zip() -> None:
    workbook, bundle = tiny_xlsx(), make_zip({"a.csv": CONTACTS})
    assert is_workbook(workbook)
    assert is_zip(workbook)
    assert is_zip(bundle)
    assert not is_workbook(bundle)
    assert not is_zip(CONTACTS)
    assert not is_workbook(CONTACTS)
    assert not is_workbook(b"PK\x03\x04 damaged")


# --- refusals ------------------------------------------------------------------------------

def test_not_a_zip_at_all() -> None:
    refused(CONTACTS, "exports.zip is not a zip archive")


def test_a_workbook_is_not_a_bundle() -> None:
    refused(tiny_xlsx(), "book.xlsx is an .xlsx workbook, not a zip of export files",
            filename="book.xlsx")


def test_over_10_mb() -> None:
    with pytest.raises(FileTooLarge, match=r"exports\.zip is 10\.0 MB; the limit"):
        unpack_bundle(b"PK" + bytes(10 * 1024 * 1024), "exports.zip")


def test_an_empty_bundle() -> None:
    refused(make_zip({}), "exports.zip holds no export files")
    refused(make_zip({"folder/": b"", "__MACOSX/._a.csv": b"x", ".DS_Store": b"x"}),
            "holds no export files")


def test_too_many_files(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_zip({f"file {n}.csv": CONTACTS for n in range(MAX_BUNDLE_FILES + 1)})
    inflation_never_asked(monkeypatch)
    refused(data, "exports.zip holds 21 files; at most 20 can be uploaded together")


def test_a_zip_bomb_by_declared_size_is_refused_without_inflating(
        monkeypatch: pytest.MonkeyPatch) -> None:
    noise = os.urandom(100_000)  # deflate cannot shrink it: the ratio check does not fire
    data = make_zip({f"part {n}.csv": noise for n in range(3)})
    for n in range(3):
        data = patch_directory(data, f"part {n}.csv", size=90 * 1024 * 1024)
    inflation_never_asked(monkeypatch)
    refused(data, "exports.zip is refused: it expands to 270 MB, over the 200 MB limit",
            "zip bomb")


def test_a_member_claiming_more_than_deflate_can_produce(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = patch_directory(make_zip({"contacts.csv": CONTACTS}), "contacts.csv",
                           size=10 * 1024 * 1024)
    inflation_never_asked(monkeypatch)
    refused(data, "its file contacts.csv claims to expand", "zip bomb")


def test_a_member_over_the_size_limit_by_its_declared_size(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_zip({"big.csv": os.urandom(100_000), "small.csv": CONTACTS})
    data = patch_directory(data, "big.csv", size=MAX_MEMBER_BYTES + 1024 * 1024)
    inflation_never_asked(monkeypatch)
    refused(data, "exports.zip holds a file over the size limits: big.csv is 101.0 MB "
                  "uncompressed; one file may be at most 100 MB")


def test_a_member_that_inflates_past_its_declared_size() -> None:
    content = CONTACTS * 200
    data = patch_directory(make_zip({"a.csv": CONTACTS, "contacts.csv": content}),
                           "contacts.csv", size=len(content) // 4)
    refused(data, "its file contacts.csv holds more data than the zip's directory declares",
            "zip bomb")


def test_a_member_that_stops_short_of_its_declared_size() -> None:
    data = patch_directory(make_zip({"contacts.csv": CONTACTS}), "contacts.csv",
                           size=len(CONTACTS) + 10)
    refused(data, "exports.zip is damaged: its file contacts.csv cannot be read")


def test_a_member_whose_crc_does_not_match() -> None:
    data = bytearray(make_zip({"contacts.csv": CONTACTS}, zipfile.ZIP_STORED))
    at = data.find(b"Smith")
    data[at] = ord("X")
    refused(bytes(data), "its file contacts.csv cannot be read")


def test_an_encrypted_member(monkeypatch: pytest.MonkeyPatch) -> None:
    data = patch_directory(make_zip({"contacts.csv": CONTACTS}), "contacts.csv", flags=0x1)
    inflation_never_asked(monkeypatch)
    refused(data, "exports.zip is password-protected (contacts.csv is encrypted)")


def test_an_unknown_compression() -> None:
    refused(make_zip({"contacts.csv": CONTACTS}, zipfile.ZIP_BZIP2),
            "uses a compression for contacts.csv that is not accepted")


def test_a_zip_within_the_zip() -> None:
    inner = make_zip({"contacts.csv": CONTACTS})
    refused(make_zip({"contacts.csv": CONTACTS, "more/old.zip": inner}),
            "old.zip in exports.zip is itself a zip archive",
            "export files directly in the zip, not zips within a zip")


def test_a_binary_member() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    refused(make_zip({"contacts.csv": CONTACTS, "logo.png": png}),
            "logo.png in exports.zip is neither a CSV nor an .xlsx file")


def test_an_old_xls_or_encrypted_workbook_member() -> None:
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(500)
    refused(make_zip({"tb.xls": ole}), "tb.xls in exports.zip is a password-protected "
                                       "workbook or an old-style .xls workbook")


def test_an_empty_member() -> None:
    refused(make_zip({"contacts.csv": CONTACTS, "bills.csv": b""}),
            "bills.csv in exports.zip is empty")


def test_two_files_of_one_base_name_in_different_folders() -> None:
    refused(make_zip({"2025/contacts.csv": CONTACTS, "2026/contacts.csv": CONTACTS}),
            "exports.zip holds two files named contacts.csv "
            "(as 2025/contacts.csv and 2026/contacts.csv)")


def test_two_members_of_one_name() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("contacts.csv", CONTACTS)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("contacts.csv", INVOICES)
    refused(out.getvalue(), "two files named contacts.csv (twice)")
