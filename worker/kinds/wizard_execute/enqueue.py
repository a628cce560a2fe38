"""POST /migrations/{id}/execute: start the execute job (or find the one running, or the
stored proof) and wait a while for it. Its dry run is rehearsal.py."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
from arq.connections import ArqRedis

from worker.enqueue import enqueue_created, record_job
from worker.kinds.wizard_execute.kind import WIZARD_EXECUTE
from worker.models import JobStatus
from worker.store import audit
from worker.store.audit import Actor
from worker.wizard.errors import ExecuteFailed, InvalidTransition, MigrationNotFound
from worker.wizard.migrations import locked_migration, require_supported_vat_scheme
from worker.wizard.statuses import MigrationStatus
from worker.wizard.store import WizardStore

POLL_SECONDS = 0.1


async def _start(pool: asyncpg.Pool, redis: ArqRedis, *, migration_id: str, account_id: str,
                 queue_name: str, by: Actor) -> tuple[str | None, dict[str, Any] | None]:
    """(the execute job to wait for, or the stored proof of a completed migration). Two
    clients executing at once: the first starts the job (and is the one in the audit log),
    the second waits for it."""
    async with pool.acquire() as conn, conn.transaction():
        migration = await locked_migration(conn, migration_id, account_id)
        status = migration.status
        if status is MigrationStatus.COMPLETED:
            return None, dict(migration.reconciliation or {})
        if status is MigrationStatus.EXECUTING:
            return str(migration.execute_job_id), None
        if status is not MigrationStatus.READY_TO_EXECUTE:
            raise InvalidTransition(f"Migration {migration_id} is {status}: it must pass "
                                    "POST /migrations/{id}/validate (ready_to_execute) first.")
        await require_supported_vat_scheme(conn, account_id)
        job = await record_job(conn, kind=WIZARD_EXECUTE, account_id=account_id,
                               singleton_key=migration_id, id_prefix="job")
        await WizardStore.start_execute(conn, migration_id, job.id)
        await audit.record(conn, by, "migration.executed", subject=migration_id,
                           account_id=account_id, details={"job": job.id})
    await enqueue_created(redis, [job.id], queue_name)
    return job.id, None


async def execute_migration(pool: asyncpg.Pool, redis: ArqRedis, *, migration_id: str,
                            account_id: str, wait_seconds: float, queue_name: str,
                            by: Actor) -> dict[str, Any] | None:
    """The reconciliation proof once the migration is completed (at once when it already
    was: nothing runs again); None when it is still executing after `wait_seconds`.
    ExecuteFailed (the migration is back in ready_to_execute) when the job failed."""
    job_id, proof = await _start(pool, redis, migration_id=migration_id,
                                 account_id=account_id, queue_name=queue_name, by=by)
    if proof is not None:
        return proof
    store = WizardStore(pool)
    deadline = time.monotonic() + wait_seconds
    while True:
        migration = await store.migration(migration_id, account_id)
        if migration is None:
            raise MigrationNotFound.named(migration_id)
        if migration.status is MigrationStatus.COMPLETED:
            return dict(migration.reconciliation or {})
        if migration.execute_job_id == job_id and migration.job_status is JobStatus.FAILED:
            error = migration.execute_error or {}
            raise ExecuteFailed(error.get("message"), code=error.get("code"))
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(POLL_SECONDS)
