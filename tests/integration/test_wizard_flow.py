"""The seed's worked example, end to end, over HTTP with real workers: a FreeAgent workbook
(aliases, a title row, blank rows, unicode names, text and number money, three date forms)
goes through upload, review, deferred sheets, validate, a dry run and the execute; the
proof's totals equal an independent reading of the workbook; a second execute changes
nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest

from harness.wizard import Wizard, expected_proof
from scripts.demo_workbook import write_demo_workbook

TARGET_TABLES = ("entities", "taxes", "tax_rates", "customers", "items", "documents",
                 "document_lines", "payments", "ledger_accounts", "journal_entries",
                 "journal_lines")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wizard") / "freeagent-export.xlsx"
    write_demo_workbook(path)
    return path


async def _target_counts(db: asyncpg.Pool) -> dict[str, int]:
    return {t: int(await db.fetchval(f"SELECT count(*) FROM target.{t}"))
            for t in TARGET_TABLES}


async def test_the_seeds_worked_example(wizard: Wizard, workbook: Path,
                                        db: asyncpg.Pool) -> None:
    # 1. create the migration
    migration = await wizard.create()
    assert (migration["status"], migration["cutoverDate"]) == ("setup", "2026-09-30")
    assert (await wizard.ok("GET", "/migrations/active"))["id"] == migration["id"]
    # 2-3. upload the export: contacts and trial balance are imported by workers
    uploaded = await wizard.upload_workbook(migration["id"], workbook)
    assert uploaded.status_code == 202, uploaded.text
    body = uploaded.json()
    assert [(s["name"], s["type"]) for s in body["sheets"]] == [
        ("Contacts", "contacts"), ("Trial Balance", "balances"),
        ("Outstanding Invoices", "invoices"), ("Outstanding Bills", "bills"), ("Notes", None)]
    assert set(body["uploads"]) == {"contacts", "balances"}
    assert body["migration"]["status"] == "files_attached"  # invoices and bills deferred
    assert body["migration"]["deferredSheets"] == {"invoices": "Outstanding Invoices",
                                                   "bills": "Outstanding Bills"}
    # 4-5. review and confirm contacts and opening balances
    contacts = await wizard.wait_import(body["uploads"]["contacts"]["id"])
    balances = await wizard.wait_import(body["uploads"]["balances"]["id"])
    assert _counts(contacts) == (10, 10, 0, 0)
    assert _counts(balances) == (12, 12, 0, 0)
    assert contacts["errors"] == []
    assert balances["blockers"] == []
    deferred_early = await wizard.http.post(
        f"/migrations/{migration['id']}/upload-deferred")
    assert deferred_early.json()["error"]["code"] == "BALANCES_NOT_CONFIRMED"
    await wizard.confirm(contacts["id"])
    assert (await wizard.confirm(balances["id"]))["status"] == "confirmed"
    # 6. the deferred sheets
    deferred = await wizard.ok("POST", f"/migrations/{migration['id']}/upload-deferred", 202)
    invoices = await wizard.wait_import(deferred["uploads"]["invoices"]["id"])
    bills = await wizard.wait_import(deferred["uploads"]["bills"]["id"])
    assert _counts(invoices) == (6, 6, 0, 0)
    assert _counts(bills) == (3, 3, 0, 0)
    assert deferred["migration"]["status"] == "preview_ready"
    again = await wizard.ok("POST", f"/migrations/{migration['id']}/upload-deferred")
    assert again["uploads"] == {}  # nothing left to defer: a no-op
    await wizard.confirm(invoices["id"])
    await wizard.confirm(bills["id"])
    # 7. validate
    validation = await wizard.ok("POST", f"/migrations/{migration['id']}/validate")
    assert [(g["code"], g["passed"]) for g in validation["gates"]] == [
        ("CONTACTS_CONFIRMED", True), ("BALANCES_CONFIRMED", True),
        ("INVOICES_IMPORTED", True), ("BILLS_IMPORTED", True), ("CONTACTS_RESOLVED", True),
        ("RECONCILIATION_VALID", True)]
    assert (validation["ready"], validation["status"]) == (True, "ready_to_execute")
    # a dry run writes nothing and changes nothing
    before = await _target_counts(db)
    rehearsal = await wizard.ok("POST", f"/migrations/{migration['id']}/execute",
                                params={"dryRun": "true"})
    assert await _target_counts(db) == before
    assert (await wizard.ok("GET", f"/migrations/{migration['id']}"))["status"] == (
        "ready_to_execute")
    assert rehearsal["dryRun"] is True
    assert sum(line["debit"] for line in rehearsal["journal"]) == (
        rehearsal["reconciliation"]["totalDebits"])
    # 8. execute
    executed = await wizard.ok("POST", f"/migrations/{migration['id']}/execute")
    proof = executed["reconciliation"]
    assert executed["status"] == "completed"
    want = expected_proof(workbook)
    assert (proof["totalDebits"], proof["totalCredits"], proof["net"]) == (
        want.total_debits, want.total_credits, 0)
    assert proof["clearing"] == {"Debtors clearing": 0, "Creditors clearing": 0}
    assert proof == rehearsal["reconciliation"]  # the rehearsal was the real thing
    assert {f["type"]: f["rows"]["total"] for f in proof["files"]} == {
        "contacts": 10, "balances": 12, "invoices": 6, "bills": 3}
    assert all(len(f["sha256"]) == 64 and f["filename"] == workbook.name
               for f in proof["files"])
    # 9. verify; and an execute again returns the same proof and writes nothing
    done = await wizard.ok("GET", f"/migrations/{migration['id']}")
    assert (done["status"], done["reconciliation"]) == ("completed", proof)
    after = await _target_counts(db)
    assert after["entities"] == before["entities"] + 1
    assert after["customers"] == before["customers"] + 10
    assert after["documents"] == before["documents"] + 9
    repeat = await wizard.ok("POST", f"/migrations/{migration['id']}/execute")
    assert repeat["reconciliation"] == proof
    assert await _target_counts(db) == after
    assert await wizard.ok("GET", "/migrations/active") is None
    history = await wizard.ok("GET", "/migrations/history")
    assert [m["id"] for m in history["data"]] == [migration["id"]]
    entity = done["entityId"]
    balanced = await db.fetchval(
        "SELECT bool_and(d = c) FROM (SELECT sum(l.debit_minor) d, sum(l.credit_minor) c "
        "FROM target.journal_lines l JOIN target.journal_entries e ON e.id = l.entry_id "
        "WHERE e.entity_id = $1 GROUP BY e.id) x", entity)
    assert balanced is True
    # 10. the same books again: what the account's target has is skipped, by name for
    # contacts and by number for documents
    second = await wizard.create()
    body = (await wizard.upload_workbook(second["id"], workbook)).json()
    contacts = await wizard.wait_import(body["uploads"]["contacts"]["id"])
    assert _counts(contacts) == (10, 0, 10, 0)
    await wizard.confirm(body["uploads"]["balances"]["id"])
    deferred = await wizard.ok("POST", f"/migrations/{second['id']}/upload-deferred", 202)
    assert _counts(await wizard.wait_import(deferred["uploads"]["invoices"]["id"])) == (
        6, 0, 6, 0)
    assert _counts(await wizard.wait_import(deferred["uploads"]["bills"]["id"])) == (
        3, 0, 3, 0)
    assert await db.fetchval(
        "SELECT count(DISTINCT skipped) FROM staging.import_rows WHERE import_id = $1",
        contacts["id"]) == 1  # 'already in the account', every row


def _counts(found: dict[str, Any]) -> tuple[int, int, int, int]:
    assert found["status"] == "needs_review", found
    return (found["totalRows"], found["createdCount"], found["skippedCount"],
            found["errorCount"])
