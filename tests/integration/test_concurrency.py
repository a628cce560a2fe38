"""One active job per organisation, one runner per job."""

import asyncio
import json

import asyncpg
from arq.connections import ArqRedis, RedisSettings, create_pool

from harness.api import Api
from harness.oracle import expected
from harness.processes import Proc
from harness.target import assert_migrated_exactly, entities_of_job
from legacy_sim.orgs import MEDIUM, ORGS, SMALL
from tests.conftest import TEST_REDIS
from tests.support.workers import Workers
from worker.queue import RUN_JOB


async def test_two_simultaneous_creates_one_wins(api: Api) -> None:
    session = (await api.login())["legacy_session_id"]
    org = ORGS[SMALL].id
    responses = await asyncio.gather(*(api.create(org, session) for _ in range(2)))
    assert sorted(r.status_code for r in responses) == [201, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["error"]["code"] == "ACTIVE_JOB_EXISTS"
    winner = next(r for r in responses if r.status_code == 201).json()
    assert (await api.wait_for(winner["id"]))["status"] == "completed"


async def test_a_job_delivered_twice_runs_once(api: Api, db: asyncpg.Pool, workers: Workers,
                                               queue_name: str) -> None:
    dup = workers.start("worker-dup")  # two workers compete for the deliveries
    job = await api.start(ORGS[MEDIUM].id)
    arq: ArqRedis = await create_pool(RedisSettings.from_dsn(TEST_REDIS))
    try:
        # a second delivery of the same migration, as a duplicate arq job
        await arq.enqueue_job(RUN_JOB, job["id"], _job_id=job["id"] + "-again",
                              _queue_name=queue_name)
    finally:
        await arq.aclose()
    done = await api.wait_for(job["id"])
    assert done["status"] == "completed", done["error"]
    assert await entities_of_job(db, job["id"]) == 1
    runs = await db.fetch("SELECT step_number, attempts FROM migration_step_runs "
                          "WHERE job_id = $1", job["id"])
    assert {r["attempts"] for r in runs} == {1}  # no step ran twice
    assert await db.fetchval("SELECT attempts FROM migration_jobs WHERE id = $1", job["id"]) == 1
    dup.kill()


async def test_two_workers_many_jobs_each_exactly_once(api: Api, db: asyncpg.Pool,
                                                      simulator: str, workers: Workers,
                                                      worker: Proc, rescuer: Proc) -> None:
    jobs = await api.start_fleet(24)
    for job in jobs:
        done = await api.wait_for(job["id"], timeout=120)
        await assert_migrated_exactly(db, done, expected(simulator, job["legacy_org_id"]))
        report = await api.report(job["id"])
        assert report["attempts"] == 1
        assert {s["attempts"] for s in report["steps"]} == {1}
    ours = {j["id"] for j in jobs}
    started = {proc.name: _jobs_started(proc) & ours for proc in (worker, rescuer)}
    assert started[worker.name], "the main worker ran none"  # both took a share
    assert started[rescuer.name], "the second worker ran none"
    assert not started[worker.name] & started[rescuer.name]  # and none ran on both


def _jobs_started(proc: Proc) -> set[str]:
    """The jobs a worker's log says it started."""
    lines = [json.loads(line) for line in proc.log().splitlines() if line.startswith("{")]
    return {line["job_id"] for line in lines if line["event"] == "job started"}


async def test_lease_is_taken_atomically(db: asyncpg.Pool, worker: Proc) -> None:
    """Many concurrent takers of one lease: exactly one gets it."""
    await db.execute("INSERT INTO accounts (id) VALUES ('acc_lease') ON CONFLICT DO NOTHING")
    await db.execute(
        "INSERT INTO migration_jobs (id, kind, account_id, total_steps, status) VALUES "
        "('mig_0000000000000000000000ff', 'legacy_migration', 'acc_lease', 8, 'cancelled')")
    await db.execute("UPDATE migration_jobs SET status = 'pending' "
                     "WHERE id = 'mig_0000000000000000000000ff'")
    from worker.store.jobs import JobStore

    store = JobStore(db)
    got = await asyncio.gather(*(store.acquire_lease("mig_0000000000000000000000ff",
                                                     worker_id="wrk_test", owner=f"taker-{i}",
                                                     seconds=30, kinds=["legacy_migration"])
                                 for i in range(10)))
    assert sum(r is not None for r in got) == 1
    await db.execute("UPDATE migration_jobs SET status = 'cancelled', lease_owner = NULL "
                     "WHERE id = 'mig_0000000000000000000000ff'")
