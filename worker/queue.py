"""The arq queue as the service uses it: job function names and enqueue by migration ID."""

from __future__ import annotations

import structlog
from arq.connections import ArqRedis

from worker import redis_keys

RUN_MIGRATION = "run_migration"

log = structlog.get_logger(__name__)


async def enqueue_run(redis: ArqRedis, job_id: str, queue_name: str) -> bool:
    """Put the migration on the queue under arq job ID = migration ID.

    Returns False when arq already holds a job with that ID (enqueueing twice is harmless).
    """
    job = await redis.enqueue_job(RUN_MIGRATION, job_id, _job_id=job_id, _queue_name=queue_name)
    return job is not None


async def ensure_queued(redis: ArqRedis, job_id: str, queue_name: str) -> str:
    """Make sure a job that should run is on the queue; used by the sweep.

    Returns what it did: "enqueued", "unblocked" (a dead worker's in-progress marker
    removed so that the job is picked up again) or "queued" (already fine).
    """
    if await enqueue_run(redis, job_id, queue_name):
        return "enqueued"
    # arq still knows the job: it is either waiting in the queue or marked in progress by
    # a worker. The caller only asks about jobs whose lease expired, so that worker is
    # gone; arq would keep the marker until its own timeout, so clear it now.
    removed = await redis.delete(redis_keys.ARQ_IN_PROGRESS.format(job_id=job_id))
    in_queue = await redis.zscore(queue_name, job_id) is not None
    if not in_queue:
        # The job key outlived its queue entry (a partial flush): enqueue afresh.
        await redis.delete(redis_keys.ARQ_JOB.format(job_id=job_id))
        await enqueue_run(redis, job_id, queue_name)
        return "enqueued"
    return "unblocked" if removed else "queued"


async def safe_enqueue(redis: ArqRedis, job_id: str, queue_name: str) -> None:
    """Enqueue, but never raise: a job whose enqueue fails is still in Postgres and the
    sweep enqueues it later."""
    try:
        await enqueue_run(redis, job_id, queue_name)
    except Exception as exc:
        log.warning("enqueue failed; the sweep will enqueue the job", job_id=job_id,
                    error=type(exc).__name__)
