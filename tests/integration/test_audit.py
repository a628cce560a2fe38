"""The audit log (issue 20; spec/security.md "Keys and audit"): an entry for each action with
who, what, when and from where, written in the action's transaction (none for a refused or
rolled-back action); append-only for the service's role; read by operators at /ops/audit
with filters and paging."""

from __future__ import annotations

import asyncio
import getpass
import hashlib
import socket
import subprocess
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from harness.api import Api
from harness.processes import python_module
from harness.wizard import Wizard
from legacy_sim.orgs import ORGS, SMALL
from worker.kinds.wizard_import.enqueue import store_upload
from worker.store import audit

CONTACTS = b"Organisation,Email\nAda Ltd,ada@example.com\n"


async def _entries(ops: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await ops.get("/ops/audit", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(python_module("api_stub", *args), env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def test_key_actions_name_who_did_them(ops: httpx.AsyncClient, operator_key: str,
                                             service_env: dict[str, str]) -> None:
    account = "acc_audit_keys_" + uuid.uuid4().hex[:6]
    key = _cli(service_env, "create-key", "--account", account, "--label", "billing sync")
    (created,) = await _entries(ops, action="key.created", account=account)
    assert created["actor"] == "cli"
    assert created["key_label"] == f"{getpass.getuser()}@{socket.gethostname()}"
    assert created["details"]["key_prefix"] == key[:10]
    assert created["details"]["label"] == "billing sync"
    assert created["details"]["accounts"] == [account]
    key_id = created["subject"]

    rotated = await ops.post(f"/ops/keys/{key_id}/rotate", json={"grace_seconds": 60})
    assert rotated.status_code == 200, rotated.text
    twice = await ops.post(f"/ops/keys/{key_id}/rotate")  # refused: no second successor
    assert (twice.status_code, twice.json()["error"]["code"]) == (409,
                                                                  "API_KEY_ALREADY_ROTATED")
    revoked = await ops.post(f"/ops/keys/{key_id}/revoke")
    assert revoked.status_code == 200, revoked.text
    again = await ops.post(f"/ops/keys/{key_id}/rotate")  # refused: no entry
    assert again.status_code == 409
    idle = await ops.post(f"/ops/keys/{key_id}/revoke")  # revoked already: no change
    assert idle.json()["revoked_at"] == revoked.json()["revoked_at"]
    entries = await _entries(ops, subject=key_id)
    assert [e["action"] for e in entries] == ["key.revoked", "key.rotated", "key.created"]
    revoke, rotate = entries[0], entries[1]
    for entry in (revoke, rotate):
        assert entry["actor"] == "operator"
        assert entry["key_prefix"] == operator_key[:10]
        assert entry["address"] == "127.0.0.1"
    assert rotate["details"]["new_key_prefix"] == rotated.json()["key"][:10]
    assert rotate["details"]["grace_ends"]
    # no entry holds a key, only prefixes
    assert key not in str(entries)
    assert rotated.json()["key"] not in str(entries)


async def test_migrations_and_uploads_are_recorded_refusals_are_not(
        ops: httpx.AsyncClient, wizard: Wizard) -> None:
    migration = await wizard.create(provider="xero")
    refused = await wizard.http.post("/migrations", json={"provider": "xero",
                                                          "cutoverDate": "2026-09-30"})
    assert refused.status_code == 409
    uploaded = await wizard.import_csv("contacts", "contacts.csv", CONTACTS)
    assert uploaded.status_code == 202, uploaded.text
    await wizard.ok("DELETE", f"/migrations/{migration['id']}")
    entries = [e for e in await _entries(ops, account=wizard.account)
               if not e["action"].startswith("key.")]  # the fixture's own key
    assert [e["action"] for e in entries] == ["migration.abandoned", "upload.stored",
                                              "migration.created"]
    assert {e["actor"] for e in entries} == {"account"}
    assert {e["address"] for e in entries} == {"127.0.0.1"}
    upload = entries[1]
    assert upload["details"]["sha256"] == hashlib.sha256(CONTACTS).hexdigest()
    assert (upload["details"]["filename"], upload["details"]["bytes"]) == (
        "contacts.csv", len(CONTACTS))
    assert entries[2]["details"]["provider"] == "xero"
    assert entries[0]["subject"] == entries[2]["subject"] == migration["id"]


async def test_two_racing_creates_leave_one_entry(ops: httpx.AsyncClient,
                                                  wizard: Wizard) -> None:
    answers = await asyncio.gather(*(wizard.http.post(
        "/migrations", json={"provider": "quickbooks", "cutoverDate": "2026-09-30"})
        for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    created = await _entries(ops, account=wizard.account, action="migration")
    assert [e["subject"] for e in created] == [
        next(a.json()["id"] for a in answers if a.status_code == 201)]


async def test_legacy_job_created_and_a_refused_cancel(ops: httpx.AsyncClient,
                                                       api: Api) -> None:
    job = await api.start(ORGS[SMALL].id)
    await api.wait_for(job["id"])
    finished = await api.http.delete(f"/legacy-migration/jobs/{job['id']}")
    assert finished.status_code == 409  # refused: it had ended, so no entry
    (created,) = await _entries(ops, subject=job["id"])
    assert (created["action"], created["actor"], created["details"]) == (
        "job.created", "account", {"kind": "legacy_migration"})
    assert created["key_prefix"] == api.http.headers["Authorization"][7:17]


async def test_an_action_rolled_back_leaves_no_entry(db: asyncpg.Pool) -> None:
    account = "acc_audit_rollback_" + uuid.uuid4().hex[:6]
    await db.execute("INSERT INTO accounts (id) VALUES ($1)", account)
    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        upload_id = await store_upload(conn, account_id=account, filename="a.csv",
                                       file_format="csv", data=CONTACTS, by=audit.SERVICE)
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE subject = $1",
                                   upload_id) == 1
        await transaction.rollback()
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE subject = $1",
                             upload_id) == 0
    assert await db.fetchval("SELECT count(*) FROM uploads WHERE id = $1",
                             upload_id) == 0


async def test_the_log_is_append_only_but_for_the_purge(db: asyncpg.Pool) -> None:
    await audit.record(db, audit.SERVICE, "test.old_entry", subject="audit_append_only")
    await db.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    try:  # made old here, as only a test can: the service cannot
        await db.execute("UPDATE audit_log SET at = now() - interval '10 years' "
                         "WHERE subject = 'audit_append_only'")
    finally:
        await db.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    await audit.record(db, audit.SERVICE, "test.new_entry", subject="audit_append_only")
    for statement in ("UPDATE audit_log SET action = 'x.y' WHERE subject = "
                      "'audit_append_only'",
                      "DELETE FROM audit_log WHERE subject = 'audit_append_only'",
                      "TRUNCATE audit_log"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await db.execute(statement)
    removed = await db.fetchval("SELECT audit_log_purge(now() - interval '9 years', 1000)")
    assert removed >= 1
    left = await db.fetch("SELECT action FROM audit_log WHERE subject = 'audit_append_only'")
    assert [r["action"] for r in left] == ["test.new_entry"]
    # the purge's mark does not outlive its call
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await db.execute("DELETE FROM audit_log WHERE subject = 'audit_append_only'")


async def test_filters_and_paging(ops: httpx.AsyncClient, db: asyncpg.Pool,
                                  api_key: str, web: str) -> None:
    subject = "audit_paging_" + uuid.uuid4().hex[:6]
    for n in range(7):
        await audit.record(db, audit.SERVICE, f"test.{'odd' if n % 2 else 'even'}",
                           subject=subject, details={"n": n})
    seen: list[int] = []
    before = None
    while True:
        response = await ops.get("/ops/audit", params={
            "subject": subject, "limit": 3, **({"before": before} if before else {})})
        page = response.json()
        seen += [e["details"]["n"] for e in page["data"]]
        if not page["has_more"]:
            assert page["next_before"] is None
            break
        before = page["next_before"]
    assert seen == [6, 5, 4, 3, 2, 1, 0]
    odd = await _entries(ops, subject=subject, action="test.odd")
    assert [e["details"]["n"] for e in odd] == [5, 3, 1]
    family = await _entries(ops, subject=subject, action="test")
    assert len(family) == 7
    bad = await ops.get("/ops/audit", params={"action": "DROP TABLE"})
    assert bad.status_code == 422
    async with httpx.AsyncClient(base_url=web, timeout=30) as http:
        refused = await http.get("/ops/audit",
                                 headers={"Authorization": f"Bearer {api_key}"})
    assert refused.status_code == 403
