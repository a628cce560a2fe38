"""Migration 0005 (job kinds) upgrades a database in use, in place.

A database is built with migrations 0001-0004 and filled, with plain SQL against that old
schema, with one job in every status; the running one is stopped mid-step 3 by a worker
that died, with real staged data and a real sealed legacy token. Then 0005 is applied and:
every job keeps its fields (the legacy ones now in legacy_migration_jobs), the API of the
new code shows every job and its report, a new worker resumes the mid-step job at its
cursor and completes it exactly, the pending job runs, and the sweep finishes the clean-up
of a cancelled job whose worker died. The upgraded schema equals a freshly migrated one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from arq.constants import (
    health_check_key_suffix,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from redis.asyncio import Redis

from harness.api import DEMO_EMAIL, DEMO_PASSWORD, FLEET_EMAIL, FLEET_PASSWORD, Api
from harness.database import drop_database, recreate_database, sibling_database
from harness.oracle import expected
from harness.processes import Proc, create_key, free_port, python_module, wait_http
from harness.target import RECORD_TABLES, assert_migrated_exactly, staged_rows
from harness.waits import eventually
from legacy_sim.orgs import FLEET, LARGE, MEDIUM, ORGS, SMALL, UNSUPPORTED
from tests.conftest import SECRET, SHUTDOWN_GRACE_SECONDS, TEST_DB, TEST_REDIS, service_settings
from worker.db.pool import connect, create_pool
from worker.db.schema import apply_migrations, load_migrations
from worker.ids import new_entity_id, new_job_id
from worker.kinds.legacy_migration.source import convert
from worker.kinds.legacy_migration.source.client import LegacyClient
from worker.secrets_box import SecretBox
from worker.target.records import Customer, Tax, TaxRate

_TEST_DB_NAME = urlsplit(TEST_DB).path.lstrip("/")
UPGRADE_DB = sibling_database(TEST_DB, _TEST_DB_NAME + "_upgrade")
FRESH_DB = sibling_database(TEST_DB, _TEST_DB_NAME + "_fresh")
OLD_SCHEMA = 4  # the last migration before job kinds
ACCOUNT = "acc_upgrade"
QUEUE = f"test:upgrade:{new_job_id()[-8:]}"
TOTAL_STEPS = 8
CURSOR = 5  # clients of the small organisation staged before the old worker died
DEAD_OWNER = "old-host:4242/0badc0de"
# what the old worker showed when it died (engine.context.JobRun.on_source_retry)
DIED_RETRYING = " — legacy API server error (503); retrying in 2.0 s (retry 1)"

# migration_jobs columns 0005 moves to legacy_migration_jobs
LEGACY_COLUMNS = ("legacy_org_id", "legacy_user_id", "environment", "confirm_unsupported_data",
                  "legacy_token_sealed")
STEP_NAMES = {1: "Connecting to legacy account", 2: "Migrating tax rates",
              3: "Migrating customers", 4: "Migrating items", 5: "Migrating documents",
              6: "Migrating payments", 7: "Validating migrated data", 8: "Committing to target"}
SCHEMAS = ["public", "staging", "target"]


def _env(simulator: str) -> dict[str, str]:
    """The suite's service settings, on our database and our own queue."""
    return service_settings(UPGRADE_DB, simulator, QUEUE)


# --- the old schema, written as the pre-0005 service wrote it ------------------------------

async def _insert(conn: asyncpg.Connection, table: str, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    params = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    # table and column names are this module's constants, never input
    await conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({params})",
                       *row.values())


async def _old_job(conn: asyncpg.Connection, job_id: str, *, org: str, user: str,
                   environment: str, status: str, created_at: datetime, **fields: Any) -> None:
    """A migration_jobs row of schema 0004, its legacy fields included."""
    await _insert(conn, "migration_jobs", {
        "id": job_id, "account_id": ACCOUNT, "legacy_org_id": org, "legacy_user_id": user,
        "environment": environment, "status": status, "created_at": created_at,
        "updated_at": fields.pop("updated_at", created_at), **fields,
    })


