"""The retention purge (spec/security.md "Retention"; worker/process/retention.py): exactly
what is due goes, in bounded batches each counted in /metrics and written in the audit log,
and nothing of an active job, a migration in progress or the target, while a job runs; a
second pass removes nothing; two purges at once share the work; a purge racing an execute
leaves it whole, and the proof still names the files by SHA-256 once their bytes are gone.

History is made old here by writing its timestamps 10 days back: due under this module's
settings (5-7 days), while the suite's own workers keep everything (RETENTION_*=0,
tests/conftest.py), so that only the purges a test runs remove it.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis
from prometheus_client.parser import text_string_to_metric_families

from harness.processes import Proc
from harness.waits import eventually
from harness.wizard import Wizard, expected_proof
from scripts.demo_workbook import write_demo_workbook
from tests.support.toys import create_toy_job, job_row, step_runs
from tests.support.workers import Workers
from worker.db.queries import q
from worker.kinds.wizard_import.errors import UploadQuotaExceeded
from worker.kinds.wizard_import.quota import UploadQuota, check_upload_quota
from worker.process.retention import purge
from worker.settings import Settings

OLD, RECENT, MIDDLE = timedelta(days=10), timedelta(days=3), timedelta(days=6)
BATCH = 2
SETTINGS = Settings(retention_upload_days=5, retention_failed_staging_days=5,
                    retention_job_days=7, retention_audit_days=7, retention_batch=BATCH)
SETTINGS_ENV = {"RETENTION_UPLOAD_DAYS": "5", "RETENTION_FAILED_STAGING_DAYS": "5",
                "RETENTION_JOB_DAYS": "7", "RETENTION_AUDIT_DAYS": "7",
                "RETENTION_BATCH": str(BATCH)}
PURGED = "migration_retention_purged_total"


def _hex() -> str:
    return uuid.uuid4().hex[:24]


class History:
    """Rows written straight into the database, as the service would have left them."""

    def __init__(self, db: asyncpg.Pool) -> None:
        self.db = db
        self.account = "acc_ret_" + _hex()[:10]

    async def account_of_its_own(self) -> str:
        account = "acc_ret_" + _hex()[:10]
        await self.db.execute("INSERT INTO accounts (id) VALUES ($1)", account)
        return account

    async def job(self, status: str, age: timedelta, *, kind: str = "toy", steps: int = 2,
                  cleaned: bool = True, account: str | None = None) -> str:
        """A job that ended (or, pending or running, was last changed) `age` ago; a running
        one's lease is held by a worker elsewhere."""
        job_id = "job_" + _hex()
        await self.db.execute(
            "INSERT INTO migration_jobs (id, kind, account_id, total_steps, status, "
            "step_number, created_at, updated_at, cleaned_up_at, lease_owner, "
            "lease_expires_at) VALUES ($1, $2, $3, 8, $4, $5, "
            "now() - $6::interval - interval '1 h', now() - $6::interval, "
            "CASE WHEN $7::boolean THEN now() - $6::interval END, "
            "CASE WHEN $4 = 'running' THEN 'elsewhere' END, "
            "CASE WHEN $4 = 'running' THEN now() + interval '1 h' END)",
            job_id, kind, account or self.account, status, steps, age,
            cleaned and status in ("completed", "cancelled"))
        await self.db.execute(
            "INSERT INTO migration_step_runs (job_id, step_number, status, finished_at) "
            "SELECT $1, s, 'finished', now() - $3::interval FROM generate_series(1, $2) AS s",
            job_id, steps, age)
        return job_id

    async def staging(self, job_id: str, customers: int) -> None:
        await self.db.execute("INSERT INTO staging.organizations (job_id, legacy_id, name, "
                              "currency) VALUES ($1, 'org', 'Org', 'EUR')", job_id)
        await self.db.execute(
            "INSERT INTO staging.customers (job_id, legacy_id, name, legacy_type) "
            "SELECT $1, 'c' || n, 'Customer ' || n, 'client' "
            "FROM generate_series(1, $2) AS n", job_id, customers)
        await self.db.execute("INSERT INTO staging.source_pages (job_id, resource, "
                              "page_size, skip, body) VALUES ($1, 'documents', 1000, 0, "
                              "'[]')", job_id)

    async def upload(self, age: timedelta, account: str | None = None) -> str:
        upload_id, content = "upl_" + _hex(), b"Code,Name\n1200,Bank\n" + _hex().encode()
        await self.db.execute(
            "INSERT INTO uploads (id, account_id, filename, format, size_bytes, sha256, "
            "content, created_at) VALUES ($1, $2, 'file.csv', 'csv', $3, $4, $5, "
            "now() - $6::interval)",
            upload_id, account or self.account, len(content),
            hashlib.sha256(content).hexdigest(), content, age)
        return upload_id

    async def import_of(self, upload_id: str, job_id: str,
                        account: str | None = None) -> str:
        import_id = "dimp_" + _hex()
        await self.db.execute(
            "INSERT INTO imports (id, account_id, type, upload_id, currency, job_id, layout) "
            "VALUES ($1, $2, 'contacts', $3, 'GBP', $4, 'generic.csv')",
            import_id, account or self.account, upload_id, job_id)
        await self.db.execute("INSERT INTO import_files (import_id, position, upload_id, "
                              "layout) VALUES ($1, 0, $2, 'generic.csv')", import_id, upload_id)
        return import_id

    async def migration(self, account: str, status: str, ended: timedelta, *,
                        contacts: str | None = None, provider_upload: str | None = None,
                        execute_job: str | None = None) -> str:
        done = status == "completed"
        migration_id = "wmig_" + _hex()
        await self.db.execute(
            "INSERT INTO wizard_migrations (id, account_id, provider, cutover_date, status, "
            "contacts_import_id, provider_upload_id, execute_job_id, entity_id, "
            "reconciliation, completed_at, updated_at) VALUES ($1, $2, 'other', "
            "'2026-09-30', $3, $4, $5, $6, $7, $8, "
            "CASE WHEN $9::boolean THEN now() - $10::interval END, now() - $10::interval)",
            migration_id, account, status, contacts, provider_upload, execute_job,
            "ent_" + _hex()[:12] if done else None, {} if done else None, done, ended)
        return migration_id

    async def audit(self, age: timedelta, subject: str) -> None:
        await self.db.execute("INSERT INTO audit_log (at, actor, action, subject) VALUES "
                              "(now() - $1::interval, 'service', 'test.old', $2)", age, subject)


