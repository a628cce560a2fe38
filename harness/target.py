"""Reads of what a job wrote to the target, for assertions."""

from __future__ import annotations

from typing import Any

import asyncpg

from harness.waits import eventually

KINDS = ("taxes", "customers", "items", "documents", "payments")


async def target_counts(db: asyncpg.Pool, entity_id: str) -> dict[str, int]:
    counts = {kind: await db.fetchval(f"SELECT count(*) FROM target.{kind} WHERE entity_id = $1",
                                      entity_id) for kind in KINDS}
    counts["document_lines"] = await db.fetchval(
        "SELECT count(*) FROM target.document_lines l JOIN target.documents d "
        "ON d.id = l.document_id WHERE d.entity_id = $1", entity_id)
    return counts


async def target_totals(db: asyncpg.Pool, entity_id: str) -> dict[str, Any]:
    docs = await db.fetch("SELECT currency, sum(total_with_tax_minor)::bigint AS t "
                          "FROM target.documents WHERE entity_id = $1 GROUP BY currency",
                          entity_id)
    pays = await db.fetch("SELECT currency, sum(amount_minor)::bigint AS t "
                          "FROM target.payments WHERE entity_id = $1 GROUP BY currency",
                          entity_id)
    return {"document_totals": {r["currency"]: r["t"] for r in docs},
            "payment_totals": {r["currency"]: r["t"] for r in pays}}


async def entities_of_job(db: asyncpg.Pool, job_id: str) -> int:
    return int(await db.fetchval(
        "SELECT count(*) FROM target.entities WHERE source_job_id = $1", job_id))


async def step_cursor(db: asyncpg.Pool, job_id: str, step: int) -> int:
    """How many source records the step has staged so far (0 before it starts)."""
    return int(await db.fetchval(
        "SELECT coalesce(max(cursor), 0) FROM migration_step_runs "
        "WHERE job_id = $1 AND step_number = $2", job_id, step) or 0)


async def step_started(db: asyncpg.Pool, job_id: str, step: int) -> bool:
    return bool(await db.fetchval(
        "SELECT count(*) FROM migration_step_runs WHERE job_id = $1 AND step_number = $2",
        job_id, step))


# the staged records (since schema 0002), and every staging table of a legacy job (the
# documents' pages step 1 keeps for step 5, since 0011)
RECORD_TABLES = ("organizations", "taxes", "tax_rates", "customers", "items", "documents",
                 "document_lines", "payments", "skipped")
STAGING_TABLES = (*RECORD_TABLES, "source_pages", "source_counts")


async def staged_rows(db: asyncpg.Pool, job_id: str, *tables: str) -> int:
    """Rows the job has in staging (in `tables`, or in all of them)."""
    total = 0
    for table in tables or STAGING_TABLES:
        total += await db.fetchval(f"SELECT count(*) FROM staging.{table} WHERE job_id = $1",
                                   job_id)
    return total


async def assert_migrated_exactly(db: asyncpg.Pool, job: dict[str, Any],
                                  want: dict[str, Any]) -> None:
    """The completed job wrote one entity holding exactly the source's records and totals
    (`want` from harness.oracle.expected), and left nothing in staging."""
    assert job["status"] == "completed", job["error"]
    assert await entities_of_job(db, job["id"]) == 1
    assert await target_counts(db, job["entity_id"]) == want["counts"]
    totals = await target_totals(db, job["entity_id"])
    assert totals["document_totals"] == want["document_totals"]
    assert totals["payment_totals"] == want["payment_totals"]
    # the worker clears staging just after the commit, or the sweep does if it died
    await eventually(lambda: _no_staged_rows(db, job["id"]), "staging cleared", timeout=10)


async def _no_staged_rows(db: asyncpg.Pool, job_id: str) -> bool:
    return await staged_rows(db, job_id) == 0