async def _step_run(conn: asyncpg.Connection, job_id: str, number: int, *, status: str,
                    started_at: datetime, **fields: Any) -> None:
    finished = started_at + timedelta(seconds=1) if status != "running" else None
    await _insert(conn, "migration_step_runs", {
        "job_id": job_id, "step_number": number, "status": status, "started_at": started_at,
        "finished_at": fields.pop("finished_at", finished), **fields,
    })


async def _seed_old_schema(conn: asyncpg.Connection, simulator: str) -> dict[str, str]:
    """One job in every status, as schema 0004 held them; returns their IDs by status."""
    box = SecretBox(SECRET)
    now = datetime.now(UTC)
    small, fleet_org = ORGS[SMALL], ORGS[FLEET[0]]
    async with LegacyClient(simulator) as demo, LegacyClient(simulator) as fleet:
        demo_login = await demo.login(DEMO_EMAIL, DEMO_PASSWORD)
        fleet_login = await fleet.login(FLEET_EMAIL, FLEET_PASSWORD)
        org = await demo.organization(small.id)
        tax_count = await demo.count(small.id, "taxes")
        taxes = await demo.page(small.id, "taxes", 0, 1000)
        client_count = await demo.count(small.id, "clients")
        first_clients = await demo.page(small.id, "clients", 0, CURSOR)
    assert len(taxes) == tax_count
    assert len(first_clients) == CURSOR < client_count
    demo_token, fleet_token = box.seal(demo_login.token), box.seal(fleet_login.token)
    ids = {status: new_job_id() for status in
           ("completed", "failed", "cancelled", "running", "pending")}  # oldest first

    await conn.execute("INSERT INTO accounts (id) VALUES ($1)", ACCOUNT)

    # completed, to live: staging cleared and token wiped after the commit
    job, created = ids["completed"], now - timedelta(days=3)
    entity_id = new_entity_id()
    await _old_job(conn, job, org=ORGS[MEDIUM].id, user=demo_login.user_id,
                   environment="live", status="completed", created_at=created,
                   step="Completed", step_number=8, entity_id=entity_id, attempts=1,
                   progress_detail=f"Migration completed: 22204 records written to entity "
                                   f"{entity_id}.",
                   started_at=created + timedelta(seconds=1),
                   completed_at=created + timedelta(minutes=1),
                   staging_cleared_at=created + timedelta(minutes=1, seconds=1))
    for number in STEP_NAMES:
        await _step_run(conn, job, number, status="finished",
                        started_at=created + timedelta(seconds=number))
    medium = ORGS[MEDIUM]
    await conn.execute(
        "INSERT INTO target.entities (id, environment, source_job_id, legacy_org_id, name, "
        "country, tax_number, currency) VALUES ($1, 'live', $2, $3, $4, $5, $6, $7)",
        entity_id, job, medium.id, medium.name, medium.alpha2, medium.tax_number,
        medium.currency)

    # failed at step 1 on unsupported data; a failed job keeps its token for a retry
    job, created = ids["failed"], now - timedelta(days=2)
    await _old_job(conn, job, org=ORGS[UNSUPPORTED].id, user=demo_login.user_id,
                   environment="sandbox", status="failed", created_at=created,
                   step=STEP_NAMES[1], step_number=1, attempts=1, legacy_token_sealed=demo_token,
                   progress_detail="Failed at step 1: Connecting to legacy account.",
                   error="The legacy organisation holds data the new platform cannot store: "
                         "4 documents of type delivery-note. Create the job again with "
                         "confirm_unsupported_data: true to migrate everything else and skip "
                         "these, or remove them from the legacy account first.",
                   error_code="UNSUPPORTED_DATA", started_at=created + timedelta(seconds=1))
    await _step_run(conn, job, 1, status="failed", started_at=created + timedelta(seconds=1),
                    skipped_count=4, error_count=4)

    # cancelled in step 2 (the old code wiped the token as it cancelled); its worker died
    # before clearing staging
    job, created = ids["cancelled"], now - timedelta(days=1)
    large = ORGS[LARGE]
    await _old_job(conn, job, org=large.id, user=demo_login.user_id, environment="sandbox",
                   status="cancelled", created_at=created, confirm_unsupported_data=True,
                   step=STEP_NAMES[2], step_number=2, attempts=1,
                   progress_detail="Migration cancelled; nothing was written to the target.",
                   cancel_requested_at=created + timedelta(seconds=3),
                   started_at=created + timedelta(seconds=1))
    await _step_run(conn, job, 1, status="finished", started_at=created + timedelta(seconds=1))
    await _step_run(conn, job, 2, status="running", started_at=created + timedelta(seconds=2),
                    source_count=large.taxes)
    await conn.execute(
        "INSERT INTO staging.organizations (job_id, legacy_id, name, country, tax_number, "
        "currency) VALUES ($1, $2, $3, $4, $5, $6)",
        job, large.id, large.name, large.alpha2, large.tax_number, large.currency)

    # running: steps 1 and 2 finished, step 3 staged 5 clients, then its worker died
    # while waiting to retry the next page
    job, created = ids["running"], now - timedelta(minutes=10)
    await _old_job(conn, job, org=small.id, user=demo_login.user_id, environment="sandbox",
                   status="running", created_at=created, step=STEP_NAMES[3], step_number=3,
                   progress_detail=f"Migrating customers: {CURSOR} of {client_count}"
                                   f"{DIED_RETRYING}",
                   attempts=1, legacy_token_sealed=demo_token, lease_owner=DEAD_OWNER,
                   lease_expires_at=now - timedelta(minutes=1),
                   started_at=created + timedelta(seconds=1), updated_at=now - timedelta(minutes=2))
    # step 1, as connect.py stages it
    await _step_run(conn, job, 1, status="finished", started_at=created + timedelta(seconds=1),
                    checks={"organization": {"name": org["name"], "currency": org["currencyId"]},
                            "unsupported": {}})
    await conn.execute(
        "INSERT INTO staging.organizations (job_id, legacy_id, name, country, tax_number, "
        "currency) VALUES ($1, $2, $3, $4, $5, $6)",
        job, str(org["id"]), str(org["name"]), org.get("countryAlpha2Code") or org["country"],
        org["taxNumber"], org["currencyId"])
    # step 2, as reference_data.py stages it
    tax_rows, rate_rows = [], []
    for raw in taxes:
        tax, rates = convert.tax_rows(job, raw)
        tax_rows.append(tax)
        rate_rows.extend(rates)
    await conn.copy_records_to_table("taxes", schema_name="staging",
                                     columns=list(Tax._fields), records=tax_rows)
    await conn.copy_records_to_table("tax_rates", schema_name="staging",
                                     columns=list(TaxRate._fields), records=rate_rows)
    await _step_run(conn, job, 2, status="finished", started_at=created + timedelta(seconds=2),
                    source_count=tax_count, created_count=len(tax_rows), cursor=len(taxes))
    # step 3, mid-way: the first CURSOR clients, with the cursor saved in the same checkpoint
    await conn.copy_records_to_table(
        "customers", schema_name="staging", columns=list(Customer._fields),
        records=[convert.customer_row(job, raw) for raw in first_clients])
    await _step_run(conn, job, 3, status="running", started_at=created + timedelta(seconds=3),
                    source_count=client_count, created_count=CURSOR, cursor=CURSOR, retries=1)

    # pending, on a fleet organisation (a legacy organisation has one active job at most)
    job, created = ids["pending"], now - timedelta(minutes=1)
    await _old_job(conn, job, org=fleet_org.id, user=fleet_login.user_id,
                   environment="sandbox", status="pending", created_at=created,
                   step="Queued", step_number=0, legacy_token_sealed=fleet_token,
                   progress_detail="Migration job is waiting to start.")
    return ids