async def _exists(db: asyncpg.Pool, table: str, column: str, value: str) -> int:
    # table and column are this module's constants
    return int(await db.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", value))


async def _target_counts(db: asyncpg.Pool) -> dict[str, int]:
    tables = await db.fetch("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'target' AND table_type = 'BASE TABLE'")
    return {t["table_name"]: await db.fetchval(f'SELECT count(*) FROM target."{t[0]}"')
            for t in tables}


async def _totals(db: asyncpg.Pool) -> Counter[str]:
    rows = await db.fetch("SELECT labels, value FROM metric_totals WHERE name = $1", PURGED)
    return Counter({re.sub(r'what="(\w+)"', r"\1", r["labels"]): int(r["value"])
                    for r in rows})


async def _entries_since(db: asyncpg.Pool, since: int) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT details FROM audit_log WHERE action = 'retention.purged' "
                          "AND id > $1 ORDER BY id", since)
    return [r["details"] for r in rows]


async def _last_audit_id(db: asyncpg.Pool) -> int:
    return int(await db.fetchval("SELECT coalesce(max(id), 0) FROM audit_log"))


async def test_the_purge_removes_exactly_what_is_due_while_a_job_runs(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, worker: Proc) -> None:
    h = History(db)
    await db.execute("INSERT INTO accounts (id) VALUES ($1)", h.account)
    running = await create_toy_job(db, arq_redis, queue_name, ticks=30, tick_seconds=0.05)
    await eventually(lambda: _ticking(db, running), "the toy job runs")
    # jobs
    active = [await h.job("pending", OLD, kind="retention_idle"),
              await h.job("running", OLD, kind="retention_idle")]
    for job_id in active:
        await h.staging(job_id, customers=3)
    entity_job = await h.job("completed", OLD, kind="legacy_migration", steps=8)
    await db.execute("INSERT INTO target.entities (id, environment, source_job_id, name, "
                     "currency) VALUES ($1, 'sandbox', $2, 'Kept Ltd', 'EUR')",
                     "ent_" + _hex()[:12], entity_job)
    made_entity = await h.job("completed", OLD, kind="legacy_migration")  # as the commit
    await db.execute("UPDATE migration_jobs SET entity_id = 'ent_' || left($1, 12) "
                     "WHERE id = $2", _hex(), made_entity)  # leaves it: never even read
    failed_old = await h.job("failed", OLD, steps=3)
    await h.staging(failed_old, customers=3)
    failed_middle = await h.job("failed", MIDDLE, steps=3)  # staging due, the job not yet
    await h.staging(failed_middle, customers=1)
    cancelled_old = await h.job("cancelled", OLD)
    failed_import = await h.job("failed", OLD, kind="wizard_import")  # kept, rows cleared
    completed_old = await h.job("completed", OLD)
    completed_recent = await h.job("completed", RECENT)
    # its clean-up not done (a kind no worker runs, so that no sweep does it meanwhile)
    not_cleaned = await h.job("completed", OLD, kind="retention_idle", cleaned=False)
    # uploads, their imports and migrations
    in_progress_account, done_account = await h.account_of_its_own(), h.account
    unattached = await h.upload(OLD)
    import_job = await h.job("completed", OLD, kind="wizard_import")
    await h.import_of(unattached, import_job)
    await db.execute("INSERT INTO staging.import_rows (import_id, row_number, record) "
                     "SELECT $1, n, '{}' FROM generate_series(1, 2) AS n",
                     await h.import_of(unattached, failed_import))
    of_active = await h.upload(OLD, in_progress_account)
    await h.migration(in_progress_account, "files_attached", OLD, contacts=await h.import_of(
        of_active, await h.job("completed", OLD, kind="wizard_import"), in_progress_account))
    of_completed = await h.upload(OLD)
    await h.migration(done_account, "completed", OLD, contacts=await h.import_of(
        of_completed, await h.job("completed", OLD, kind="wizard_import")))
    of_recent = await h.upload(OLD)
    await h.migration(done_account, "completed", RECENT, contacts=await h.import_of(
        of_recent, await h.job("completed", OLD, kind="wizard_import")))
    being_read = await h.upload(OLD)
    await h.import_of(being_read, await h.job("running", OLD, kind="retention_idle"))
    of_abandoned = await h.upload(OLD)
    named_execute = await h.job("failed", OLD)
    await h.migration(done_account, "abandoned", OLD, provider_upload=of_abandoned,
                      execute_job=named_execute)
    recent_upload = await h.upload(RECENT)
    # the audit log
    for n in range(3):
        await h.audit(OLD if n < 2 else RECENT, f"retention_{h.account}")

    target_before, totals_before = await _target_counts(db), await _totals(db)
    active_steps = [await step_runs(db, j) for j in active]
    since = await _last_audit_id(db)
    try:
        done = await purge(db, SETTINGS, seconds=None)
        assert await job_row(db, running) is not None  # still running, untouched so far
        assert dict(done) == {
            "uploads": 3,  # unattached, of_completed, of_abandoned
            # failed_old's and failed_middle's (an organisation, n customers, a page)
            # and failed_import's rows
            "staging_rows": (1 + 3 + 1) + (1 + 1 + 1) + 2,
            # the failed jobs' (failed_old, failed_middle, failed_import) and the deleted
            # jobs' (cancelled_old, completed_old)
            "step_runs": 3 + 3 + 2 + 2 + 2,
            "jobs": 3,  # failed_old, cancelled_old, completed_old
            "audit_entries": 2,
        }, done
        assert await purge(db, SETTINGS, seconds=None) == Counter()  # idempotent
    finally:
        # ended now: not due for another week
        await db.execute("UPDATE migration_jobs SET status = 'cancelled', lease_owner = NULL, "
                         "updated_at = now(), cleaned_up_at = now() "
                         "WHERE id = ANY($1::text[])",
                         [*active, await db.fetchval(
                             "SELECT job_id FROM imports WHERE upload_id = $1", being_read)])

    # removed: the jobs due, their step runs, kind rows and staging; the bytes due
    for job_id in (failed_old, cancelled_old, completed_old):
        assert await _exists(db, "migration_jobs", "id", job_id) == 0
        assert await _exists(db, "migration_step_runs", "job_id", job_id) == 0
    for table in ("staging.customers", "staging.organizations", "staging.source_pages"):
        assert await _exists(db, table, "job_id", failed_old) == 0
        assert await _exists(db, table, "job_id", failed_middle) == 0
        for job_id in active:  # an active job's staging stays
            assert await _exists(db, table, "job_id", job_id) >= 1
    middle = await job_row(db, failed_middle)
    assert middle["status"] == "failed"
    assert middle["staging_purged_at"] is not None
    assert await step_runs(db, failed_middle) == {}  # a retry starts again at step 1
    # kept: active jobs whole, what something points at (marked), what is not due yet
    assert [await step_runs(db, j) for j in active] == active_steps
    assert (await job_row(db, entity_job))["kept_by"] == "target_entity"
    assert len(await step_runs(db, entity_job)) == 8
    assert (await job_row(db, made_entity))["kept_by"] is None
    assert len(await step_runs(db, made_entity)) == 2
    assert (await job_row(db, import_job))["kept_by"] == "import"
    kept_import = await job_row(db, failed_import)
    assert kept_import["kept_by"] == "import"
    assert kept_import["staging_purged_at"] is not None
    assert await step_runs(db, failed_import) == {}
    assert await db.fetchval("SELECT count(*) FROM staging.import_rows r JOIN imports i "
                             "ON i.id = r.import_id WHERE i.job_id = $1", failed_import) == 0
    assert (await job_row(db, named_execute))["kept_by"] is None  # kept whole while named
    assert len(await step_runs(db, named_execute)) == 2
    for job_id in (completed_recent, not_cleaned):
        assert len(await step_runs(db, job_id)) == 2
    assert await _target_counts(db) == target_before
    uploads = {r["id"]: r for r in await db.fetch(
        "SELECT id, content IS NULL AS gone, purged_at, sha256, size_bytes FROM uploads "
        "WHERE id = ANY($1::text[])", [unattached, of_active, of_completed, of_recent,
                                       being_read, of_abandoned, recent_upload])}
    assert {u for u, r in uploads.items() if r["gone"]} == {unattached, of_completed,
                                                             of_abandoned}
    assert all(r["sha256"] and r["size_bytes"] for r in uploads.values())
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE subject = $1",
                             f"retention_{h.account}") == 1
    # bounded batches, each counted and written in the audit log
    entries = await _entries_since(db, since)
    for what, n in done.items():
        assert sum(e.get(what, 0) for e in entries) == n, (what, entries)
        assert (await _totals(db))[what] - totals_before[what] == n
    for entry in entries:
        assert all(entry.get(w, 0) <= BATCH for w in ("uploads", "jobs", "audit_entries"))
        assert all(n <= BATCH for n in entry.get("tables", {}).values())
    assert len([e for e in entries if e["part"] == "uploads"]) == 2  # 2 + 1
    # the job that ran beside it finished as if nothing happened
    await eventually(lambda: _status(db, running, "completed"), "the toy job completes")
    assert (await step_runs(db, running))[2]["created_count"] == 30


