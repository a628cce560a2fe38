"""COPY into staging (worker/staging/copy.py): a page that overlaps rows already staged (a
source that shifted under offset paging, or a page another run staged first) stages only
its new rows, and the page's transaction goes on."""

from __future__ import annotations

import asyncpg

from legacy_sim.orgs import ORGS, SMALL
from tests.support.api import Api
from worker.kinds.legacy_migration.source.convert import SKIPPED_COLUMNS
from worker.staging.copy import copy_rows


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