# --- schema comparison ----------------------------------------------------------------------

async def _schema(conn: asyncpg.Connection) -> dict[str, set[tuple[Any, ...]]]:
    """The schemas public, staging and target as sets of facts (order does not count)."""
    relations = await conn.fetch(
        "SELECT n.nspname, c.relname, c.relkind::text FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1)", SCHEMAS)
    columns = await conn.fetch(
        "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
        "       a.attnotnull, pg_get_expr(d.adbin, d.adrelid), "
        "       a.attidentity::text, a.attgenerated::text "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
        "  AND a.attnum > 0 AND NOT a.attisdropped", SCHEMAS)
    indexes = await conn.fetch(
        "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = ANY($1)", SCHEMAS)
    constraints = await conn.fetch(
        "SELECT n.nspname, c.relname, k.conname, k.contype::text, pg_get_constraintdef(k.oid) "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1)", SCHEMAS)
    triggers = await conn.fetch(
        "SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ANY($1) AND NOT t.tgisinternal", SCHEMAS)
    migrations = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")

    def facts(rows: Iterable[asyncpg.Record]) -> set[tuple[Any, ...]]:
        return {tuple(r.values()) for r in rows}

    return {"relations": facts(relations), "columns": facts(columns),
            "indexes": facts(indexes), "constraints": facts(constraints),
            "triggers": facts(triggers), "schema_migrations": facts(migrations)}


