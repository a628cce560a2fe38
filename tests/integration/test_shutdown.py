"""SIGTERM: the worker stops taking jobs, pauses running ones at their next checkpoint,
releases their leases and exits 0; the job continues on another worker at once."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import asyncpg
import httpx

from harness.api import Api
from harness.oracle import expected
from harness.processes import Proc, exit_code
from harness.target import assert_migrated_exactly, step_cursor, step_started
from harness.waits import eventually
from legacy_sim.orgs import MEDIUM, ORGS
from tests.conftest import SHUTDOWN_GRACE_SECONDS
from tests.support.workers import Workers


async def _lease_of(db: asyncpg.Pool, job_id: str) -> Any:
    return await db.fetchval("SELECT lease_owner FROM migration_jobs WHERE id = $1", job_id)


async def _start_slowed(api: Api, db: asyncpg.Pool, sim: httpx.Client) -> dict[str, Any]:
    sim.put("/_sim/faults", json={"latency_ms": 300, "path_contains": "/documents"})
    job = await api.start(ORGS[MEDIUM].id)
    await eventually(lambda: step_cursor(db, job["id"], 5), "step 5 under way")
    return job


async def test_sigterm_pauses_the_job_at_a_checkpoint(
        api: Api, db: asyncpg.Pool, sim: httpx.Client, simulator: str, workers: Workers,
        rescuer: Proc) -> None:
    job = await _start_slowed(api, db, sim)
    holder = await workers.holder_of(db, job["id"])
    old_lease = await _lease_of(db, job["id"])
    holder.signal(signal.SIGTERM)
    assert await exit_code(holder, SHUTDOWN_GRACE_SECONDS) == 0
    assert "job paused at a checkpoint for the worker's shutdown" in holder.log()
    assert await _lease_of(db, job["id"]) != old_lease  # released, not left to expire
    sim.put("/_sim/faults", json={})
    done = await api.wait_for(job["id"], timeout=60)
    await assert_migrated_exactly(db, done, expected(simulator, ORGS[MEDIUM].id))
    report = await api.report(job["id"])
    assert report["attempts"] == 2
    assert report["steps"][4]["attempts"] == 2  # resumed inside step 5, from its cursor
    assert all(s["attempts"] == 1 for s in report["steps"][:4])


async def test_a_second_sigterm_cancels_at_once_and_still_hands_the_job_on(
        api: Api, db: asyncpg.Pool, sim: httpx.Client, simulator: str, workers: Workers,
        rescuer: Proc) -> None:
    # step 4's first request hangs (until the client's 3 s timeout): no checkpoint comes
    # before the second signal
    sim.put("/_sim/faults", json={"path_contains": "/items", "script": [{"hang_seconds": 60}]})
    job = await api.start(ORGS[MEDIUM].id)
    await eventually(lambda: step_started(db, job["id"], 4), "step 4 started")
    holder = await workers.holder_of(db, job["id"])
    old_lease = await _lease_of(db, job["id"])
    holder.signal(signal.SIGTERM)
    await asyncio.sleep(0.3)  # two signals at once would merge into one
    holder.signal(signal.SIGTERM)
    assert await exit_code(holder, 5) == 0
    assert "second signal: cancelling running jobs now" in holder.log()
    assert await _lease_of(db, job["id"]) != old_lease
    done = await api.wait_for(job["id"], timeout=60)
    await assert_migrated_exactly(db, done, expected(simulator, ORGS[MEDIUM].id))
    report = await api.report(job["id"])
    assert report["attempts"] == 2
    assert report["steps"][3]["attempts"] == 2
