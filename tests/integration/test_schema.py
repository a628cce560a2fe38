"""Applying every migration to an empty database gives the schema; re-applying is a no-op."""

import asyncpg

from harness.database import drop_database, recreate_database, sibling_database
from tests.conftest import TEST_DB
from tests.support.isolation import own_database
from worker.db.pool import connect
from worker.db.schema import apply_migrations, load_migrations

EXPECTED_TABLES = {
    # (views too: fair_share_running, migration 0017)
    "public": {"accounts", "api_keys", "api_key_accounts", "migration_jobs",
               "fair_share_running",
               "legacy_migration_jobs", "migration_step_runs", "workers", "schema_migrations",
               "uploads", "imports", "import_files", "wizard_migrations", "metric_totals",
               "job_events", "audit_log"},
    "staging": {"organizations", "taxes", "tax_rates", "customers", "items", "documents",
                "document_lines", "payments", "skipped", "import_rows", "source_pages",
                "source_counts"},
    "target": {"entities", "taxes", "tax_rates", "customers", "items", "documents",
               "document_lines", "payments", "ledger_accounts", "journal_entries",
               "journal_lines", "journal_balance_checks"},
}


async def test_all_migrations_build_the_schema_on_an_empty_database() -> None:
    url = own_database(sibling_database(TEST_DB, "migration_worker_schema_test"))
    await recreate_database(url)
    conn = await connect(url)
    try:
        applied = await apply_migrations(conn)
        assert [m.version for m in applied] == [m.version for m in load_migrations()]
        rows = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('public', 'staging', 'target')")
        found: dict[str, set[str]] = {}
        for r in rows:
            found.setdefault(r["table_schema"], set()).add(r["table_name"])
        assert found == EXPECTED_TABLES
        indexes = {r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes")}
        assert {"migration_jobs_one_active_per_key", "entities_one_live_per_legacy_org",
            "migration_jobs_cleanup_pending"} <= indexes
        # every target kind keeps its source ID unique per entity
        uniques = await conn.fetch(
            "SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS d "
            "FROM pg_constraint WHERE contype = 'u' AND connamespace = 'target'::regnamespace")
        assert {u["t"] for u in uniques if "legacy_id" in u["d"]} == {
            "target.taxes", "target.customers", "target.items", "target.documents",
            "target.payments", "target.journal_entries"}
        assert await apply_migrations(conn) == []  # idempotent
        count = await conn.fetchval("SELECT count(*) FROM schema_migrations")
        assert count == len(load_migrations())
    finally:
        await conn.close()
        await drop_database(url)


async def test_an_edited_migration_is_refused(db: asyncpg.Pool) -> None:
    async with db.acquire() as conn:
        await conn.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")
        try:
            # a pool's connection proxy forwards every call to its asyncpg.Connection, but
            # apply_migrations is annotated for a plain Connection (worker/db/schema.py)
            await apply_migrations(conn)  # type: ignore[arg-type]
            raised = False
        except RuntimeError as exc:
            raised = "was changed after it was applied" in str(exc)
        finally:
            await conn.execute(
                "UPDATE schema_migrations SET checksum = $1 WHERE version = 1",
                load_migrations()[0].checksum)
    assert raised
