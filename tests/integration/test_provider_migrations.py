"""A Xero and a QuickBooks migration end to end, over HTTP with real workers: every export
file uploaded in one request (Xero's as repeated fields, QuickBooks' as one .zip), each
recognised by its content, imported, confirmed; the gates pass; the dry run and the execute
post exactly the figures the generator computed on its own; the proof names each file's
layout beside the SHA-256 of the bytes uploaded and the report totals it checked."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from typing import Any

import asyncpg
import pytest
from openpyxl import Workbook

from harness.processes import Proc
from harness.target import step_cursor
from harness.waits import eventually
from harness.wizard import Wizard
from scripts.provider_files import ProviderExport, quickbooks_export, xero_export, zip_export
from tests.support.workers import Workers
from worker.kinds.wizard_import.kind import FILE_ROW_OFFSET

LAYOUTS = {
    "xero": {"Contacts.csv": ("xero.contacts", "contacts"),
             "Invoices.csv": ("xero.invoices", "invoices"),
             "Bills.csv": ("xero.bills", "bills"),
             "TrialBalance.xlsx": ("xero.trial_balance", "balances")},
    "quickbooks": {"Customer Contact List.csv": ("quickbooks.customers", "contacts"),
                   "Vendor Contact List.csv": ("quickbooks.vendors", "contacts"),
                   "Trial Balance.csv": ("quickbooks.trial_balance", "balances"),
                   "A_R Aging Detail.csv": ("quickbooks.ar_aging_detail", "invoices"),
                   "A_P Aging Detail.csv": ("quickbooks.ap_aging_detail", "bills")},
}


def _counts(found: dict[str, Any]) -> tuple[int, int, int]:
    return found["createdCount"], found["skippedCount"], found["errorCount"]


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
async def test_a_providers_export_end_to_end(wizard: Wizard, db: asyncpg.Pool,
                                             provider: str) -> None:
    export: ProviderExport = xero_export() if provider == "xero" else quickbooks_export()
    expected = export.expected
    migration = await wizard.create(provider, currency=expected.currency)
    sent = ([(f.name, f.data) for f in export.files] if provider == "xero"
            else [("export.zip", zip_export(export))])
    uploaded = await wizard.upload_files(migration["id"], sent)
    assert uploaded.status_code == 202, uploaded.text
    body = uploaded.json()
    sha = {f.name: hashlib.sha256(f.data).hexdigest() for f in export.files}
    assert {f["name"]: (f["layout"], f["type"]) for f in body["files"]} == LAYOUTS[provider]
    assert all(f["sha256"] == sha[f["name"]] for f in body["files"])
    assert set(body["uploads"]) == {"contacts", "balances", "invoices", "bills"}
    assert body["migration"]["status"] == "preview_ready"
    imports = {t: await wizard.wait_import(i["id"]) for t, i in body["uploads"].items()}
    for found in imports.values():
        assert found["status"] == "needs_review", found
        assert (found["errors"], found["blockers"]) == ([], []), found
        assert found["mapping"], found
    assert _counts(imports["contacts"])[0] == expected.contacts
    assert _counts(imports["balances"]) == (expected.balances, 0, 0)
    assert _counts(imports["invoices"]) == (expected.invoices_created,
                                            expected.invoices_skipped, 0)
    assert _counts(imports["bills"]) == (expected.bills_created, expected.bills_skipped, 0)
    if provider == "quickbooks":  # two lists, one contacts import
        assert imports["contacts"]["layout"] == "quickbooks.customers + quickbooks.vendors"
        assert [f["filename"] for f in imports["contacts"]["files"]] == [
            "Customer Contact List.csv", "Vendor Contact List.csv"]
    for found in imports.values():
        await wizard.confirm(found["id"])
    validation = await wizard.ok("POST", f"/migrations/{migration['id']}/validate")
    assert validation["ready"] is True, validation
    dry = await wizard.ok("POST", f"/migrations/{migration['id']}/execute?dryRun=true")
    assert dry["reconciliation"]["totalDebits"] == expected.total_debits_minor
    done = await wizard.ok("POST", f"/migrations/{migration['id']}/execute")
    proof = done["reconciliation"]
    assert (proof["totalDebits"], proof["totalCredits"], proof["net"]) == (
        expected.total_debits_minor, expected.total_credits_minor, 0)
    assert proof["clearing"] == {"Debtors clearing": 0, "Creditors clearing": 0}
    files = {f["filename"]: f for f in proof["files"]}
    assert {name: (f["layout"], f["type"]) for name, f in files.items()} == LAYOUTS[provider]
    assert all(f["sha256"] == sha[name] for name, f in files.items())
    if provider == "quickbooks":  # one import, two files: each file's own count too
        assert [files[n]["fileRows"]["total"] for n in ("Customer Contact List.csv",
                                                          "Vendor Contact List.csv")] == [10, 5]
    reports = [f for f in files.values() if "reportTotals" in f]
    assert reports
    assert all(f["reportTotals"]["mismatched"] == 0 for f in reports)
    if provider == "xero":  # its balancing account, accepted as equity, shown
        assert [a["name"] for a in proof["balancingAccounts"]] == ["Historical Adjustment"]
    else:
        assert [a["name"] for a in proof["balancingAccounts"]] == ["Opening Balance Equity"]
    # credit notes reached the target as such, with what they take off the balance
    credits = await db.fetch(
        "SELECT d.kind, d.due_minor FROM target.documents d JOIN target.entities e "
        "ON e.id = d.entity_id WHERE e.source_migration_id = $1 AND d.due_minor < 0",
        migration["id"])
    assert credits
    assert {r["kind"] for r in credits} <= {"credit_note", "bill"}
    again = await wizard.ok("POST", f"/migrations/{migration['id']}/execute")
    assert again["reconciliation"] == proof


LINE_ITEM_HEADER: list[object] = [
    "Contact Organisation", "Contact Name", "Reference", "Date", "Payment Terms In Days",
    "Status", "Paid Date", "Paid Amount", "Net Amount", "Sales Tax Amount", "Total Value",
    "Currency", "Item Type", "Description", "Quantity", "Price"]


def _freeagent_workbook() -> bytes:
    """A FreeAgent workbook whose invoices sheet is FreeAgent's own: one row per invoice,
    then its line items. Open: INV-1 (120.00, 20.00 paid: 100.00 due) and INV-3 (60.00);
    INV-2 is a draft. Trade debtors are what is due: 160.00."""
    wb = Workbook()
    contacts = wb.active
    assert contacts is not None
    contacts.title = "Contacts"
    for name in ("Organisation", "Acme Ltd", "Zeta Ltd"):
        contacts.append([name])
    tb = wb.create_sheet("Trial Balance")
    rows: tuple[list[object], ...] = (["Nominal Code", "Account Name", "Debit", "Credit"],
                ["681", "Trade Debtors", 160.0, None], ["001", "Sales", None, 60.0],
                ["968", "Retained Earnings", None, 100.0])
    for row in rows:
        tb.append(row)
    invoices = wb.create_sheet("Invoices")
    invoices.append(LINE_ITEM_HEADER)
    blank: list[object] = [None] * 8
    lines: tuple[list[object], ...] = (
        ["Acme Ltd", "Ann", "INV-1", date(2026, 9, 1), 30, "Open", None, 20.0, 100.0, 20.0,
         120.0, "GBP", None, None, None, None],
        [*blank, 60.0, 12.0, None, None, "Services", "Consulting", 1.0, 60.0],
        [*blank, 40.0, 8.0, None, None, "Products", "Widgets", 4.0, 10.0],
        ["Zeta Ltd", None, "INV-2", date(2026, 9, 2), 30, "Draft", None, None, 10.0, 2.0,
         12.0, "GBP", None, None, None, None],
        [*blank, 10.0, 2.0, None, None, "Services", "Call", 1.0, 10.0],
        ["Zeta Ltd", None, "INV-3", "15/09/2026", 30, "Overdue", None, None, 50.0, 10.0,
         60.0, "GBP", None, None, None, None],
        [*blank, 50.0, 10.0, None, None, "Services", "Audit", 1.0, 50.0],
    )
    for row in lines:
        invoices.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


async def test_freeagents_own_invoices_sheet_end_to_end(wizard: Wizard) -> None:
    migration = await wizard.create()
    uploaded = await wizard.upload_files(migration["id"],
                                         [("freeagent.xlsx", _freeagent_workbook())])
    assert uploaded.status_code == 202, uploaded.text
    body = uploaded.json()
    assert [(f["layout"], f["type"]) for f in body["files"]] == [("freeagent.workbook", None)]
    for found in body["uploads"].values():
        assert (await wizard.wait_import(found["id"]))["status"] == "needs_review"
        await wizard.confirm(found["id"])
    deferred = await wizard.ok("POST", f"/migrations/{migration['id']}/upload-deferred", 202)
    invoices = await wizard.wait_import(deferred["uploads"]["invoices"]["id"])
    assert _counts(invoices) == (2, 1, 0)  # INV-2 a draft: skipped
    assert invoices["mapping"]["contact"] == "Contact Organisation"
    await wizard.confirm(invoices["id"])
    validation = await wizard.ok("POST", f"/migrations/{migration['id']}/validate")
    assert validation["ready"] is True, validation
    proof = (await wizard.ok("POST", f"/migrations/{migration['id']}/execute"))[
        "reconciliation"]
    # the trial balance's 160.00 a side, and each open invoice's due once on each side
    assert (proof["totalDebits"], proof["totalCredits"]) == (16000 + 16000, 16000 + 16000)


def _contact_list(title: str, header: str, names: list[str]) -> bytes:
    lines = ["Bayside Cycles LLC", title, "", header,
             *[f"{name},,{name.lower().replace(' ', '.')}@example.com,,," for name in names],
             "", "\"Wednesday, October 7, 2026 09:41 AM GMT-07:00\""]
    return ("\r\n".join(lines) + "\r\n").encode()


async def test_a_two_file_import_killed_in_its_second_file_stages_each_row_once(
        wizard: Wizard, db: asyncpg.Pool, workers: Workers, rescuer: Proc) -> None:
    """The customers' list, then the vendors': killed once a page of the second file is
    staged (its rows FILE_ROW_OFFSET apart from the first's), the import resumes at its
    cursor; every row is staged once, a vendor that is also a customer is skipped once."""
    customers = [f"Customer {i}" for i in range(12_000)]
    vendors = [f"Vendor {i}" for i in range(30_000)] + ["Customer 7"]
    migration = await wizard.create("quickbooks", currency="USD")
    response = await wizard.upload_files(migration["id"], [
        ("customers.csv", _contact_list(
            "Customer Contact List",
            "Customer full name,Phone numbers,Email,Full name,Bill address,Ship address",
            customers)),
        ("vendors.csv", _contact_list(
            "Vendor Contact List", "Vendor,Phone numbers,Email,Full name,Address,Account #",
            vendors))])
    assert response.status_code == 202, response.text
    import_id = response.json()["uploads"]["contacts"]["id"]
    job_id = await db.fetchval("SELECT job_id FROM imports WHERE id = $1", import_id)

    async def in_second_file() -> bool:
        return await step_cursor(db, job_id, 1) > FILE_ROW_OFFSET

    await eventually(in_second_file, "a page of the second file staged", timeout=60)
    async with db.acquire() as conn, conn.transaction():
        await conn.execute("LOCK TABLE staging.import_rows IN ACCESS EXCLUSIVE MODE")
        staged_before = await step_cursor(db, job_id, 1)
        await workers.kill_holder(db, job_id)
    done = await wizard.wait_import(import_id, timeout=90)
    total = len(customers) + len(vendors)
    assert (done["status"], done["totalRows"], done["createdCount"], done["skippedCount"],
            done["errorCount"]) == ("needs_review", total, total - 1, 1, 0)
    staged = await db.fetch("SELECT row_number, skipped FROM staging.import_rows "
                            "WHERE import_id = $1 ORDER BY row_number", import_id)
    assert len(staged) == total
    assert [r["skipped"] for r in staged if r["skipped"]] == [
        "duplicate of row 12 of the import's file 1"]  # Customer 7: line 12 of customers.csv
    runs = await db.fetch("SELECT step_number, attempts FROM migration_step_runs "
                          "WHERE job_id = $1 ORDER BY step_number", job_id)
    assert [(r["step_number"], r["attempts"]) for r in runs] == [(1, 2), (2, 1)]
    assert FILE_ROW_OFFSET < staged_before < FILE_ROW_OFFSET + len(vendors)


async def test_files_sent_one_upload_at_a_time_each_attach_their_own_type(
        wizard: Wizard) -> None:
    export = xero_export()
    files = {f.name: f.data for f in export.files}
    migration = await wizard.create("xero")
    first = await wizard.upload_files(migration["id"], [("Contacts.csv", files["Contacts.csv"])])
    assert first.status_code == 202, first.text
    contacts = first.json()["uploads"]["contacts"]["id"]
    second = await wizard.upload_files(migration["id"], [
        ("TrialBalance.xlsx", files["TrialBalance.xlsx"])])
    assert second.status_code == 202, second.text
    imports = second.json()["migration"]["imports"]
    assert imports["contacts"]["id"] == contacts  # still attached
    assert imports["balances"]["id"] == second.json()["uploads"]["balances"]["id"]
    assert second.json()["migration"]["status"] == "preview_ready"
    again = await wizard.upload_files(migration["id"], [("Contacts.csv", files["Contacts.csv"])])
    assert again.json()["migration"]["imports"]["contacts"]["id"] != contacts  # replaced
