"""Every way a provider upload can be wrong is refused precisely, over HTTP, with nothing
stored or attached: a file no layout claims (the closest named, with the columns it
lacked), two files giving the same records, a zip bomb, a zip in the zip, a file over the
size limits, a standalone import whose type disagrees with its layout. And what is read
but blocked: a report whose rows do not add up to its own totals, dates that read either
way without a stated order (stated with the upload, they read)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from harness.wizard import Wizard
from scripts.provider_files import ExportFile, ProviderExport, quickbooks_export, xero_export
from tests.support.zips import patch_directory
from tests.support.zips import zip_of as _zip


def _file(export: ProviderExport, name: str) -> ExportFile:
    return next(f for f in export.files if f.name == name)


async def _stored(db: asyncpg.Pool) -> tuple[int, int]:
    return (int(await db.fetchval("SELECT count(*) FROM uploads")),
            int(await db.fetchval("SELECT count(*) FROM imports")))


async def _refused(wizard: Wizard, db: asyncpg.Pool, migration: dict[str, Any],
                   files: list[tuple[str, bytes]], status: int, code: str) -> str:
    """The upload's refusal message, having checked that nothing was stored or attached."""
    before = await _stored(db)
    response = await wizard.upload_files(migration["id"], files)
    message = await wizard.error(response, status, code)
    assert await _stored(db) == before
    after = await wizard.ok("GET", f"/migrations/{migration['id']}")
    assert after["status"] == migration["status"]
    assert after["imports"] == migration["imports"]
    return message


