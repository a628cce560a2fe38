"""Creating, retrying and cancelling legacy migration jobs: the legacy session's checks and
fields on top of the enqueue layer (worker.enqueue). Importable without the web layer:

    job = await create_legacy_migration_job(pool, redis, account_id="acc_1",
                                            legacy_org_id="…", legacy_session_id="lm_session_…",
                                            environment="sandbox", queue_name="migration:queue")
"""

from __future__ import annotations

import asyncpg
from arq.connections import ArqRedis

from worker import enqueue
from worker.db.types import Conn
from worker.errors import ActiveJobExists, JobNotFailed, JobNotFound
from worker.kinds.legacy_migration.errors import (
    AlreadyMigrated,
    LegacyOrgNotFound,
    LegacySessionNotFound,
)
from worker.kinds.legacy_migration.job import Environment, Job
from worker.kinds.legacy_migration.kind import LEGACY_MIGRATION
from worker.kinds.legacy_migration.sessions import LegacySession, load_session
from worker.kinds.legacy_migration.store import LegacyMigrationStore
from worker.models import JobStatus
from worker.store.audit import Actor


async def _session(redis: ArqRedis, session_id: str, account_id: str) -> LegacySession:
    session = await load_session(redis, session_id)
    if session is None or session.account_id != account_id:
        raise LegacySessionNotFound(
            "legacy_session_id is unknown or has expired (sessions last one hour): "
            "log in again with POST /legacy-migration/auth")
    return session


def _active_job_exists(legacy_org_id: str) -> ActiveJobExists:
    return ActiveJobExists(
        f"legacy organisation {legacy_org_id} already has a migration job pending or "
        "running; wait for it to finish or cancel it")


async def create_legacy_migration_job(
    pool: asyncpg.Pool, redis: ArqRedis, *, account_id: str, legacy_org_id: str,
    legacy_session_id: str, environment: Environment, confirm_unsupported_data: bool = False,
    queue_name: str, by: Actor | None = None,
) -> Job:
    """Check the legacy session, then record the job (one transaction) and enqueue it.
    One active job per legacy organisation, whatever the environment."""
    session = await _session(redis, legacy_session_id, account_id)
    if legacy_org_id not in session.org_ids:
        raise LegacyOrgNotFound(
            f"legacy organisation {legacy_org_id!r} is not one of this session's "
            "organisations: use an id from the auth response's organizations")
    store = LegacyMigrationStore(pool)
    if await store.org_migrated_live(legacy_org_id):
        raise AlreadyMigrated(
            f"legacy organisation {legacy_org_id} was already migrated to live; "
            "a sandbox migration is still possible")

    async def fields(conn: Conn, job_id: str) -> None:
        await store.insert(conn, job_id, legacy_org_id=legacy_org_id,
                           legacy_user_id=session.legacy_user_id, environment=environment,
                           confirm_unsupported_data=confirm_unsupported_data,
                           sealed_token=session.sealed_token)

    row = await enqueue.create_job(
        pool, redis, kind=LEGACY_MIGRATION, account_id=account_id, queue_name=queue_name,
        singleton_key=legacy_org_id, conflict=_active_job_exists(legacy_org_id),
        fields=fields, environment=environment, by=by)
    return Job.of(row, legacy_org_id, environment)


async def retry_legacy_migration_job(
    pool: asyncpg.Pool, redis: ArqRedis, *, job_id: str, account_id: str,
    legacy_session_id: str | None, queue_name: str, by: Actor,
) -> Job:
    """Re-queue a failed job; it resumes at the step that failed. A new legacy session
    replaces one that expired."""
    store = LegacyMigrationStore(pool)
    existing = await store.get_for_account(job_id, account_id)
    if existing is None:
        raise JobNotFound.named(job_id)
    if existing.status != JobStatus.FAILED:
        raise JobNotFailed(f"Only failed jobs can be retried; job {job_id} is "
                           f"{existing.status.value}.")
    session = None
    if legacy_session_id:
        session = await _session(redis, legacy_session_id, account_id)
        if existing.legacy_org_id not in session.org_ids:
            raise LegacyOrgNotFound("this legacy session does not include the job's "
                                    "organisation: log in as its owner")

    async def new_token(conn: Conn, job_id: str) -> None:
        if session is not None:
            await store.replace_token(conn, job_id, session.sealed_token)

    row = await enqueue.retry_job(
        pool, redis, kind=LEGACY_MIGRATION, job_id=job_id, account_id=account_id,
        queue_name=queue_name, conflict=_active_job_exists(existing.legacy_org_id),
        fields=new_token, by=by)
    return Job.of(row, existing.legacy_org_id, existing.environment)


async def cancel_legacy_migration_job(pool: asyncpg.Pool, *, job_id: str,
                                      account_id: str, by: Actor) -> Job:
    """Cancel a pending job at once, or a running one at its next checkpoint."""
    existing = await LegacyMigrationStore(pool).get_for_account(job_id, account_id)
    if existing is None:
        raise JobNotFound.named(job_id)
    row = await enqueue.cancel_job(pool, kind=LEGACY_MIGRATION, job_id=job_id,
                                   account_id=account_id, by=by)
    return Job.of(row, existing.legacy_org_id, existing.environment)
