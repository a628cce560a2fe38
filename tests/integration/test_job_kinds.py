"""A kind of job defined in the tests only (tests/kinds/toy.py) runs through the real worker
like the legacy migration: it completes, resumes after a SIGKILL at its second step without
redoing the first, is cancelled at a checkpoint, pauses on SIGTERM, and fails with its own
words. A job of a kind no worker runs waits, untouched, for one that does."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import asyncpg
from arq.connections import ArqRedis
from arq.constants import job_key_prefix

from harness.processes import Proc, exit_code
from harness.target import step_cursor
from harness.waits import eventually
from tests.conftest import SHUTDOWN_GRACE_SECONDS
from tests.kinds.toy import TOY
from tests.support.toys import (
    TOY_ACCOUNT,
    create_toy_job,
    events,
    job_row,
    step_runs,
    ticks_written,
)
from tests.support.workers import Workers
from worker.enqueue import cancel_job
from worker.ids import new_job_id
from worker.queue import enqueue_run
from worker.store.audit import SERVICE


async def _finished(db: asyncpg.Pool, job_id: str, timeout: float = 60) -> Any:
    async def terminal() -> dict[str, Any] | None:
        row = await job_row(db, job_id)
        return row if row["status"] in ("completed", "failed", "cancelled") else None

    return await eventually(terminal, f"job {job_id} finished", timeout)


async def test_a_toy_job_completes(db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str,
                                   worker: Proc) -> None:
    job_id = await create_toy_job(db, arq_redis, queue_name, ticks=5)
    job = await _finished(db, job_id)
    assert job["status"] == "completed", job["error"]
    assert job["kind"] == "toy"
    assert (job["step"], job["step_number"], job["total_steps"]) == ("Completed", 2, 2)
    assert job["progress_detail"] == "Ticked 5 times."
    runs = await step_runs(db, job_id)
    assert {n: r["status"] for n, r in runs.items()} == {1: "finished", 2: "finished"}
    assert runs[2]["created_count"] == 5
    assert await ticks_written(db, job_id) == 5
    await eventually(lambda: _cleaned_up(db, job_id), "the kind's clean-up ran", timeout=10)


async def _cleaned_up(db: asyncpg.Pool, job_id: str) -> bool:
    done = await db.fetchval("SELECT cleaned_up_at FROM migration_jobs WHERE id = $1", job_id)
    return done is not None and "cleaned up" in await events(db, job_id)


async def test_a_toy_job_resumes_at_step_2_after_a_sigkill(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, workers: Workers,
        rescuer: Proc) -> None:
    job_id = await create_toy_job(db, arq_redis, queue_name, ticks=60, tick_seconds=0.05)
    await eventually(lambda: _cursor_at_least(db, job_id, 5), "step 2 ticked a few times")
    await workers.kill_holder(db, job_id)
    job = await _finished(db, job_id)
    assert job["status"] == "completed", job["error"]
    assert job["attempts"] == 2
    runs = await step_runs(db, job_id)
    assert runs[1]["attempts"] == 1  # not redone
    assert runs[2]["attempts"] == 2  # resumed from its cursor

    async def cleaned_up() -> bool:  # the kind's clean-up runs just after the completion
        return await events(db, job_id) == ["counted", "cleaned up"]

    await eventually(cleaned_up, "the kind's clean-up ran once")
    # every tick once: a second write of one would have failed the job (primary key)
    assert await ticks_written(db, job_id) == 60


async def _cursor_at_least(db: asyncpg.Pool, job_id: str, ticks: int) -> bool:
    return await step_cursor(db, job_id, 2) >= ticks


async def test_a_toy_job_is_cancelled_at_a_checkpoint(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, service_env: dict[str, str],
        worker: Proc) -> None:
    job_id = await create_toy_job(db, arq_redis, queue_name, ticks=500, tick_seconds=0.05)
    await eventually(lambda: _cursor_at_least(db, job_id, 2), "step 2 under way")
    flagged = await cancel_job(db, kind=TOY, job_id=job_id, account_id=TOY_ACCOUNT, by=SERVICE)
    assert flagged.status == "running"  # a worker has it: it stops at its checkpoint
    job = await _finished(db, job_id)
    assert job["status"] == "cancelled"
    assert job["step_number"] == 2
    assert job["lease_owner"] is None
    ticked = await ticks_written(db, job_id)
    assert 2 <= ticked < 500
    assert "cleaned up" in await events(db, job_id)
    await asyncio.sleep(0.3)  # nothing may tick after the cancel
    assert await ticks_written(db, job_id) == ticked


async def test_a_toy_job_pauses_on_sigterm_and_continues_elsewhere(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, workers: Workers,
        rescuer: Proc) -> None:
    job_id = await create_toy_job(db, arq_redis, queue_name, ticks=60, tick_seconds=0.05)
    await eventually(lambda: _cursor_at_least(db, job_id, 2), "step 2 under way")
    holder = await workers.holder_of(db, job_id)
    holder.signal(signal.SIGTERM)
    assert await exit_code(holder, SHUTDOWN_GRACE_SECONDS) == 0
    assert "job paused at a checkpoint for the worker's shutdown" in holder.log()
    job = await _finished(db, job_id)
    assert job["status"] == "completed", job["error"]
    runs = await step_runs(db, job_id)
    assert (runs[1]["attempts"], runs[2]["attempts"]) == (1, 2)
    assert await ticks_written(db, job_id) == 60


async def test_a_kinds_own_error_fails_the_job_in_its_words(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, worker: Proc) -> None:
    job_id = await create_toy_job(db, arq_redis, queue_name, ticks=-1)
    job = await _finished(db, job_id)
    assert job["status"] == "failed"
    assert job["error_code"] == "TOY_BROKEN"
    assert job["error"] == ("The toy broke while counting: The toy was asked to tick a "
                            "negative number of times.")
    assert job["progress_detail"] == "Failed at step 1: Counting."
    assert (await step_runs(db, job_id))[1]["status"] == "failed"


async def test_a_job_of_a_kind_no_worker_runs_waits_for_one(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, workers: Workers,
        worker: Proc) -> None:
    job_id = await create_toy_job(db, arq_redis, queue_name, ticks=1)
    await _finished(db, job_id)
    # the same job row, as a kind from a newer release that these workers do not know
    await db.execute("UPDATE migration_jobs SET kind = 'from_the_future', status = 'pending', "
                     "step = 'Queued', step_number = 0, cleaned_up_at = NULL WHERE id = $1",
                     job_id)
    before = await job_row(db, job_id)
    await arq_redis.delete(job_key_prefix + job_id)  # let it be enqueued again
    assert await enqueue_run(arq_redis, job_id, queue_name)

    async def passed_over() -> bool:
        return any(job_id in line and "job not runnable here" in line
                   for line in workers.logs().splitlines())

    await eventually(passed_over, "a worker picked the job and left it", timeout=15)
    await asyncio.sleep(1)  # and the sweep put it back on the queue: still untouched
    after = await job_row(db, job_id)
    for column in ("status", "attempts", "lease_owner", "worker_id", "progress_detail",
                   "started_at", "updated_at"):
        assert after[column] == before[column], column
    await db.execute("UPDATE migration_jobs SET status = 'cancelled', cleaned_up_at = now() "
                     "WHERE id = $1", job_id)


async def test_the_sweep_outlives_a_clean_up_that_always_fails(
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, workers: Workers,
        worker: Proc) -> None:
    broken = await create_toy_job(db, arq_redis, queue_name, ticks=1, clean_up_breaks=True)
    assert (await _finished(db, broken))["status"] == "completed"  # the job itself is done

    async def sweep_failed_on_it() -> bool:
        return any(broken in line and "clean-up failed" in line and '"sweep"' in line
                   for line in workers.logs().splitlines())

    await eventually(sweep_failed_on_it, "the sweep tried the broken clean-up", timeout=15)
    # a job whose enqueue was lost: only a sweep still running can find it
    lost = new_job_id()
    await db.execute(
        "INSERT INTO migration_jobs (id, kind, account_id, total_steps, step, step_number, "
        "progress_detail, created_at) VALUES ($1, 'toy', $2, 2, 'Queued', 0, 'Waiting.', "
        "now() - interval '1 minute')", lost, TOY_ACCOUNT)
    await db.execute("INSERT INTO toy_jobs (job_id, ticks, tick_seconds) VALUES ($1, 2, 0.01)",
                     lost)
    assert (await _finished(db, lost, timeout=20))["status"] == "completed"
    assert worker.alive()
    assert await db.fetchval("SELECT cleaned_up_at FROM migration_jobs WHERE id = $1",
                             broken) is None  # still tried, by every sweep
    await db.execute("UPDATE migration_jobs SET cleaned_up_at = now() WHERE id = $1", broken)