async def _ticking(db: asyncpg.Pool, job_id: str) -> bool:
    return bool((await job_row(db, job_id))["step_number"] == 2)


async def _status(db: asyncpg.Pool, job_id: str, status: str) -> bool:
    return bool((await job_row(db, job_id))["status"] == status)


async def test_the_purge_clears_every_staging_table(db: asyncpg.Pool) -> None:
    staged = {r[0] for r in await db.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging'")}
    assert set(re.findall(r"DELETE FROM staging\.(\w+)", q("retention_clear_staging"))) == staged


async def test_two_purges_at_once_share_the_work(db: asyncpg.Pool) -> None:
    h = History(db)
    await db.execute("INSERT INTO accounts (id) VALUES ($1)", h.account)
    jobs = [await h.job("cancelled", OLD) for _ in range(9)]
    for n in range(5):
        await h.audit(OLD, f"retention_{h.account}_{n}")
    first, second = await asyncio.gather(purge(db, SETTINGS, seconds=None),
                                         purge(db, SETTINGS, seconds=None))
    assert first["jobs"] + second["jobs"] == 9  # each removed once, none refused
    assert first["audit_entries"] + second["audit_entries"] == 5
    assert "failed" not in first + second
    assert await db.fetchval("SELECT count(*) FROM migration_jobs WHERE id = ANY($1::text[])",
                             jobs) == 0


async def test_a_purged_file_no_longer_counts_against_the_upload_quota(
        db: asyncpg.Pool) -> None:
    h = History(db)
    await db.execute("INSERT INTO accounts (id) VALUES ($1)", h.account)
    upload_id = await h.upload(OLD)  # attached to no migration
    size = await db.fetchval("SELECT size_bytes FROM uploads WHERE id = $1", upload_id)
    quota = UploadQuota(max_bytes=size + 10, per_hour=0)
    with pytest.raises(UploadQuotaExceeded):
        await check_upload_quota(db, h.account, quota, files=1, size=size)
    await purge(db, SETTINGS, seconds=None)
    await check_upload_quota(db, h.account, quota, files=1, size=size)


async def test_retrying_an_import_whose_file_was_purged_says_so(
        wizard: Wizard, ops: httpx.AsyncClient, db: asyncpg.Pool) -> None:
    uploaded = await wizard.import_csv("contacts", "contacts.csv",
                                       b"Organisation,Email\nAda Ltd,ada@example.com\n")
    done = await wizard.wait_import(uploaded.json()["id"])
    job_id = await db.fetchval("SELECT job_id FROM imports WHERE id = $1", done["id"])
    # as long after as retention takes: the bytes gone, the job failed (a worker died)
    await db.execute("UPDATE uploads SET content = NULL, purged_at = now() WHERE id IN "
                     "(SELECT upload_id FROM import_files WHERE import_id = $1)", done["id"])
    await db.execute("UPDATE migration_jobs SET status = 'failed', error_code = 'X' "
                     "WHERE id = $1", job_id)
    retried = await ops.post(f"/ops/jobs/{job_id}/retry")
    assert retried.status_code == 200, retried.text

    async def failed_again() -> bool:
        return bool((await job_row(db, job_id))["error_code"] == "FILE_PURGED")

    await eventually(failed_again, "the retried import fails naming the purge")
    job = await job_row(db, job_id)
    assert job["status"] == "failed"
    assert "contacts.csv is no longer kept (RETENTION_UPLOAD_DAYS)" in job["error"]


async def test_the_sweep_runs_the_purge_and_metrics_show_it(
        db: asyncpg.Pool, workers: Workers, web: str) -> None:
    h = History(db)
    await db.execute("INSERT INTO accounts (id) VALUES ($1)", h.account)
    job_id = await h.job("cancelled", OLD)
    sweeper = workers.start("retention-sweeper", **SETTINGS_ENV)
    try:
        await eventually(lambda: _gone(db, job_id), "the sweep deleted the old job")
        await eventually(lambda: _logged(sweeper), "the sweep's log line")
    finally:
        sweeper.kill()

    async def shown() -> bool:
        async with httpx.AsyncClient(timeout=10) as http:
            text = (await http.get(f"{web}/metrics")).text
        families = {f.name: f for f in text_string_to_metric_families(text)}
        family = families.get(PURGED.removesuffix("_total"))
        return bool(family and family.documentation.startswith("What the retention purge")
                    and any(s.labels == {"what": "jobs"} and s.value >= 1
                            for s in family.samples))

    await eventually(shown, "GET /metrics shows the purge")


async def _gone(db: asyncpg.Pool, job_id: str) -> bool:
    return await _exists(db, "migration_jobs", "id", job_id) == 0


async def _logged(proc: Proc) -> bool:
    return bool(re.search(r'"purged_jobs": ?[1-9]', proc.log()))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("retention") / "export.xlsx"
    write_demo_workbook(path)
    return path


async def test_a_purge_racing_an_execute_leaves_it_whole(
        wizard: Wizard, demo: Path, db: asyncpg.Pool) -> None:
    migration = await wizard.ready_migration(demo)
    mid = migration["id"]
    uploads = [r[0] for r in await db.fetch(
        "SELECT DISTINCT f.upload_id FROM wizard_migrations m JOIN import_files f ON f.import_id"
        " IN (m.contacts_import_id, m.balances_import_id, m.invoices_import_id, "
        "m.bills_import_id) WHERE m.id = $1", mid)]
    imports = [r[0] for r in await db.fetch(
        "SELECT DISTINCT import_id FROM import_files WHERE upload_id = ANY($1::text[])",
        uploads)]
    # old files and import jobs: only the migration's status keeps the files
    await db.execute("UPDATE uploads SET created_at = now() - $2::interval "
                     "WHERE id = ANY($1::text[])", uploads, OLD)
    await db.execute("UPDATE migration_jobs SET updated_at = now() - $2::interval WHERE id IN "
                     "(SELECT job_id FROM imports WHERE id = ANY($1::text[]))", imports, OLD)
    stop, passes = asyncio.Event(), Counter[str]()

    async def purging() -> None:
        while not stop.is_set():
            passes.update(await purge(db, SETTINGS, seconds=None))
            passes["passes"] += 1

    loop = asyncio.create_task(purging())
    try:
        executed = await wizard.ok("POST", f"/migrations/{mid}/execute")
    finally:
        stop.set()
        await loop
    assert passes["passes"] > 1
    assert "failed" not in passes
    assert passes["uploads"] == 0  # executing, then completed a moment ago: not due
    proof, expected = executed["reconciliation"], expected_proof(demo)
    assert (proof["totalDebits"], proof["totalCredits"]) == (expected.total_debits,
                                                             expected.total_credits)
    digest = hashlib.sha256(demo.read_bytes()).hexdigest()
    assert {f["sha256"] for f in proof["files"]} == {digest}
    entities = await db.fetch("SELECT id FROM target.entities WHERE source_migration_id = $1",
                              mid)
    assert len(entities) == 1  # one set of target rows
    entity = entities[0]["id"]
    assert await db.fetchval("SELECT count(*) FROM target.journal_entries "
                             "WHERE entity_id = $1", entity) == proof["written"]["journalEntries"]
    assert await db.fetchval("SELECT count(*) FROM uploads WHERE id = ANY($1::text[]) "
                             "AND content IS NOT NULL", uploads) == len(uploads)

    # once it completed long enough ago, its files' bytes go, and nothing else of it
    await db.execute("UPDATE wizard_migrations SET completed_at = now() - $2::interval "
                     "WHERE id = $1",
                     mid, OLD)
    assert (await purge(db, SETTINGS, seconds=None))["uploads"] == len(uploads)
    assert await db.fetchval("SELECT count(*) FROM uploads WHERE id = ANY($1::text[]) "
                             "AND content IS NULL AND purged_at IS NOT NULL",
                             uploads) == len(uploads)
    shown = await wizard.ok("GET", f"/migrations/{mid}")
    assert shown["status"] == "completed"
    assert shown["reconciliation"] == proof  # the proof still names the files by digest
    for import_id in imports:
        found = await wizard.ok("GET", f"/imports/{import_id}")
        assert found["status"] == "confirmed"
        assert digest in str(found)
