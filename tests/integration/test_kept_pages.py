"""Legacy documents read once: step 1 keeps the pages it reads to find unsupported data,
and step 5 stages them from there (kept_pages.py), reading from the legacy API only where
the kept pages stop."""

from __future__ import annotations

import asyncpg
import httpx

from harness.api import Api
from harness.oracle import expected
from harness.target import assert_migrated_exactly, staged_rows
from legacy_sim.orgs import MEDIUM, ORGS, SMALL
from worker.db.queries import q


def document_reads(sim: httpx.Client, org_id: str) -> int:
    """Pages of the organisation's documents the simulator has served so far."""
    paths = sim.get("/_sim/stats").json()["paths"]
    return int(paths.get(f"/v1/Organizations/{org_id}/documents", 0))


async def test_each_page_of_documents_is_read_once(api: Api, db: asyncpg.Pool,
                                                   sim: httpx.Client, simulator: str) -> None:
    org = ORGS[SMALL]  # 40 documents: one page
    want = expected(simulator, org.id)
    before = document_reads(sim, org.id)
    job = await api.start(org.id)
    done = await api.wait_for(job["id"])
    await assert_migrated_exactly(db, done, want)
    assert document_reads(sim, org.id) - before == 1  # step 1's read; step 5 kept it
    assert await staged_rows(db, job["id"], "source_pages", "source_counts") == 0


async def test_pages_no_longer_kept_are_read_again(api: Api, db: asyncpg.Pool,
                                                   sim: httpx.Client, simulator: str) -> None:
    org = ORGS[MEDIUM]  # 10,000 documents: ten pages of 1,000, then an empty one
    want = expected(simulator, org.id)
    before = document_reads(sim, org.id)
    sim.put("/_sim/faults", json={"latency_ms": 1500, "path_contains": "/items"})
    job = await api.start(org.id)
    await api.wait_for(job["id"], lambda j: j["step_number"] >= 4)  # step 1 kept every page
    read_in_step_1 = document_reads(sim, org.id) - before
    assert read_in_step_1 >= 11  # and what the read-ahead asked for past the end
    # the second half lost (as an unlogged table's pages are in a Postgres crash)
    deleted = await db.execute("DELETE FROM staging.source_pages WHERE job_id = $1 AND "
                               "skip >= 5000", job["id"])
    assert deleted == "DELETE 5"
    sim.put("/_sim/faults", json={})
    done = await api.wait_for(job["id"], timeout=120)
    await assert_migrated_exactly(db, done, want)
    # step 5: 5 kept pages, then 5 reads, the empty one, and at most LEGACY_READ_AHEAD (3)
    # reads past the end in flight when it came
    read_in_step_5 = document_reads(sim, org.id) - before - read_in_step_1
    assert 6 <= read_in_step_5 <= 5 + 3


async def test_a_worker_without_the_lease_keeps_nothing(api: Api, db: asyncpg.Pool) -> None:
    job = await api.start(ORGS[SMALL].id)
    done = await api.wait_for(job["id"])
    assert done["status"] == "completed", done["error"]
    # a worker that lost the lease while reading step 1's pages, writing after the job
    # completed and its staging was cleared: nothing is written
    status = await db.execute(q("keep_source_page"), job["id"], "documents", 1000, 0, b"[]",
                              "a worker that lost the lease")
    assert status == "INSERT 0 0"
    assert await staged_rows(db, job["id"], "source_pages") == 0
