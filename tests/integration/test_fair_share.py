"""Fair share of the workers' slots (security.md, "Tenants"): an account with hundreds of
jobs queued does not make another account's job wait behind them; jobs parked for the
share run later, once each, even when workers are killed while parking and unparking."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import asyncpg
from arq.connections import ArqRedis

from harness.processes import Proc
from harness.waits import eventually
from tests.support.toys import create_toy_job, ticks_written
from tests.support.workers import Workers


def _account(name: str) -> str:
    return f"acc_fair_{name}_{uuid.uuid4().hex[:8]}"


async def _jobs(db: asyncpg.Pool, account: str) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM migration_jobs WHERE account_id = $1 ORDER BY id",
                          account)
    return [dict(r) for r in rows]


async def _all_finished(db: asyncpg.Pool, *accounts: str) -> bool:
    return not await db.fetchval(
        "SELECT count(*) FROM migration_jobs WHERE account_id = ANY($1::text[]) "
        "AND status IN ('pending', 'running')", list(accounts))


async def _running(db: asyncpg.Pool, account: str) -> int:
    return int(await db.fetchval(
        "SELECT count(*) FROM migration_jobs WHERE account_id = $1 AND status = 'running'",
        account))


async def _only_alive(db: asyncpg.Pool, worker: Proc) -> None:
    """The fleet is `worker` alone: a worker an earlier test killed stays registered alive
    until its silence is noticed, and its slots would raise every account's share (then
    nothing is parked and the test measures nothing)."""

    async def registered() -> bool:
        return bool(await db.fetchval(
            "SELECT 1 FROM workers WHERE pid = $1 AND status = 'alive'", worker.pid))

    await eventually(registered, "the worker registered")
    await db.execute("UPDATE workers SET status = 'dead' WHERE status = 'alive' AND pid <> $1",
                     worker.pid)


async def test_a_waiting_account_does_not_queue_behind_a_flood(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, worker: Proc) -> None:
    await _only_alive(db, worker)
    flood, small = _account("flood"), _account("small")
    # queued at once, and slower to run than to queue: most of it still waits when the
    # small account's job comes
    flooded = await asyncio.gather(*(
        create_toy_job(db, arq_redis, queue_name, ticks=10, tick_seconds=0.15, account=flood)
        for _ in range(24)))
    await eventually(lambda: _running(db, flood), "the flood started")
    waiting = await db.fetchval("SELECT count(*) FROM migration_jobs WHERE account_id = $1 "
                                "AND started_at IS NULL", flood)
    job_id = await create_toy_job(db, arq_redis, queue_name, ticks=1, account=small)

    await eventually(lambda: _all_finished(db, flood, small), "every job finished",
                     timeout=120)
    mine = (await _jobs(db, small))[0]
    assert mine["status"] == "completed", mine["error"]
    flood_jobs = await _jobs(db, flood)
    # queued first-in first-out, the small job would start after all 24; with the fair
    # share it starts while most of the flood still waits
    after = [j for j in flood_jobs if j["started_at"] > mine["started_at"]]
    assert waiting >= 12, waiting
    assert len(after) >= waiting - 4, (waiting, len(after))  # 4: the slots of the worker
    assert {j["status"] for j in flood_jobs} == {"completed"}
    assert all(j["parked_at"] is None for j in flood_jobs)
    for flooded_id in flooded:
        assert await ticks_written(db, flooded_id) == 10
    assert job_id == mine["id"]


async def test_parked_jobs_run_once_each_when_workers_are_killed(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, worker: Proc,
        workers: Workers) -> None:
    flood, other = _account("kill_a"), _account("kill_b")
    extra = [workers.start(f"fair-{n}") for n in range(2)]
    ticks = {}
    # the flood first: it takes every slot; then the other account's jobs, which wait
    for n in range(24):
        job_id = await create_toy_job(db, arq_redis, queue_name, ticks=10, tick_seconds=0.03,
                                   account=flood if n < 19 else other)
        ticks[job_id] = 10
    parked_seen = False
    rng = random.Random(18)
    for _ in range(4):  # kill a worker of the pair mid-run, then start it again
        await asyncio.sleep(rng.uniform(0.3, 0.8))
        parked_seen = parked_seen or bool(await db.fetchval(
            "SELECT count(*) FROM migration_jobs WHERE parked_at IS NOT NULL "
            "AND account_id = ANY($1::text[])", [flood, other]))
        victim = rng.choice(extra)
        victim.kill()
        victim.start()

    await eventually(lambda: _all_finished(db, flood, other), "every job finished",
                     timeout=180)
    finished = [*await _jobs(db, flood), *await _jobs(db, other)]
    assert len(finished) == len(ticks)
    for job in finished:
        assert job["status"] == "completed", (job["id"], job["error"])
        assert job["parked_at"] is None
        # a tick written twice would have failed the job (primary key); none is missing
        assert await ticks_written(db, job["id"]) == ticks[job["id"]]
    assert parked_seen or "job parked" in workers.logs()
    for proc in extra:
        proc.kill()
