"""Messages that used to mislead (issue 19, point 6), each asserted on its exact text against
the real web process and workers: a JSON body sent without its Content-Type, a date not
written YYYY-MM-DD, malformed JSON (with its line and column), a workbook sent to POST
/imports, the gates while the deferred sheets wait, a second active migration, and the
wizard demo's statuses."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from harness.processes import create_key
from harness.wizard import Wizard
from scripts.demo_workbook import write_demo_workbook
from tests.support.workbooks import workbook

ROOT = Path(__file__).resolve().parents[2]
BODY = b'{"provider": "freeagent", "cutoverDate": "2026-09-30"}'


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("messages") / "export.xlsx"
    write_demo_workbook(path)
    return path


async def _stored(db: asyncpg.Pool, account: str) -> tuple[int, int]:
    return (int(await db.fetchval("SELECT count(*) FROM uploads WHERE account_id = $1",
                                  account)),
            int(await db.fetchval("SELECT count(*) FROM imports WHERE account_id = $1",
                                  account)))


@pytest.mark.parametrize(("headers", "sent"), [
    ({}, "this request has no Content-Type header"),
    ({"Content-Type": "text/plain; charset=utf-8"}, "this request's Content-Type is text/plain"),
    ({"Content-Type": "application/x-www-form-urlencoded"},
     "this request's Content-Type is application/x-www-form-urlencoded (what curl -d sends "
     "unless told otherwise)"),
])
async def test_a_json_body_without_its_content_type(wizard: Wizard, headers: dict[str, str],
                                                    sent: str) -> None:
    response = await wizard.http.post("/migrations", content=BODY, headers=headers)
    message = await wizard.error(response, 400, "INVALID_JSON")
    assert message == ("The request body must be JSON, sent with the header "
                       f"'Content-Type: application/json'; {sent}.")
    assert await wizard.ok("GET", "/migrations/active") is None
    # the same body, labelled, is taken
    await wizard.ok("POST", "/migrations", 201, content=BODY,
                    headers={"Content-Type": "application/json"})


async def test_a_date_not_written_yyyy_mm_dd_is_refused_saying_the_format(
        wizard: Wizard) -> None:
    us = await wizard.http.post("/migrations", json={"provider": "freeagent",
                                                     "cutoverDate": "09/30/2026"})
    assert await wizard.error(us, 422, "VALIDATION_ERROR") == (
        'Invalid request: cutoverDate must be a date written YYYY-MM-DD (e.g. 2026-09-30), '
        'not "09/30/2026".')
    number = await wizard.http.post("/migrations", json={"provider": "freeagent",
                                                         "cutoverDate": 20260930})
    assert await wizard.error(number, 422, "VALIDATION_ERROR") == (
        "Invalid request: cutoverDate must be a date written YYYY-MM-DD (e.g. 2026-09-30), "
        "not 20260930.")
    no_day = await wizard.http.post("/migrations", json={"provider": "freeagent",
                                                         "cutoverDate": "2026-02-30"})
    assert await wizard.error(no_day, 422, "VALIDATION_ERROR") == (
        'Invalid request: cutoverDate: "2026-02-30" is not a day of the calendar (day value '
        'is outside expected range).')
    assert await wizard.ok("GET", "/migrations/active") is None


async def test_malformed_json_is_refused_with_its_line_and_column(wizard: Wizard) -> None:
    body = b'{\n  "provider": "freeagent",\n  "cutoverDate": 2026-09-30\n}'
    response = await wizard.http.post("/migrations", content=body,
                                      headers={"Content-Type": "application/json"})
    assert await wizard.error(response, 400, "INVALID_JSON") == (
        "The request body is not valid JSON (Expecting ',' delimiter at line 3, column 22); "
        "send a JSON object.")
    cut = await wizard.http.post("/migrations", content=b'{"provider": ',
                                 headers={"Content-Type": "application/json"})
    assert await wizard.error(cut, 400, "INVALID_JSON") == (
        "The request body is not valid JSON (Expecting value at line 1, column 14); send a "
        "JSON object.")


async def test_a_workbook_sent_to_imports_is_said_to_be_one_and_where_it_goes(
        wizard: Wizard, demo: Path, db: asyncpg.Pool) -> None:
    before = await _stored(db, wizard.account)
    data = demo.read_bytes()
    for fields in ({"type": "contacts"}, None):  # "as a CSV" of contacts, and with no type
        response = await wizard.http.post("/imports", data=fields, files={
            "file": ("export.xlsx", data, "text/csv")})
        assert await wizard.error(response, 400, "INVALID_FILE") == (
            "export.xlsx is a FreeAgent export workbook (sheets Contacts, Trial Balance, "
            "Outstanding Invoices, Outstanding Bills), which POST /imports does not read: "
            "upload it to POST /migrations/{id}/upload-provider of a FreeAgent migration, "
            "which imports each sheet.")
    # a workbook of no provider's: the closest layout, then what a workbook must be here
    other = workbook([["Name", "Email"], ["Acme Ltd", "a@acme.example"]], title="People")
    response = await wizard.import_csv("contacts", "people.xlsx", other)
    message = await wizard.error(response, 400, "INVALID_FILE")
    assert message.startswith("people.xlsx is not an export the wizard recognises."), message
    assert message.endswith(
        " people.xlsx is an Excel workbook: POST /imports reads a workbook only when it is a "
        "Xero or QuickBooks export. A FreeAgent export workbook goes to POST /migrations/{id}"
        "/upload-provider; a file in the wizard's own columns must be a CSV (in Excel: File > "
        "Save As > CSV UTF-8), sent with its type."), message
    # a workbook cut short starts as a zip (PK\x03\x04): never read as a CSV's bytes
    cut = data[:len(data) // 2]
    assert cut.startswith(b"PK\x03\x04")
    for fields in ({"type": "contacts"}, None):
        response = await wizard.http.post("/imports", data=fields, files={
            "file": ("export.xlsx", cut, "text/csv")})
        assert await wizard.error(response, 400, "INVALID_FILE") == (
            "export.xlsx begins as a zip archive, as an Excel workbook (.xlsx) does, but "
            "cannot be read as one: it is damaged or cut short. Download or save it again "
            "and upload that.")
    assert await _stored(db, wizard.account) == before


async def test_the_gates_wait_for_the_deferred_sheets(wizard: Wizard, demo: Path) -> None:
    migration = await wizard.create()
    base = f"/migrations/{migration['id']}"
    uploaded = await wizard.upload_workbook(migration["id"], demo)
    assert uploaded.status_code == 202, uploaded.text
    for found in uploaded.json()["uploads"].values():
        await wizard.wait_import(found["id"])
        await wizard.confirm(found["id"])
    validation = await wizard.ok("POST", f"{base}/validate")
    gates = {g["code"]: (g["passed"], g["message"]) for g in validation["gates"]}
    waiting = ("Waiting for the deferred {} sheet '{}': once the balances are confirmed, "
               f"import it with POST {base}/upload-deferred, then confirm it.")
    assert gates["INVOICES_IMPORTED"] == (False, waiting.format("invoices",
                                                                "Outstanding Invoices"))
    assert gates["BILLS_IMPORTED"] == (False, waiting.format("bills", "Outstanding Bills"))
    reconciliation = (
        "Not checked yet: the workbook's deferred sheets 'Outstanding Invoices' and "
        "'Outstanding Bills' are not imported, and the trial balance is reconciled against "
        f"them. Import them with POST {base}/upload-deferred first.")
    assert gates["RECONCILIATION_VALID"] == (False, reconciliation)
    assert (validation["ready"], validation["status"]) == (False, "files_attached")
    dry = await wizard.http.post(f"{base}/execute", params={"dryRun": "true"})
    message = await wizard.error(dry, 422, "GATES_FAILED")
    assert f"RECONCILIATION_VALID: {reconciliation}" in message
    assert "trade debtors" not in message
    # imported and confirmed, every gate passes
    deferred = await wizard.ok("POST", f"{base}/upload-deferred", 202)
    for found in deferred["uploads"].values():
        await wizard.wait_import(found["id"])
        await wizard.confirm(found["id"])
    validation = await wizard.ok("POST", f"{base}/validate")
    assert validation["ready"] is True, validation


async def test_a_second_migration_is_refused_naming_the_active_one(wizard: Wizard) -> None:
    first = await wizard.create(provider="other")
    refused = await wizard.http.post("/migrations", json={"provider": "xero",
                                                          "cutoverDate": "2026-09-30"})
    assert await wizard.error(refused, 409, "MIGRATION_SINGLETON_VIOLATION") == (
        f"This account already has an active migration, {first['id']} (setup): finish it, "
        f"or abandon it with DELETE /migrations/{first['id']}, before starting another.")


async def test_the_wizard_demo_shows_each_import_confirmed(
        web: str, service_env: dict[str, str], worker: object) -> None:
    key = create_key(service_env, "acc_wiz_demo_" + uuid.uuid4().hex[:12])
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "scripts/wizard_demo.py", web, key], cwd=ROOT,
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    shown = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()
             if line.startswith("     ") and line.split()[0] in (
                 "contacts", "balances", "invoices", "bills")}
    assert shown == {"contacts": "confirmed:", "balances": "confirmed:",
                     "invoices": "confirmed:", "bills": "confirmed:"}, done.stdout
    assert "needs_review" not in done.stdout
