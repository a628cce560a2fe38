"""The registry of workers (table `workers`): a worker registers, heartbeats with the jobs it
runs and deregisters on a graceful exit; a worker that falls silent is marked dead and its
jobs move on at once, long before their leases would have expired; one that was only frozen
comes back alive and writes nothing more for the job it lost."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
import uuid
from importlib.metadata import version
from typing import Any

import asyncpg
from arq.connections import ArqRedis

from harness.processes import Proc, exit_code
from harness.target import step_cursor
from harness.waits import eventually
from tests.support.toys import create_toy_job, job_row, step_runs, ticks_written
from tests.support.workers import Workers
from worker.store.workers import WorkerStatus, WorkerStore

# A lease this long never expires during a test: only the registry can free the job.
LONG_LEASE = "120"
DEAD_AFTER_SECONDS = 4.0  # tests/conftest.py: WORKER_DEAD_AFTER_SECONDS


async def _registered(db: asyncpg.Pool, proc: Proc) -> Any:
    return await db.fetchrow("SELECT * FROM workers WHERE pid = $1 AND host = $2 "
                             "ORDER BY started_at DESC LIMIT 1", proc.pid, socket.gethostname())


async def _status(db: asyncpg.Pool, proc: Proc) -> str | None:
    row = await _registered(db, proc)
    return None if row is None else str(row["status"])


async def _ticked(db: asyncpg.Pool, job_id: str, ticks: int) -> bool:
    return await step_cursor(db, job_id, 2) >= ticks


async def _completed(db: asyncpg.Pool, job_id: str) -> bool:
    return bool((await job_row(db, job_id))["status"] == "completed")


async def _a_job_held_by(proc: Proc, db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str,
                         workers: Workers) -> str:
    """A toy job (80 ticks) that `proc`, not the suite's other workers, is running."""
    await eventually(lambda: _registered(db, proc), f"{proc.name} registered")
    for _ in range(20):
        job_id = await create_toy_job(db, arq_redis, queue_name, ticks=80, tick_seconds=0.05)
        await eventually(lambda: _ticked(db, job_id, 1), "the job started")  # noqa: B023
        if (await workers.holder_of(db, job_id)).pid == proc.pid:
            return job_id
    raise AssertionError(f"{proc.name} never took a job")


async def test_a_worker_registers_heartbeats_and_deregisters(
        db: asyncpg.Pool, arq_redis: ArqRedis, workers: Workers) -> None:
    queue = f"test:registry:{uuid.uuid4().hex[:6]}"  # its own queue: the job runs on it
    proc = workers.start("registered", QUEUE_NAME=queue, WORKER_CONCURRENCY="3")
    row = await eventually(lambda: _registered(db, proc), "the worker registered")
    assert (row["status"], row["concurrency"], row["running"]) == ("alive", 3, 0)
    assert row["version"] == version("migration-worker")
    assert row["id"].startswith("wrk_")

    job_id = await create_toy_job(db, arq_redis, queue, ticks=40, tick_seconds=0.05)

    async def running_one() -> bool:
        now = await _registered(db, proc)
        return bool(now["running"] == 1 and now["last_seen_at"] > row["last_seen_at"])

    await eventually(running_one, "its heartbeat shows the job it runs", timeout=15)
    assert (await job_row(db, job_id))["worker_id"] == row["id"]
    listed = {w.id: w for w in await WorkerStore(db).list()}
    assert listed[row["id"]].last_seen_seconds_ago < 5
    assert listed[row["id"]].status is WorkerStatus.ALIVE
    await eventually(lambda: _completed(db, job_id), "the job completed")

    proc.signal(signal.SIGTERM)
    assert await exit_code(proc, 15) == 0
    gone = await _registered(db, proc)
    assert gone["status"] == "stopped"
    assert gone["stopped_at"] is not None
    stopped = await WorkerStore(db).list((WorkerStatus.STOPPED,))
    assert row["id"] in {w.id for w in stopped}


async def test_a_silent_worker_is_marked_dead_and_its_job_moves_on_at_once(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, workers: Workers,
        worker: Proc) -> None:
    victim = workers.start("victim", LEASE_SECONDS=LONG_LEASE)
    job_id = await _a_job_held_by(victim, db, arq_redis, queue_name, workers)
    victim.kill()
    killed_at = time.monotonic()

    async def taken_over() -> bool:
        row = await job_row(db, job_id)
        return row["status"] == "completed" or (
            row["lease_owner"] is not None and row["worker_id"] != victim_id)

    victim_id = (await _registered(db, victim))["id"]
    await eventually(taken_over, "another worker took the job", timeout=30)
    took = time.monotonic() - killed_at
    # presumed dead after 4 s of silence, noticed within a heartbeat; the lease had 120 s
    assert took < DEAD_AFTER_SECONDS + 6, took
    assert await _status(db, victim) == "dead"
    await eventually(lambda: _completed(db, job_id), "the job completed")
    assert await ticks_written(db, job_id) == 80
    assert (await step_runs(db, job_id))[1]["attempts"] == 1


async def test_a_frozen_worker_comes_back_alive_and_writes_nothing_more(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, workers: Workers,
        worker: Proc) -> None:
    frozen = workers.start("frozen", LEASE_SECONDS=LONG_LEASE)
    job_id = await _a_job_held_by(frozen, db, arq_redis, queue_name, workers)
    frozen.signal(signal.SIGSTOP)
    try:
        await eventually(lambda: _dead(db, frozen), "the frozen worker presumed dead",
                         timeout=20)
        await eventually(lambda: _completed(db, job_id), "another worker finished the job")
    finally:
        frozen.signal(signal.SIGCONT)
    await eventually(lambda: _alive(db, frozen), "it is alive again once it runs", timeout=10)
    await asyncio.sleep(1)  # its next checkpoint found the lease gone: nothing more written
    assert await ticks_written(db, job_id) == 80
    assert (await job_row(db, job_id))["status"] == "completed"
    assert "lease lost: another worker has taken the job over" in frozen.log()
    frozen.kill()


async def _dead(db: asyncpg.Pool, proc: Proc) -> bool:
    return await _status(db, proc) == "dead"


async def _alive(db: asyncpg.Pool, proc: Proc) -> bool:
    return await _status(db, proc) == "alive"
