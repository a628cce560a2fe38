"""The enqueue layer: create a migration job, durably, then put it on the queue.

Importable without the web layer, so that other Python services can start migrations:

    job = await create_migration_job(pool, redis, account_id=..., legacy_org_id=...,
                                     legacy_session_id=..., environment="sandbox")
"""

from __future__ import annotations

import asyncpg
from arq.connections import ArqRedis

from worker.db.queries import q
from worker.ids import new_job_id
from worker.legacy_sessions import load_session
from worker.models import Environment, Job
from worker.queue import safe_enqueue


class EnqueueError(Exception):
    """A job that cannot be created; `code` is stable, the message says what to do."""

    code = "ENQUEUE_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LegacySessionNotFound(EnqueueError):
    code = "LEGACY_SESSION_NOT_FOUND"


class LegacyOrgNotFound(EnqueueError):
    code = "LEGACY_ORG_NOT_FOUND"


class ActiveJobExists(EnqueueError):
    code = "ACTIVE_JOB_EXISTS"


class AlreadyMigrated(EnqueueError):
    code = "ALREADY_MIGRATED"


async def create_migration_job(
    pool: asyncpg.Pool,
    redis: ArqRedis,
    *,
    account_id: str,
    legacy_org_id: str,
    legacy_session_id: str,
    environment: Environment,
    confirm_unsupported_data: bool = False,
    queue_name: str,
) -> Job:
    """Record the job in Postgres (one transaction), then enqueue it in arq under its ID.

    If the enqueue fails the job is not lost: it is pending in Postgres and the workers'
    sweep enqueues it.
    """
    session = await load_session(redis, legacy_session_id)
    if session is None or session.account_id != account_id:
        raise LegacySessionNotFound(
            "legacy_session_id is unknown or has expired (sessions last one hour): "
            "log in again with POST /legacy-migration/auth"
        )
    if legacy_org_id not in session.org_ids:
        raise LegacyOrgNotFound(
            f"legacy organisation {legacy_org_id!r} is not one of this session's "
            "organisations: use an id from the auth response's organizations"
        )
    job_id = new_job_id()
    async with pool.acquire() as conn, conn.transaction():
        if await conn.fetchval(q("org_migrated_live"), legacy_org_id):
            raise AlreadyMigrated(
                f"legacy organisation {legacy_org_id} was already migrated to live; "
                "a sandbox migration is still possible"
            )
        try:
            row = await conn.fetchrow(
                q("insert_job"), job_id, account_id, legacy_org_id, session.legacy_user_id,
                environment, confirm_unsupported_data, session.sealed_token,
            )
        except asyncpg.UniqueViolationError:
            raise ActiveJobExists(
                f"legacy organisation {legacy_org_id} already has a migration job pending or "
                "running; wait for it to finish or cancel it"
            ) from None
    await safe_enqueue(redis, job_id, queue_name)
    return Job.from_row(row)