async def _fresh_schema() -> dict[str, set[tuple[Any, ...]]]:
    await recreate_database(FRESH_DB)
    conn = await connect(FRESH_DB)
    try:
        await apply_migrations(conn)
        return await _schema(conn)
    finally:
        await conn.close()


def _assert_same_schema(upgraded: dict[str, set[tuple[Any, ...]]],
                        fresh: dict[str, set[tuple[Any, ...]]]) -> None:
    differences = []
    for part in fresh:
        if upgraded[part] != fresh[part]:
            differences.append(f"{part}: only upgraded {sorted(upgraded[part] - fresh[part])}; "
                               f"only fresh {sorted(fresh[part] - upgraded[part])}")
    assert not differences, "\n".join(differences)


# --- the test ------------------------------------------------------------------------------

async def _staged_counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {t: await conn.fetchval(f"SELECT count(*) FROM staging.{t}")
            for t in RECORD_TABLES}


async def _step_runs(conn: asyncpg.Connection) -> set[tuple[Any, ...]]:
    rows = await conn.fetch("SELECT * FROM migration_step_runs")
    return {tuple(sorted((k, repr(v)) for k, v in r.items())) for r in rows}


async def _check_upgraded_rows(conn: asyncpg.Connection, before: dict[str, dict[str, Any]],
                               steps_before: set[tuple[Any, ...]],
                               staged_before: dict[str, int]) -> None:
    """Every job migrated in place: same fields, the legacy ones in legacy_migration_jobs,
    kind, singleton key and cleaned_up_at set from the old columns."""
    left = {r["column_name"] for r in await conn.fetch(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'migration_jobs'")}
    assert not left & {*LEGACY_COLUMNS, "staging_cleared_at"}, left
    rows = await conn.fetch(
        "SELECT j.*, l.legacy_org_id, l.legacy_user_id, l.environment, "
        "       l.confirm_unsupported_data, l.legacy_token_sealed "
        "FROM migration_jobs j LEFT JOIN legacy_migration_jobs l ON l.job_id = j.id")
    after = {r["id"]: dict(r) for r in rows}
    assert after.keys() == before.keys()
    assert await conn.fetchval("SELECT count(*) FROM legacy_migration_jobs") == len(before)
    for job_id, old in before.items():
        new = after[job_id]
        assert new["kind"] == "legacy_migration", new
        assert new["singleton_key"] == old["legacy_org_id"], new
        assert new["cleaned_up_at"] == old["staging_cleared_at"], new
        assert new["worker_id"] is None, new
        unchanged = {k: v for k, v in old.items() if k != "staging_cleared_at"}
        assert {k: new[k] for k in unchanged} == unchanged, job_id
    assert await _step_runs(conn) == steps_before
    assert await _staged_counts(conn) == staged_before


async def _check_singleton(conn: asyncpg.Connection, org_id: str) -> None:
    """The running job's organisation still has its one active job (now by singleton key)."""
    with pytest.raises(asyncpg.UniqueViolationError):
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO migration_jobs (id, kind, account_id, singleton_key, total_steps) "
                "VALUES ($1, 'legacy_migration', $2, $3, 8)", new_job_id(), ACCOUNT, org_id)


async def _check_api_before_resume(api: Api, ids: dict[str, str]) -> None:
    """The new API shows every old job as it was, with its report and in the listing."""
    want = {  # status: (legacy organisation, environment, step number)
        "completed": (ORGS[MEDIUM].id, "live", 8),
        "failed": (ORGS[UNSUPPORTED].id, "sandbox", 1),
        "cancelled": (ORGS[LARGE].id, "sandbox", 2),
        "running": (ORGS[SMALL].id, "sandbox", 3),
        "pending": (ORGS[FLEET[0]].id, "sandbox", 0),
    }
    for status, job_id in ids.items():
        job = await api.job(job_id)
        org_id, environment, step_number = want[status]
        assert (job["status"], job["legacy_org_id"], job["environment"], job["step_number"],
                job["total_steps"]) == (status, org_id, environment, step_number,
                                        TOTAL_STEPS), job
        assert (job["completed_at"] is not None) == (status == "completed"), job
        assert (job["entity_id"] is not None) == (status == "completed"), job
        assert (job["error"] is not None) == (status == "failed"), job
        report = await api.report(job_id)
        assert report["status"] == status
        assert [s["step_number"] for s in report["steps"]] == list(STEP_NAMES)
        assert report["attempts"] == (0 if status == "pending" else 1)
    failed = await api.job(ids["failed"])
    assert "confirm_unsupported_data" in failed["error"]
    listing = await api.http.get("/legacy-migration/jobs")
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert [j["id"] for j in body["data"]] == sorted(ids.values(), reverse=True)
    assert {j["id"]: j["status"] for j in body["data"]} == {v: k for k, v in ids.items()}
    assert body["has_more"] is False
    report = await api.report(ids["running"])
    assert [(s["status"], s["attempts"]) for s in report["steps"][:4]] == [
        ("finished", 1), ("finished", 1), ("running", 1), ("not_started", 0)]
    assert report["steps"][2]["counts"]["created"] == CURSOR


async def _drop_redis_keys(job_ids: Iterable[str]) -> None:
    redis = Redis.from_url(TEST_REDIS)
    try:
        keys = [QUEUE, QUEUE + health_check_key_suffix]
        for job_id in job_ids:
            keys += [prefix + job_id for prefix in (job_key_prefix, in_progress_key_prefix,
                                                    retry_key_prefix, result_key_prefix)]
        await redis.delete(*keys)
    finally:
        await redis.aclose()


def _stop(proc: Proc) -> None:
    with contextlib.suppress(Exception):
        proc.terminate(timeout=SHUTDOWN_GRACE_SECONDS + 5)


async def test_0005_upgrades_jobs_of_every_status_in_place(simulator: str, sim: httpx.Client,
                                                           tmp_path: Path) -> None:
    assert max(m.version for m in load_migrations()) > OLD_SCHEMA
    want_small = expected(simulator, ORGS[SMALL].id)
    want_fleet = expected(simulator, ORGS[FLEET[0]].id)
    ids: dict[str, str] = {}
    async with contextlib.AsyncExitStack() as cleanup:
        cleanup.push_async_callback(drop_database, FRESH_DB)
        cleanup.push_async_callback(drop_database, UPGRADE_DB)
        cleanup.push_async_callback(lambda: _drop_redis_keys(ids.values()))

        # 1-2: schema 0004 with a job in every status
        await recreate_database(UPGRADE_DB)
        conn = await connect(UPGRADE_DB)
        cleanup.push_async_callback(conn.close)
        applied = await apply_migrations(conn, up_to=OLD_SCHEMA)
        assert [m.version for m in applied] == list(range(1, OLD_SCHEMA + 1))
        ids.update(await _seed_old_schema(conn, simulator))
        before = {r["id"]: dict(r) for r in await conn.fetch("SELECT * FROM migration_jobs")}
        assert {r["status"] for r in before.values()} == set(ids)
        steps_before, staged_before = await _step_runs(conn), await _staged_counts(conn)

        # 3: the rest of the migrations, and the rows they moved
        applied = await apply_migrations(conn)
        assert [m.version for m in applied] == [
            m.version for m in load_migrations() if m.version > OLD_SCHEMA]
        await _check_upgraded_rows(conn, before, steps_before, staged_before)
        await _check_singleton(conn, ORGS[SMALL].id)

        # 6: the upgraded schema is the one all migrations build on an empty database
        _assert_same_schema(await _schema(conn), await _fresh_schema())

        # 4: the new API shows every job (before any worker can change them)
        env = _env(simulator)
        key = create_key(env, ACCOUNT)
        port = free_port()
        web = Proc("web", python_module("api_stub", "serve"), {**env, "PORT": str(port)},
                   tmp_path / "web.log").start()
        cleanup.callback(_stop, web)
        wait_http(f"http://127.0.0.1:{port}/healthz", proc=web)
        api = Api(f"http://127.0.0.1:{port}", key)
        cleanup.push_async_callback(api.aclose)
        await _check_api_before_resume(api, ids)

        # 5: a worker of the new code resumes the mid-step job at its cursor. Slow client
        # pages hold step 3 at its first progress after its start (which shows the step's
        # name only), and that progress shows where it resumed.
        pool = await create_pool(UPGRADE_DB, min_size=1, max_size=3)
        cleanup.push_async_callback(pool.close)
        sim.put("/_sim/faults", json={"latency_ms": 800, "path_contains": "/clients"})
        worker = Proc("worker", python_module("worker"), env, tmp_path / "worker.log").start()
        cleanup.callback(_stop, worker)
        old_detail = before[ids["running"]]["progress_detail"]
        try:
            resumed = await api.wait_for(
                ids["running"],
                lambda job: job["progress_detail"] not in (old_detail, STEP_NAMES[3]),
                timeout=30)
            sim.put("/_sim/faults", json={})
            assert (resumed["step_number"], resumed["progress_detail"]) == (
                3, f"Migrating customers: {CURSOR} of {want_small['counts']['customers']}")
            done = await api.wait_for(ids["running"], timeout=30)
        except TimeoutError:
            raise AssertionError(worker.log()[-5000:]) from None
        await assert_migrated_exactly(pool, done, want_small)
        report = await api.report(ids["running"])
        assert report["attempts"] == 2
        assert [(s["status"], s["attempts"]) for s in report["steps"]] == [
            ("finished", 1), ("finished", 1), ("finished", 2)] + [("finished", 1)] * 5
        customers = report["steps"][2]["counts"]
        assert (customers["source"], customers["created"]) == (
            want_small["counts"]["customers"], want_small["counts"]["customers"])

        # the pending job runs too
        done = await api.wait_for(ids["pending"], timeout=30)
        await assert_migrated_exactly(pool, done, want_fleet)
        assert (await api.report(ids["pending"]))["attempts"] == 1

        # the sweep finishes the clean-up the cancelled job's worker never did
        cancelled = ids["cancelled"]

        async def cleaned_up() -> bool:
            return bool(await pool.fetchval(
                "SELECT cleaned_up_at IS NOT NULL FROM migration_jobs WHERE id = $1",
                cancelled))

        await eventually(cleaned_up, "the cancelled job cleaned up", timeout=10)
        assert await staged_rows(pool, cancelled) == 0

        # the finished jobs are as they were; the worker registered in the new table
        for status in ("completed", "failed", "cancelled"):
            assert (await api.job(ids[status]))["status"] == status
        assert await pool.fetchval("SELECT count(*) FROM workers WHERE status = 'alive'") == 1
