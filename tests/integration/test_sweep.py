"""The sweep's repair of arq's state, against real Redis: a dead worker's in-progress
marker is cleared; a live worker's, which has just picked the job, is left alone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import in_progress_key_prefix

from tests.conftest import TEST_REDIS
from worker.queue import JOB_TIMEOUT_SECONDS, STUCK_PICK_SECONDS, enqueue_run, ensure_queued


@pytest.fixture
async def arq() -> AsyncIterator[ArqRedis]:
    pool = await create_pool(RedisSettings.from_dsn(TEST_REDIS))
    yield pool
    await pool.aclose()


async def _picked(arq: ArqRedis, seconds_ago: float) -> tuple[str, str, str]:
    """A job on a queue no worker reads, marked in progress `seconds_ago` as arq does."""
    queue, job_id = f"test:idle:{uuid.uuid4().hex[:6]}", f"mig_{uuid.uuid4().hex[:24]}"
    assert await enqueue_run(arq, job_id, queue)
    marker = in_progress_key_prefix + job_id
    ttl_ms = int((JOB_TIMEOUT_SECONDS + 10 - seconds_ago) * 1000)
    await arq.psetex(marker, ttl_ms, b"1")
    return queue, job_id, marker


async def test_a_just_picked_pending_job_is_left_to_its_worker(arq: ArqRedis) -> None:
    queue, job_id, marker = await _picked(arq, seconds_ago=1)
    assert await ensure_queued(arq, job_id, queue, lease_expired=False) == "queued"
    assert await arq.exists(marker)


async def test_a_pending_job_picked_by_a_dead_worker_is_unblocked(arq: ArqRedis) -> None:
    queue, job_id, marker = await _picked(arq, seconds_ago=STUCK_PICK_SECONDS + 5)
    assert await ensure_queued(arq, job_id, queue, lease_expired=False) == "unblocked"
    assert not await arq.exists(marker)
    assert await arq.zscore(queue, job_id) is not None  # still queued, free to be picked


async def test_an_expired_lease_unblocks_at_once(arq: ArqRedis) -> None:
    queue, job_id, marker = await _picked(arq, seconds_ago=1)
    assert await ensure_queued(arq, job_id, queue, lease_expired=True) == "unblocked"
    assert not await arq.exists(marker)


async def test_a_job_redis_lost_is_enqueued_again(arq: ArqRedis) -> None:
    queue, job_id = f"test:idle:{uuid.uuid4().hex[:6]}", f"mig_{uuid.uuid4().hex[:24]}"
    assert await ensure_queued(arq, job_id, queue, lease_expired=False) == "enqueued"
    assert await arq.zscore(queue, job_id) is not None
