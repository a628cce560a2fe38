"""The enqueue layer, for jobs of every kind: record the job durably, then put it on the
queue; re-queue a failed job; cancel one.

Importable without the web layer, so that other Python services can start jobs. A kind
adds its own checks and fields on top (e.g. worker.kinds.legacy_migration.enqueue):

    job = await create_legacy_migration_job(pool, redis, account_id=..., ...)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg
from arq.connections import ArqRedis

from worker import metrics
from worker.db.types import Conn
from worker.engine.kind import JobKind
from worker.errors import ActiveJobExists, JobFinished, JobNotFailed, JobNotFound, ServiceError
from worker.ids import new_id
from worker.models import JobStatus
from worker.queue import safe_enqueue
from worker.store import audit
from worker.store import metrics as metrics_store
from worker.store.audit import Actor
from worker.store.jobs import JobRow, JobStore

# Writes a kind's own fields of job `job_id` inside the transaction that creates or
# re-queues the job.
KindFields = Callable[[Conn, str], Awaitable[None]]


async def create_job(
    pool: asyncpg.Pool, redis: ArqRedis, *, kind: JobKind[Any], account_id: str,
    queue_name: str, singleton_key: str | None = None, conflict: ServiceError | None = None,
    fields: KindFields | None = None, id_prefix: str = "mig", environment: str = "live",
    by: Actor | None = None,
) -> JobRow:
    """Record a pending job (and the kind's `fields`) in one transaction, then enqueue it
    in arq under its own ID; returns the job row. `by`: who asked, for the audit log
    (job.created), when the job is an action of its own (not part of another one's).

    `singleton_key`: at most one active job of this kind per key; another one raises
    `conflict` (default ActiveJobExists). If the enqueue fails the job is not lost: it is
    pending in Postgres and the workers' sweep enqueues it.
    """
    async with pool.acquire() as conn, conn.transaction():
        # no savepoint: a refused insert may abort this transaction, which is all its own
        row = await record_job(conn, kind=kind, account_id=account_id,
                               singleton_key=singleton_key, conflict=conflict, fields=fields,
                               id_prefix=id_prefix, environment=environment,
                               savepoint=False)
        if by is not None:
            await audit.record(conn, by, "job.created", subject=row.id,
                               account_id=account_id, details={"kind": kind.name})
    await safe_enqueue(redis, row.id, queue_name)
    return row


async def record_job(
    conn: Conn, *, kind: JobKind[Any], account_id: str, singleton_key: str | None = None,
    conflict: ServiceError | None = None, fields: KindFields | None = None,
    id_prefix: str = "mig", environment: str = "live", savepoint: bool = True,
) -> JobRow:
    """Record a pending job inside the caller's transaction (with what else the caller
    writes there); once it commits, the caller puts it on the queue (`enqueue_created`).
    `environment` labels the jobs-created metric (the wizard's kinds write to live books).
    `savepoint`: a conflict undoes only the job's insert, so that the caller's transaction
    can go on (two round trips more); False when the transaction holds nothing else yet."""
    job_id = new_id(id_prefix)

    async def insert() -> JobRow:
        return await JobStore.insert(conn, job_id, kind=kind.name, account_id=account_id,
                                     singleton_key=singleton_key, total_steps=kind.total_steps,
                                     counted=metrics.job_created(kind.name, environment))

    try:
        if savepoint:
            async with conn.transaction():
                row = await insert()
        else:
            row = await insert()
    except asyncpg.UniqueViolationError:
        raise conflict or ActiveJobExists() from None
    if fields is not None:
        await fields(conn, job_id)
    return row


async def enqueue_created(redis: ArqRedis, job_ids: list[str], queue_name: str) -> None:
    """Put jobs created inside a caller's transaction on the queue, once it committed."""
    for job_id in job_ids:
        await safe_enqueue(redis, job_id, queue_name)


async def retry_job(
    pool: asyncpg.Pool, redis: ArqRedis, *, kind: JobKind[Any], job_id: str,
    account_id: str, queue_name: str, by: Actor, conflict: ServiceError | None = None,
    fields: KindFields | None = None, note: Mapping[str, Any] | None = None,
) -> JobRow:
    """Put a failed job back on the queue (with the kind's updated `fields`); it resumes
    at the step that failed. JobNotFound, JobNotFailed, or `conflict` when another job
    of the same singleton key became active meanwhile. Recorded as job.retried by `by`
    (with `note`, e.g. the bulk action it is part of)."""
    jobs = JobStore(pool)
    async with pool.acquire() as conn, conn.transaction():
        try:
            row = await jobs.requeue_failed(conn, job_id, account_id, kind.name)
        except asyncpg.UniqueViolationError:
            raise conflict or ActiveJobExists() from None
        if row is None:
            raise await _not_failed(jobs, kind, job_id, account_id)
        if fields is not None:
            await fields(conn, job_id)
        await audit.record(conn, by, "job.retried", subject=job_id, account_id=account_id,
                           details={"kind": kind.name, **(note or {})})
    await safe_enqueue(redis, job_id, queue_name)
    return row


async def _not_failed(jobs: JobStore, kind: JobKind[Any], job_id: str,
                      account_id: str) -> ServiceError:
    existing = await jobs.get_for_account(job_id, account_id, kind.name)
    if existing is None:
        return JobNotFound.named(job_id)
    return JobNotFailed(f"Only failed jobs can be retried; job {job_id} is "
                        f"{existing.status}.")


async def cancel_job(pool: asyncpg.Pool, *, kind: JobKind[Any], job_id: str,
                     account_id: str, by: Actor,
                     note: Mapping[str, Any] | None = None) -> JobRow:
    """Cancel a pending job at once, or flag a running one (its worker stops at the next
    checkpoint); returns the job row. JobNotFound, or JobFinished when it has ended.
    Recorded as job.cancelled by `by` (with `note`).

    A pending job ends here, with the kind's end statements in the same transaction; what
    its clean-up removes (a retried job's staging) is left to the sweep."""
    jobs = JobStore(pool)
    async with pool.acquire() as conn, conn.transaction():
        asked = await jobs.request_cancel(conn, job_id, account_id, kind.name)
        if asked is not None and asked.job.status == JobStatus.CANCELLED:
            await kind.on_end(conn, job_id)
            await metrics_store.add(conn, metrics.job_finished(kind.name, "cancelled"))
        if asked is not None and not asked.already_requested:  # asking again: no new action
            await audit.record(conn, by, "job.cancelled", subject=job_id,
                               account_id=account_id, details={
                                   "kind": kind.name, "was": "pending" if asked.job.status ==
                                   JobStatus.CANCELLED else "running", **(note or {})})
    if asked is None:
        existing = await jobs.get_for_account(job_id, account_id, kind.name)
        if existing is None:
            raise JobNotFound.named(job_id)
        raise JobFinished(f"Job {job_id} is already {existing.status} and cannot be "
                          "cancelled.")
    return asked.job
