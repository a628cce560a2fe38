"""COPY into staging (worker/staging/copy.py): a page that overlaps rows already staged (a
source that shifted under offset paging, or a page another run staged first) stages only
its new rows, and the page's transaction goes on; and staging without foreign keys still
lets no orphan line reach the target."""

from __future__ import annotations

import asyncpg
import pytest

from harness.api import Api
from legacy_sim.orgs import ORGS, SMALL, UNSUPPORTED
from worker.kinds.legacy_migration.source.convert import SKIPPED_COLUMNS
from worker.staging.copy import copy_rows
from worker.target.errors import CommitMismatch
from worker.target.records import Entity
from worker.target.writer import create_entity, write_staged


async def test_an_overlapping_page_stages_only_its_new_rows(api: Api, db: asyncpg.Pool
                                                            ) -> None:
    job = await api.start(ORGS[SMALL].id)  # a job row for the staged rows to belong to
    await api.wait_for(job["id"])

    def rows(*ids: str) -> list[tuple[str, str, str, str]]:
        return [(job["id"], "document", legacy_id, "a test") for legacy_id in ids]

    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            assert await copy_rows(conn, "skipped", SKIPPED_COLUMNS, rows("a", "b")) == 2
            assert await copy_rows(conn, "skipped", SKIPPED_COLUMNS, rows("b", "c", "a")) == 1
            assert await copy_rows(conn, "skipped", SKIPPED_COLUMNS, rows("d")) == 1
            staged = await conn.fetch("SELECT legacy_id FROM staging.skipped WHERE job_id = $1 "
                                      "ORDER BY legacy_id", job["id"])
            assert [r["legacy_id"] for r in staged] == ["a", "b", "c", "d"]
        finally:
            await transaction.rollback()


async def test_a_line_whose_document_was_not_staged_fails_the_commit(
        api: Api, db: asyncpg.Pool) -> None:
    """Staging keeps no foreign keys (migration 0013): a line staged without its document
    is caught by the commit's count check, and nothing is written."""
    job = await api.start(ORGS[UNSUPPORTED].id)  # fails at step 1: a job with no entity
    assert (await api.wait_for(job["id"]))["status"] == "failed"
    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute(
                "INSERT INTO staging.document_lines (job_id, document_legacy_id, position, "
                "quantity, unit_price) VALUES ($1, 'never-staged', 0, 1, 1)", job["id"])
            await create_entity(conn, Entity(id="ent_orphan_line_test", environment="sandbox",
                                             name="Orphans Ltd", currency="EUR",
                                             source_job_id=job["id"]))
            with pytest.raises(CommitMismatch, match="document_lines: staged 1, written 0"):
                await write_staged(conn, job["id"], "ent_orphan_line_test")
        finally:
            await transaction.rollback()