async def test_a_file_no_layout_claims_refuses_the_whole_upload(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    export = xero_export()
    migration = await wizard.create("xero")
    invoices = _file(export, "Invoices.csv").data.decode("utf-8-sig")
    edited = invoices.replace("InvoiceAmountDue,", "AmountDue,", 1).encode()
    message = await _refused(wizard, db, migration, [
        ("Contacts.csv", _file(export, "Contacts.csv").data), ("Invoices.csv", edited)],
        400, "INVALID_FILE")
    assert message == (
        "Invoices.csv is not an export the wizard recognises. The closest is the Xero sales "
        "invoices export (xero.invoices), but its header row lacks the columns "
        "InvoiceAmountDue. Export the file again from the provider, unedited, and upload "
        "that.")
    # a QuickBooks report sent to a Xero migration is no Xero export either
    message = await _refused(wizard, db, migration, [
        ("tb.csv", _file(quickbooks_export(), "Trial Balance.csv").data)], 400, "INVALID_FILE")
    assert message.startswith("tb.csv is not an export the wizard recognises.")


async def test_two_files_giving_the_same_records_are_refused(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    export = xero_export()
    migration = await wizard.create("xero")
    tb = _file(export, "TrialBalance.xlsx").data
    message = await _refused(wizard, db, migration, [("TB.xlsx", tb), ("TB copy.xlsx", tb)],
                             400, "INVALID_FILE")
    assert message.startswith("TB.xlsx (xero.trial_balance) and TB copy.xlsx "
                              "(xero.trial_balance) both give balances")


async def test_hostile_zips_are_refused_before_anything_is_stored(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    export = quickbooks_export()
    migration = await wizard.create("quickbooks", currency="USD")
    good = {f.name: f.data for f in export.files}
    nested = _zip({**good, "more.zip": _zip({"x.csv": b"a,b\r\n"})})
    message = await _refused(wizard, db, migration, [("export.zip", nested)], 400,
                             "INVALID_FILE")
    assert "more.zip" in message
    # a member declaring 150 MB: over a file's limit inside a bundle, never inflated
    big = _zip({**good, "big.csv": b"a" * 1000})
    big = patch_directory(big, "big.csv", size=150 * 1024 * 1024)
    message = await _refused(wizard, db, migration, [("export.zip", big)], 400,
                             "INVALID_FILE")
    assert "big.csv" in message
    bomb = _zip({"Trial Balance.csv": b"\0" * (201 * 1024 * 1024)})
    message = await _refused(wizard, db, migration, [("export.zip", bomb)], 400,
                             "INVALID_FILE")
    assert "export.zip" in message


async def test_a_standalone_import_whose_type_disagrees_with_its_layout(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    bills = _file(xero_export(), "Bills.csv")
    before = await _stored(db)
    response = await wizard.import_csv("invoices", "Bills.csv", bills.data)
    message = await wizard.error(response, 400, "IMPORT_TYPE_MISMATCH")
    assert message.startswith("Bills.csv is a Xero bills export (xero.bills), which holds "
                              "bills, but the upload's type is invoices.")
    assert await _stored(db) == before
    response = await wizard.http.post("/imports", files={
        "file": ("Bills.csv", bills.data, "text/csv")})  # no type: recognised
    assert response.status_code == 202, response.text
    found = await wizard.wait_import(response.json()["id"])
    assert (found["type"], found["layout"], found["status"]) == (
        "bills", "xero.bills", "needs_review")


async def test_a_report_that_does_not_add_up_is_read_but_cannot_be_confirmed(
        wizard: Wizard) -> None:
    export = quickbooks_export()
    migration = await wizard.create("quickbooks", currency="USD")
    tb = _file(export, "Trial Balance.csv").data.decode()
    total = next(line for line in tb.split("\r\n") if line.startswith("TOTAL,"))
    edited = tb.replace(total, 'TOTAL,"$1.00","$1.00"').encode()
    response = await wizard.upload_files(migration["id"], [("Trial Balance.csv", edited)])
    assert response.status_code == 202, response.text
    balances = await wizard.wait_import(response.json()["uploads"]["balances"]["id"])
    assert balances["status"] == "needs_review"
    assert balances["blockers"][0].startswith(
        "REPORT_TOTAL_MISMATCH: in Trial Balance.csv, row ")
    assert "gives Debit $1.00, but the rows read add up to $" in balances["blockers"][0]
    refused = await wizard.http.post(f"/imports/{balances['id']}/confirm")
    message = await wizard.error(refused, 422, "IMPORT_NOT_CONFIRMABLE")
    assert "REPORT_TOTAL_MISMATCH" in message


async def test_dates_that_read_either_way_need_the_order_stated(wizard: Wizard) -> None:
    rows = ["Reference,Contact,Dated On,Total", "A1,Acme,03/04/2026,10.00",
            "A2,Acme,05/06/2026,12.00"]
    response = await wizard.import_csv("invoices", "us.csv", "\r\n".join(rows).encode())
    assert response.status_code == 202, response.text
    found = await wizard.wait_import(response.json()["id"])
    assert found["blockers"][0].startswith("DATE_ORDER_AMBIGUOUS: every text date in us.csv "
                                           "reads either way (for example '03/04/2026'")
    assert (found["createdCount"], found["errorCount"]) == (0, 2)
    response = await wizard.http.post("/imports", data={"type": "invoices", "dateOrder": "MDY"},
                                      files={"file": ("us.csv", "\r\n".join(rows).encode(),
                                                      "text/csv")})
    assert response.status_code == 202, response.text
    found = await wizard.wait_import(response.json()["id"])
    assert (found["blockers"], found["createdCount"], found["dateOrder"]) == ([], 2, "MDY")


@pytest.mark.parametrize("order", [None, "MDY"])
async def test_a_migrations_date_order_reaches_its_imports(wizard: Wizard,
                                                           order: str | None) -> None:
    fields = {"dateOrder": order} if order else {}
    migration = await wizard.create("xero", **fields)
    assert migration["dateOrder"] == order
    contacts = _file(xero_export(), "Contacts.csv")
    response = await wizard.upload_files(migration["id"], [(contacts.name, contacts.data)])
    assert response.status_code == 202, response.text
    assert response.json()["uploads"]["contacts"]["dateOrder"] == order
    # stated with an upload, it becomes the migration's
    response = await wizard.upload_files(migration["id"], [(contacts.name, contacts.data)],
                                         date_order="DMY")
    assert response.json()["migration"]["dateOrder"] == "DMY"
    assert response.json()["uploads"]["contacts"]["dateOrder"] == "DMY"


@pytest.mark.parametrize(("name", "data", "start"), [
    ("empty.csv", b"", "empty.csv is empty: it has no rows."),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
     "photo.png is neither UTF-8 nor Windows-1252"),
    ("Invoices.csv", b"ContactName,EmailAddress,InvoiceNumber,InvoiceDate,DueDate,Total,"
                     b"TaxTotal,InvoiceAmountPaid,InvoiceAmountDue,LineAmount,TaxAmount,"
                     b"Currency,Type,Status\r\n",
     "Invoices.csv has the header of the Xero sales invoices export (xero.invoices), but"),
])
async def test_empty_binary_and_header_only_files_are_refused(
        wizard: Wizard, db: asyncpg.Pool, name: str, data: bytes, start: str) -> None:
    migration = await wizard.create("xero")
    message = await _refused(wizard, db, migration, [(name, data)], 400, "INVALID_FILE")
    assert message.startswith(start), message


async def test_a_request_over_10_mb_is_refused_before_it_is_read(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    migration = await wizard.create("quickbooks", currency="USD")
    big = b"Customer full name,Email\r\n" + b"A,a@example.com\r\n" * 700_000
    assert len(big) > 10 * 1024 * 1024
    message = await _refused(wizard, db, migration, [("customers.csv", big)], 413,
                             "FILE_TOO_LARGE")
    assert "send the files in one .zip" in message


async def test_a_freeagent_migration_takes_one_workbook(wizard: Wizard,
                                                        db: asyncpg.Pool) -> None:
    migration = await wizard.create()
    message = await _refused(wizard, db, migration, [("a.xlsx", b"x"), ("b.xlsx", b"y")],
                             400, "INVALID_FILE")
    assert message == "A FreeAgent migration takes one file, the .xlsx export; 2 were sent."
