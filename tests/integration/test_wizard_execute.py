"""Gates and the execute: each gate fails on data made to fail it and says what to fix; the
execute is idempotent when repeated or raced, and a worker killed in the middle of it leaves
exactly one set of rows and one proof; the database refuses an unbalanced journal entry."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from harness.processes import Proc
from harness.waits import eventually
from harness.wizard import Wizard, expected_proof
from scripts.demo_workbook import write_demo_workbook
from tests.support.isolation import OWN_BACKENDS
from tests.support.workers import Workers

CONTACTS = b"Organisation\nAcme Ltd\nBeta LLP\nGamma Supplies\n"
BALANCES = (b"Code,Name,Debit,Credit\n1200,Bank,500.00,\n681,Trade Debtors,150.00,\n"
            b"796,Trade Creditors,,80.00\n968,Retained Earnings,,570.00\n")
INVOICES = (b"Reference,Contact,Dated On,Total,Due\nINV-1,Acme Ltd,2026-09-01,100.00,100.00\n"
            b"INV-2,Beta LLP,15/09/2026,60.00,50.00\n")
BILLS = b"Reference,Contact,Dated On,Total,Due\nB-1,Gamma Supplies,2026-09-10,80.00,80.00\n"


async def _csv_migration(wizard: Wizard, files: dict[str, bytes], *,
                         unconfirmed: tuple[str, ...] = ()) -> dict[str, Any]:
    """A migration of CSV imports, attached, confirmed but for `unconfirmed`."""
    migration = await wizard.create(provider="other")
    attach = {}
    for import_type, content in files.items():
        response = await wizard.import_csv(import_type, f"{import_type}.csv", content)
        assert response.status_code == 202, response.text
        done = await wizard.wait_import(response.json()["id"])
        assert done["status"] == "needs_review", done
        if import_type not in unconfirmed:
            await wizard.confirm(done["id"])
        attach[f"{import_type}ImportId"] = done["id"]
    await wizard.ok("POST", f"/migrations/{migration['id']}/upload", json=attach)
    return dict(migration)


GOOD = {"contacts": CONTACTS, "balances": BALANCES, "invoices": INVOICES, "bills": BILLS}


@pytest.mark.parametrize(("case", "files", "unconfirmed", "gate", "fragment"), [
    ("contacts", GOOD, ("contacts",), "CONTACTS_CONFIRMED", "/confirm"),
    ("balances", GOOD, ("balances",), "BALANCES_CONFIRMED", "/confirm"),
    ("invoices", GOOD, ("invoices",), "INVOICES_IMPORTED", "not confirmed"),
    ("bills", GOOD, ("bills",), "BILLS_IMPORTED", "not confirmed"),
    ("unknown contact", {**GOOD, "invoices": INVOICES.replace(b"Beta LLP", b"Delta Co")},
     (), "CONTACTS_RESOLVED", "Delta Co"),
    ("debtors mismatch", {**GOOD, "invoices": INVOICES.replace(b"50.00\n", b"40.00\n")},
     (), "RECONCILIATION_VALID", "£10.00"),
])
async def test_each_gate_fails_on_data_made_to_fail_it(
        wizard: Wizard, case: str, files: dict[str, bytes], unconfirmed: tuple[str, ...],
        gate: str, fragment: str) -> None:
    migration = await _csv_migration(wizard, files, unconfirmed=unconfirmed)
    validation = await wizard.ok("POST", f"/migrations/{migration['id']}/validate")
    failed = {g["code"]: g["message"] for g in validation["gates"] if not g["passed"]}
    assert list(failed) == [gate], validation
    assert fragment in failed[gate]
    assert validation["ready"] is False
    assert validation["status"] == "preview_ready"


async def test_all_gates_pass_on_good_data_then_validate_readies(wizard: Wizard) -> None:
    migration = await _csv_migration(wizard, GOOD)
    validation = await wizard.ok("POST", f"/migrations/{migration['id']}/validate")
    assert (validation["ready"], validation["status"]) == (True, "ready_to_execute")
    assert all(g["passed"] for g in validation["gates"])
    executed = await wizard.ok("POST", f"/migrations/{migration['id']}/execute")
    proof = executed["reconciliation"]
    # 650.00 a side from the trial balance, + 150.00 of invoices and 80.00 of bills due
    assert (proof["totalDebits"], proof["totalCredits"], proof["net"]) == (88000, 88000, 0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("execute") / "export.xlsx"
    write_demo_workbook(path)
    return path


async def _entities(db: asyncpg.Pool, migration_id: str) -> int:
    return int(await db.fetchval(
        "SELECT count(*) FROM target.entities WHERE source_migration_id = $1", migration_id))


async def test_an_execute_raced_by_two_clients_runs_once(wizard: Wizard, demo: Path,
                                                         db: asyncpg.Pool) -> None:
    migration = await wizard.ready_migration(demo)
    first, second = await asyncio.gather(
        *(wizard.http.post(f"/migrations/{migration['id']}/execute") for _ in range(2)))
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    assert first.json()["reconciliation"] == second.json()["reconciliation"]
    assert await _entities(db, migration["id"]) == 1
    jobs = await db.fetchval("SELECT count(*) FROM migration_jobs WHERE kind = "
                             "'wizard_execute' AND singleton_key = $1", migration["id"])
    assert jobs == 1
    # the audit log names the one client whose request started it, and the workbook's
    # upload by its digest
    executed = await db.fetch("SELECT * FROM audit_log WHERE action = 'migration.executed' "
                              "AND subject = $1", migration["id"])
    assert len(executed) == 1
    assert (executed[0]["actor"], executed[0]["account_id"]) == ("account", wizard.account)
    assert executed[0]["details"]["job"] == await db.fetchval(
        "SELECT id FROM migration_jobs WHERE singleton_key = $1", migration["id"])
    uploads = await db.fetch("SELECT details FROM audit_log WHERE action = 'upload.stored' "
                             "AND details->>'migration' = $1", migration["id"])
    assert [u["details"]["sha256"] for u in uploads] == [
        hashlib.sha256(demo.read_bytes()).hexdigest()]


async def _execute_waiting_on_lock(db: asyncpg.Pool) -> bool:
    return bool(await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity "
        f"WHERE {OWN_BACKENDS} AND wait_event_type = 'Lock' "
        "AND query LIKE '%journal_lines%'"))


async def test_a_worker_killed_during_execute_leaves_one_set_of_rows_and_one_proof(
        wizard: Wizard, demo: Path, db: asyncpg.Pool, workers: Workers,
        rescuer: Proc) -> None:
    migration = await wizard.ready_migration(demo)
    path = f"/migrations/{migration['id']}/execute"
    rehearsal = await wizard.ok("POST", path, params={"dryRun": "true"})
    conn = await db.acquire()
    try:
        await conn.execute("BEGIN; LOCK TABLE target.journal_lines IN ACCESS EXCLUSIVE MODE")
        started = await wizard.http.post(path, params={"wait": "0"})
        assert started.status_code == 202, started.text
        assert started.json()["status"] == "executing"
        await eventually(lambda: _execute_waiting_on_lock(db), "the execute reached the lines")
        abandon = await wizard.http.delete(f"/migrations/{migration['id']}")
        assert "executing" in await wizard.error(abandon, 422, "INVALID_TRANSITION")
        job_id = await db.fetchval("SELECT execute_job_id FROM wizard_migrations "
                                   "WHERE id = $1", migration["id"])
        await workers.kill_holder(db, job_id)
        killed_at = time.monotonic()
    finally:
        await conn.execute("ROLLBACK")
        await db.release(conn)
    done = await wizard.ok("POST", path, params={"wait": "60"})
    assert time.monotonic() - killed_at < 30
    assert done["reconciliation"] == rehearsal["reconciliation"]
    want = expected_proof(demo)
    assert done["reconciliation"]["totalDebits"] == want.total_debits
    assert await _entities(db, migration["id"]) == 1
    entity = (await wizard.ok("GET", f"/migrations/{migration['id']}"))["entityId"]
    lines = await db.fetchval(
        "SELECT count(*) FROM target.journal_lines l JOIN target.journal_entries e "
        "ON e.id = l.entry_id WHERE e.entity_id = $1", entity)
    assert lines == done["reconciliation"]["written"]["journalLines"]
    attempts = await db.fetchval("SELECT attempts FROM migration_jobs WHERE id = $1", job_id)
    assert attempts == 2


async def test_the_database_refuses_an_unbalanced_journal_entry(db: asyncpg.Pool) -> None:
    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("INSERT INTO target.entities (id, environment, name, currency) "
                           "VALUES ('ent_unbalanced', 'sandbox', 'x', 'GBP')")
        account = await conn.fetchval(
            "INSERT INTO target.ledger_accounts (entity_id, code, name) "
            "VALUES ('ent_unbalanced', '1', 'Bank') RETURNING id")
        entry = await conn.fetchval(
            "INSERT INTO target.journal_entries (entity_id, kind, legacy_id, entry_date) "
            "VALUES ('ent_unbalanced', 'manual', 'x', '2026-09-30') RETURNING id")
        await conn.execute("INSERT INTO target.journal_lines (entry_id, account_id, currency, "
                           "debit_minor) VALUES ($1, $2, 'GBP', 100)", entry, account)
        with pytest.raises(asyncpg.CheckViolationError, match="does not balance"):
            await transaction.commit()  # the deferred trigger: at the commit
        both_sides = ("INSERT INTO target.journal_lines (entry_id, account_id, currency, "
                      "debit_minor, credit_minor) VALUES (1, 1, 'GBP', 5, 5)")
        with pytest.raises(asyncpg.CheckViolationError):  # the CHECK: at once
            await conn.execute(both_sides)
    assert await db.fetchval("SELECT count(*) FROM target.entities "
                             "WHERE id = 'ent_unbalanced'") == 0
