"""A worker SIGKILLed mid-job: another worker finishes the job within 30 s of the kill,
the target holds exactly the source's records, and the report shows the extra attempt."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from asyncpg.pool import PoolConnectionProxy

from harness.api import Api
from harness.oracle import expected
from harness.processes import Proc
from harness.target import assert_migrated_exactly, step_cursor
from harness.waits import eventually
from legacy_sim.orgs import MEDIUM, ORGS
from tests.support.isolation import OWN_BACKENDS
from tests.support.workers import Workers

RECOVERY_BOUND_SECONDS = 30.0  # operations.md


@pytest.fixture(scope="module")
def medium_expected(simulator: str) -> dict[str, Any]:
    return expected(simulator, ORGS[MEDIUM].id)


async def _finishes_after_kill(api: Api, db: asyncpg.Pool, job_id: str, killed_at: float,
                               want: dict[str, Any], step: int) -> dict[str, Any]:
    done = await api.wait_for(job_id, timeout=RECOVERY_BOUND_SECONDS + 5)
    assert time.monotonic() - killed_at < RECOVERY_BOUND_SECONDS
    await assert_migrated_exactly(db, done, want)
    report = await api.report(job_id)
    assert report["attempts"] == 2
    killed_step = report["steps"][step - 1]
    assert killed_step["attempts"] == 2, killed_step
    assert all(s["attempts"] == 1 for s in report["steps"][:step - 1])  # not redone
    return report


async def _kill_mid_paging(api: Api, db: asyncpg.Pool, sim: httpx.Client, workers: Workers,
                           want: dict[str, Any], step: int, resource: str) -> dict[str, Any]:
    # slow pages of this resource, so the kill lands after some pages were staged
    sim.put("/_sim/faults", json={"latency_ms": 400, "path_contains": f"/{resource}"})
    job = await api.start(ORGS[MEDIUM].id)
    await eventually(lambda: step_cursor(db, job["id"], step),
                     f"step {step} staged a page", timeout=60)
    await workers.kill_holder(db, job["id"])
    killed_at = time.monotonic()
    sim.put("/_sim/faults", json={})
    report = await _finishes_after_kill(api, db, job["id"], killed_at, want, step)
    counts = report["steps"][step - 1]["counts"]
    assert counts["source"] == counts["created"] + counts["skipped"]  # resumed, none twice
    return report


async def test_killed_during_step_3(api: Api, db: asyncpg.Pool, sim: httpx.Client,
                                    workers: Workers, rescuer: Proc,
                                    medium_expected: dict[str, Any]) -> None:
    await _kill_mid_paging(api, db, sim, workers, medium_expected, 3, "clients")


async def test_killed_during_step_5(api: Api, db: asyncpg.Pool, sim: httpx.Client,
                                    workers: Workers, rescuer: Proc,
                                    medium_expected: dict[str, Any]) -> None:
    await _kill_mid_paging(api, db, sim, workers, medium_expected, 5, "documents")


@pytest.fixture
async def payments_locked(db: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy[Any]]:
    """Holds a lock on target.payments, so a commit stops midway (after the entity,
    customers and documents are written) until the test lets go."""
    conn = await db.acquire()
    await conn.execute("BEGIN; LOCK TABLE target.payments IN ACCESS EXCLUSIVE MODE")
    try:
        yield conn
    finally:
        if conn.is_in_transaction():
            await conn.execute("ROLLBACK")
        await db.release(conn)


async def _commit_waiting_on_lock(db: asyncpg.Pool) -> bool:
    return bool(await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity "
        f"WHERE {OWN_BACKENDS} AND wait_event_type = 'Lock' "
        "AND query LIKE '%INSERT INTO target.payments%'"))


async def test_killed_during_the_commit(api: Api, db: asyncpg.Pool, workers: Workers,
                                        rescuer: Proc, payments_locked: PoolConnectionProxy[Any],
                                        medium_expected: dict[str, Any]) -> None:
    job = await api.start(ORGS[MEDIUM].id)
    await eventually(lambda: _commit_waiting_on_lock(db), "the commit reached payments")
    await workers.kill_holder(db, job["id"])
    killed_at = time.monotonic()
    # the dead worker's half-done transaction holds the entity; it rolls back once its
    # backend notices the client is gone, after the lock is released
    await payments_locked.execute("ROLLBACK")
    await _finishes_after_kill(api, db, job["id"], killed_at, medium_expected, 8)
