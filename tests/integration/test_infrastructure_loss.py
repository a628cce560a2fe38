"""Redis flushed, and Postgres or Redis connections dropped, under running jobs: every job
still completes, exactly once; staging a dead worker left behind is cleared by the sweep."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import asyncpg
import httpx
from redis.asyncio import Redis

from harness.api import Api
from harness.oracle import expected
from harness.processes import Proc
from harness.target import assert_migrated_exactly, staged_rows
from harness.waits import eventually
from legacy_sim.orgs import MEDIUM, ORGS, SMALL
from tests.support.isolation import OWN_BACKENDS, kill_own_redis_clients
from tests.support.workers import Workers


async def _statuses(db: asyncpg.Pool, jobs: list[dict[str, Any]]) -> Counter[str]:
    rows = await db.fetch("SELECT status FROM migration_jobs WHERE id = ANY($1::text[])",
                          [j["id"] for j in jobs])
    return Counter(r["status"] for r in rows)


async def _all_complete_exactly(api: Api, db: asyncpg.Pool, simulator: str,
                                jobs: list[dict[str, Any]]) -> None:
    for job in jobs:
        done = await api.wait_for(job["id"], timeout=120)
        await assert_migrated_exactly(db, done, expected(simulator, job["legacy_org_id"]))


async def test_jobs_survive_a_redis_flush(api: Api, db: asyncpg.Pool, redis: Redis,
                                          sim: httpx.Client, simulator: str,
                                          worker: Proc) -> None:
    sim.put("/_sim/faults", json={"latency_ms": 150})
    jobs = await api.start_fleet(12)  # more than the workers run at once: some wait

    async def running_and_pending() -> bool:
        statuses = await _statuses(db, jobs)
        return statuses["running"] > 0 and statuses["pending"] > 0

    await eventually(running_and_pending, "some jobs running while others wait")
    queue_before = await redis.dbsize()
    await redis.flushdb()  # the queue, arq's job and in-progress keys: all gone
    assert queue_before > 0
    sim.put("/_sim/faults", json={})
    await _all_complete_exactly(api, db, simulator, jobs)


async def _terminate_busy_worker_connections(db: asyncpg.Pool) -> int:
    """Drop the workers' connections that are busy staging a page (a checkpoint, a COPY,
    the step's counts), not those of the sweep, which the job would not notice."""
    return int(await db.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE {OWN_BACKENDS} AND application_name = 'migration-worker' "
        "AND state <> 'idle' "
        "AND (query LIKE 'COPY %' OR query LIKE '%migration_step_runs%' "
        "     OR query LIKE '%SET step = %' OR query LIKE '%staging.%')"))


async def test_jobs_survive_dropped_database_connections(api: Api, db: asyncpg.Pool,
                                                         sim: httpx.Client, simulator: str,
                                                         workers: Workers) -> None:
    sim.put("/_sim/faults", json={"latency_ms": 200, "path_contains": "/documents"})
    job = await api.start(ORGS[MEDIUM].id)
    await eventually(lambda: api.at_step(job["id"], 5), "the job reached step 5")
    await eventually(lambda: _terminate_busy_worker_connections(db),
                     "a worker connection dropped mid-transaction", timeout=30)
    sim.put("/_sim/faults", json={})
    await _all_complete_exactly(api, db, simulator, [job])
    noticed = [line for line in workers.logs().splitlines() if job["id"] in line
               # a step's retry, or the lease renewal's (loop heartbeat:<job>) next beat
               and ("transient failure" in line or "background step failed" in line)]
    assert noticed  # the drop hit the job, which rode it out


async def test_sweep_clears_staging_a_dead_worker_left(api: Api, db: asyncpg.Pool,
                                                       worker: Proc) -> None:
    job = await api.start(ORGS[SMALL].id)
    done = await api.wait_for(job["id"])
    assert done["status"] == "completed", done["error"]
    # what a worker that died between its commit and its clean-up leaves behind
    await db.execute(
        "INSERT INTO staging.organizations (job_id, legacy_id, name, currency) "
        "VALUES ($1, 'x', 'left over', 'EUR')", job["id"])
    await db.execute("UPDATE migration_jobs SET cleaned_up_at = NULL WHERE id = $1",
                     job["id"])
    assert await staged_rows(db, job["id"]) == 1

    async def cleared() -> bool:
        return await staged_rows(db, job["id"]) == 0

    await eventually(cleared, "the sweep cleared the leftover staging", timeout=15)
    assert await db.fetchval("SELECT cleaned_up_at FROM migration_jobs WHERE id = $1",
                             job["id"]) is not None


async def test_jobs_survive_dropped_redis_connections(api: Api, db: asyncpg.Pool, redis: Redis,
                                                      sim: httpx.Client, simulator: str,
                                                      worker: Proc) -> None:
    sim.put("/_sim/faults", json={"latency_ms": 100})
    killed = 0

    async def keep_killing() -> None:
        nonlocal killed
        while True:  # every worker and API connection, every 50 ms, until the jobs are done
            killed += await kill_own_redis_clients(redis)
            await asyncio.sleep(0.05)

    killer = asyncio.create_task(keep_killing())
    try:
        jobs = await api.start_fleet(8)
        for job in jobs:
            await api.wait_for(job["id"], timeout=60)
    finally:
        killer.cancel()
    assert killed > 0
    sim.put("/_sim/faults", json={})
    await _all_complete_exactly(api, db, simulator, jobs)
    assert worker.alive()
