"""Every wizard request that can be wrong is refused with its status, code and a message that
says what to do, and nothing is attached or written: bad workbooks (not .xlsx, too large, a
zip bomb, macros, a missing sheet), cash VAT, bad cutover dates, a second active migration
(also when creates race), execute before validate, abandoning what cannot be, an unbalanced
trial balance confirmed, imports of the wrong type or of another account attached, another
account's migrations and imports."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from harness.processes import create_key
from harness.wizard import XLSX, Wizard
from scripts.demo_workbook import write_demo_workbook
from tests.support.zips import zip_of as _zip

CONTACTS_CSV = b"Organisation,Email\r\nAcme Ltd,a@acme.example\r\n"


def _without_sheet(path: Path, sheet_file: str) -> bytes:
    """The demo workbook, its Trial Balance sheet removed from the workbook part."""
    with zipfile.ZipFile(path) as source:
        members = {n: source.read(n) for n in source.namelist()}
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        b'name="Trial Balance"', b'name="Balances sheet"')
    return _zip(members)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("refusals") / "export.xlsx"
    write_demo_workbook(path)
    return path


async def _uploads(db: asyncpg.Pool) -> int:
    return int(await db.fetchval("SELECT count(*) FROM uploads"))


async def test_bad_workbooks_are_refused_and_nothing_is_attached(
        wizard: Wizard, demo: Path, db: asyncpg.Pool) -> None:
    migration = await wizard.create()
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"\0" * (201 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024  # small on the wire, 201 MB inflated
    macro = _zip({"[Content_Types].xml": b'<Types><Override ContentType="application/'
                  b'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
                  "xl/workbook.xml": b"<workbook/>", "xl/vbaProject.bin": b"x"})
    cases = [
        (b"Name,Email\nnot a workbook\n", "export.xlsx", 400, "INVALID_FILE", ".xlsx"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512, "export.xlsx", 400,
         "INVALID_FILE", "encrypted"),
        (bomb, "export.xlsx", 400, "INVALID_FILE", "200 MB"),
        (macro, "export.xlsm", 400, "INVALID_FILE", "macro"),
        (_without_sheet(demo, "Trial Balance"), "export.xlsx", 400, "MISSING_SHEETS",
         "Trial Balance"),
        (b"x" * (10 * 1024 * 1024 + 1), "export.xlsx", 413, "FILE_TOO_LARGE", "10 MB"),
    ]
    before = await _uploads(db)
    for content, name, status, code, fragment in cases:
        response = await wizard.http.post(f"/migrations/{migration['id']}/upload-provider",
                                          files={"file": (name, content, XLSX)})
        message = await wizard.error(response, status, code)
        assert fragment in message, (code, message)
    assert await _uploads(db) == before
    after = await wizard.ok("GET", f"/migrations/{migration['id']}")
    assert after["status"] == "setup"
    assert set(after["imports"].values()) == {None}


async def test_cash_vat_and_bad_cutover_dates(wizard: Wizard) -> None:
    assert (await wizard.ok("GET", "/account"))["vatScheme"] == "standard"
    assert (await wizard.ok("PATCH", "/account", json={"vatScheme": "cash"}))[
        "vatScheme"] == "cash"
    refused = await wizard.http.post("/migrations", json={"provider": "freeagent",
                                                          "cutoverDate": "2026-09-30"})
    assert "cash" in await wizard.error(refused, 422, "CASH_VAT_NOT_SUPPORTED")
    await wizard.ok("PATCH", "/account", json={"vatScheme": "flat_rate"})
    for cutover, fragment in (("2026-09-15", "last day of a month"),
                              ("2099-12-31", "in the future")):
        response = await wizard.http.post("/migrations", json={"provider": "freeagent",
                                                               "cutoverDate": cutover})
        assert fragment in await wizard.error(response, 422, "INVALID_CUTOVER_DATE")
    bad = await wizard.http.post("/migrations", json={"provider": "sage",
                                                      "cutoverDate": "30/09/2026"})
    message = await wizard.error(bad, 422, "VALIDATION_ERROR")
    assert "provider" in message
    assert "cutoverDate" in message
    scheme = await wizard.http.patch("/account", json={"vatScheme": "weekly"})
    await wizard.error(scheme, 422, "VALIDATION_ERROR")
    assert await wizard.ok("GET", "/migrations/active") is None


async def test_one_active_migration_even_when_creates_race(wizard: Wizard) -> None:
    body = {"provider": "other", "cutoverDate": "2026-08-31"}
    responses = await asyncio.gather(*(wizard.http.post("/migrations", json=body)
                                       for _ in range(5)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    for refused in (r for r in responses if r.status_code == 409):
        assert "abandon" in await wizard.error(refused, 409, "MIGRATION_SINGLETON_VIOLATION")
    first = next(r.json() for r in responses if r.status_code == 201)
    abandoned = await wizard.ok("DELETE", f"/migrations/{first['id']}")
    assert abandoned["status"] == "abandoned"
    again = await wizard.http.delete(f"/migrations/{first['id']}")
    assert "abandoned" in await wizard.error(again, 422, "INVALID_TRANSITION")
    second = await wizard.create(provider="other", cutover="2026-08-31")
    history = await wizard.ok("GET", "/migrations/history")
    assert [m["id"] for m in history["data"]] == [second["id"], first["id"]]


async def test_history_shows_the_newest_fifty(wizard: Wizard) -> None:
    made = []
    for _ in range(52):
        made.append((await wizard.create(provider="other"))["id"])
        await wizard.ok("DELETE", f"/migrations/{made[-1]}")
    history = (await wizard.ok("GET", "/migrations/history"))["data"]
    assert [m["id"] for m in history] == made[::-1][:50]
    assert {m["status"] for m in history} == {"abandoned"}
    assert await wizard.ok("GET", "/migrations/active") is None


async def test_execute_before_validate(wizard: Wizard) -> None:
    migration = await wizard.create(provider="other")
    response = await wizard.http.post(f"/migrations/{migration['id']}/execute")
    assert "validate" in await wizard.error(response, 422, "INVALID_TRANSITION")
    dry = await wizard.http.post(f"/migrations/{migration['id']}/execute",
                                 params={"dryRun": "true"})
    assert "CONTACTS_CONFIRMED" in await wizard.error(dry, 422, "GATES_FAILED")
    deferred = await wizard.http.post(f"/migrations/{migration['id']}/upload-deferred")
    await wizard.error(deferred, 422, "BALANCES_NOT_CONFIRMED")
    automated = await wizard.upload_workbook(migration["id"], Path(__file__))
    assert "CSV" in await wizard.error(automated, 422, "PROVIDER_NOT_AUTOMATED")
    several = await wizard.upload_files(migration["id"], [("a.csv", b"x"), ("b.csv", b"y")])
    assert "CSV" in await wizard.error(several, 422, "PROVIDER_NOT_AUTOMATED")


async def _imported(wizard: Wizard, import_type: str, content: bytes) -> dict[str, Any]:
    response = await wizard.import_csv(import_type, f"{import_type}.csv", content)
    assert response.status_code == 202, response.text
    return dict(await wizard.wait_import(response.json()["id"]))


async def test_a_trial_balance_that_does_not_balance_cannot_be_confirmed(
        wizard: Wizard) -> None:
    off = await _imported(wizard, "balances", (
        b"Code,Name,Debit,Credit\n1200,Bank,1001.00,\n3000,Capital,,1000.00\n"))
    assert off["status"] == "needs_review"
    assert any("£1.00" in b for b in off["blockers"]), off["blockers"]
    confirm = await wizard.http.post(f"/imports/{off['id']}/confirm")
    assert "£1.00" in await wizard.error(confirm, 422, "IMPORT_NOT_CONFIRMABLE")
    assert (await wizard.ok("GET", f"/imports/{off['id']}"))["status"] == "needs_review"
    near = await _imported(wizard, "balances", (
        b"Code,Name,Debit,Credit\n1200,Bank,1000.03,\n3000,Capital,,1000.00\n"))
    assert near["blockers"] == []
    assert near["summary"]["roundingMinor"] == 3
    assert (await wizard.confirm(near["id"]))["status"] == "confirmed"
    no_equity = await _imported(wizard, "balances", (
        b"Code,Name,Debit,Credit\n1200,Bank,10.00,\n2100,Loan,,10.00\n"))
    assert any("retained earnings" in b.lower() for b in no_equity["blockers"])


async def test_attaching_the_wrong_imports_changes_nothing(
        wizard: Wizard, web: str, service_env: dict[str, str]) -> None:
    migration = await wizard.create(provider="other")
    contacts = await _imported(wizard, "contacts", CONTACTS_CSV)
    wrong_type = await wizard.http.post(f"/migrations/{migration['id']}/upload",
                                        json={"invoicesImportId": contacts["id"]})
    assert "contacts import" in await wizard.error(wrong_type, 422, "INVALID_IMPORT")
    other = Wizard(web, create_key(service_env, "acc_wiz_other_owner"), "acc_wiz_other_owner")
    try:
        theirs = await _imported(other, "contacts", CONTACTS_CSV)
        foreign = await wizard.http.post(f"/migrations/{migration['id']}/upload",
                                         json={"contactsImportId": theirs["id"]})
        assert theirs["id"] in await wizard.error(foreign, 422, "INVALID_IMPORT")
        # and the other account sees nothing of ours
        for path in (f"/migrations/{migration['id']}", f"/imports/{contacts['id']}"):
            code = "MIGRATION_NOT_FOUND" if "migrations" in path else "IMPORT_NOT_FOUND"
            await other.error(await other.http.get(path), 404, code)
        await other.error(await other.http.post(f"/imports/{contacts['id']}/confirm"), 404,
                          "IMPORT_NOT_FOUND")
        await other.error(await other.http.delete(f"/migrations/{migration['id']}"), 404,
                          "MIGRATION_NOT_FOUND")
    finally:
        await other.aclose()
    unchanged = await wizard.ok("GET", f"/migrations/{migration['id']}")
    assert (unchanged["status"], set(unchanged["imports"].values())) == ("setup", {None})
    attached = await wizard.ok("POST", f"/migrations/{migration['id']}/upload",
                               json={"contactsImportId": contacts["id"]})
    assert attached["status"] == "files_attached"
    detached = await wizard.ok("POST", f"/migrations/{migration['id']}/upload",
                               json={"contactsImportId": None})
    assert detached["status"] == "setup"


async def test_a_csv_that_is_not_utf8_is_refused(wizard: Wizard, db: asyncpg.Pool) -> None:
    before = await _uploads(db)
    response = await wizard.import_csv("contacts", "latin1.csv",
                                       "Organisation\nCafé Zürich\n".encode("latin-1"))
    message = await wizard.error(response, 400, "INVALID_FILE")
    assert "UTF-8" in message
    assert "line 2" in message
    assert await _uploads(db) == before


async def test_cash_vat_set_after_creation_is_refused_at_every_later_step(
        wizard: Wizard, demo: Path, db: asyncpg.Pool) -> None:
    """The account's scheme may change after the migration was created: validate, the dry
    run and execute refuse it too, and nothing is written."""
    migration = await wizard.ready_migration(demo)
    await wizard.ok("PATCH", "/account", json={"vatScheme": "cash"})
    entities = await db.fetchval("SELECT count(*) FROM target.entities")
    base = f"/migrations/{migration['id']}"
    for method, path in (("POST", f"{base}/validate"), ("POST", f"{base}/execute?dryRun=true"),
                         ("POST", f"{base}/execute")):
        response = await wizard.http.request(method, path)
        assert "cash" in await wizard.error(response, 422, "CASH_VAT_NOT_SUPPORTED")
    after = await wizard.ok("GET", base)
    assert (after["status"], after["entityId"]) == ("ready_to_execute", None)
    assert await db.fetchval("SELECT count(*) FROM target.entities") == entities
    await wizard.ok("PATCH", "/account", json={"vatScheme": "standard"})
    done = await wizard.ok("POST", f"{base}/execute")
    assert done["status"] == "completed"


@pytest.mark.parametrize(("content_type", "body"), [
    ("multipart/form-data; boundary=xyz", b"this is not multipart at all"),
    ("multipart/form-data", b"--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"),
    ("multipart/form-data; boundary=xyz",
     b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nA,B\r\n"),
])
async def test_a_broken_multipart_body_is_an_upload_error(
        wizard: Wizard, db: asyncpg.Pool, content_type: str, body: bytes) -> None:
    response = await wizard.http.post("/imports", content=body,
                                      headers={"Content-Type": content_type})
    message = await wizard.error(response, 400, "INVALID_UPLOAD")
    assert "multipart/form-data" in message, message
    assert "'file'" in message, message
    assert not await db.fetchval("SELECT count(*) FROM uploads WHERE account_id = $1",
                                 wizard.account)
