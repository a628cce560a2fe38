"""The arq queue as the service uses it: one job function for every kind, enqueued under
the job's own ID, and the repairs the sweep makes to arq's state."""

from __future__ import annotations

import structlog
from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# The arq function that runs a job of any kind; the worker finds the kind on the job row.
RUN_JOB = "run_job"
# arq's timeout of a job. Our lease, not this, guards a running job; it only bounds a job
# that hangs. arq sets its in-progress marker to live this long + 10 s.
JOB_TIMEOUT_SECONDS = 24 * 3600
_IN_PROGRESS_TTL_SECONDS = JOB_TIMEOUT_SECONDS + 10
# A live worker takes the lease within moments of picking the job from the queue; a
# pending job marked in progress for longer was picked by a worker that died.
STUCK_PICK_SECONDS = 30.0

log = structlog.get_logger(__name__)


def arq_redis_settings(url: str) -> RedisSettings:
    """arq's connection settings for `url`, retrying a command whose connection was lost
    (a Redis restart, a failover, a killed client) on a new connection instead of failing
    the poll, enqueue or job that sent it."""
    settings = RedisSettings.from_dsn(url)
    settings.retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=16)
    settings.retry_on_error = [RedisConnectionError, RedisTimeoutError]
    settings.retry_on_timeout = True
    return settings


def arq_client(url: str) -> ArqRedis:
    """arq's Redis client for `url`, connecting on first use. arq's own create_pool pings
    Redis and gives up after a few tries, so a process could not start while Redis is
    down; this one starts, and what needs Redis fails (and is retried) until it is back."""
    settings = arq_redis_settings(url)
    return ArqRedis(host=settings.host, port=settings.port, db=settings.database,
                    username=settings.username, password=settings.password, ssl=settings.ssl,
                    socket_connect_timeout=settings.conn_timeout, retry=settings.retry,
                    retry_on_timeout=settings.retry_on_timeout,
                    retry_on_error=settings.retry_on_error, encoding="utf8")


# arq's enqueue_job in one round trip instead of three (WATCH, EXISTS, MULTI…EXEC): the
# same keys, the same serialised job and expiry, the same refusal of an ID arq holds.
_ENQUEUE_SCRIPT = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('PSETEX', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""


async def enqueue_run(redis: ArqRedis, job_id: str, queue_name: str) -> bool:
    """Put the job on the queue under arq job ID = job ID, as arq's `enqueue_job` does,
    atomically in one script.

    Returns False when arq already holds a job with that ID (enqueueing twice is harmless).
    """
    now_ms = timestamp_ms()
    job = serialize_job(RUN_JOB, (job_id,), {}, None, now_ms, serializer=redis.job_serializer)
    script = redis.register_script(_ENQUEUE_SCRIPT)
    added = await script(keys=[job_key_prefix + job_id, result_key_prefix + job_id, queue_name],
                         args=[redis.expires_extra_ms, job, now_ms, job_id])
    return bool(added)


async def ensure_queued(redis: ArqRedis, job_id: str, queue_name: str, *,
                        lease_expired: bool) -> str:
    """Make sure a job that should run is on the queue; used by the sweep.

    `lease_expired`: the job's worker stopped renewing its lease (it died or stalled).
    Returns what it did: "enqueued", "unblocked" (a dead worker's in-progress marker
    removed so that the job is picked up again) or "queued" (already fine).
    """
    if await enqueue_run(redis, job_id, queue_name):
        return "enqueued"
    # arq still knows the job: it is waiting in the queue or marked in progress by a
    # worker. arq would keep a dead worker's marker until its own timeout, so clear it
    # now; but not a live worker's, which has just picked the job and is taking its lease.
    marker = in_progress_key_prefix + job_id
    removed = 0
    if lease_expired or await _marker_age(redis, marker) > STUCK_PICK_SECONDS:
        removed = await redis.delete(marker)
    in_queue = await redis.zscore(queue_name, job_id) is not None
    if not in_queue:
        # The job key outlived its queue entry (a partial flush): enqueue afresh.
        await redis.delete(job_key_prefix + job_id)
        await enqueue_run(redis, job_id, queue_name)
        return "enqueued"
    return "unblocked" if removed else "queued"


async def _marker_age(redis: ArqRedis, marker: str) -> float:
    """Seconds since arq set the in-progress marker (0 when there is none)."""
    ttl_ms = int(await redis.pttl(marker))
    if ttl_ms < 0:  # no marker (-2), or one without expiry (-1), which arq never sets
        return 0.0
    return _IN_PROGRESS_TTL_SECONDS - ttl_ms / 1000


async def safe_enqueue(redis: ArqRedis, job_id: str, queue_name: str) -> None:
    """Enqueue, but never raise: a job whose enqueue fails is still in Postgres and the
    sweep enqueues it later."""
    try:
        await enqueue_run(redis, job_id, queue_name)
    except Exception as exc:
        log.warning("enqueue failed; the sweep will enqueue the job", job_id=job_id,
                    error=type(exc).__name__)
