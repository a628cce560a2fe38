"""What the legacy migration's API reads for an account: one job, a page of its jobs, a
job's events (pushed progress), and which of its legacy organisations were migrated
already (for the login's answer)."""

from __future__ import annotations

import asyncpg

from worker.errors import JobNotFound
from worker.kinds.legacy_migration.job import Job
from worker.kinds.legacy_migration.sessions import MigratedLookup
from worker.kinds.legacy_migration.store import LegacyMigrationStore
from worker.models import JobStatus


async def job_of_account(pool: asyncpg.Pool, job_id: str, account_id: str) -> Job:
    """The account's job; JobNotFound (an ID of another account's too)."""
    job = await LegacyMigrationStore(pool).get_for_account(job_id, account_id)
    if job is None:
        raise JobNotFound.named(job_id)
    return job


async def jobs_of_account(pool: asyncpg.Pool, account_id: str, *, status: JobStatus | None,
                          starting_after: str | None, limit: int) -> tuple[list[Job], bool]:
    """A page of the account's jobs, newest first, and whether more follow."""
    return await LegacyMigrationStore(pool).list_for_account(
        account_id, status=status, starting_after=starting_after, limit=limit)


def migrated_environments(pool: asyncpg.Pool) -> MigratedLookup:
    """{org ID: the environments a completed job migrated it to}, for legacy_login."""
    return LegacyMigrationStore(pool).migrated_environments


async def job_snapshot(pool: asyncpg.Pool, job_id: str, account_id: str) -> tuple[Job, int]:
    """The account's job and its latest event's ID, read in one snapshot; JobNotFound."""
    found = await LegacyMigrationStore(pool).snapshot(job_id, account_id)
    if found is None:
        raise JobNotFound.named(job_id)
    return Job.at_event(found), found.event_id


async def job_events_after(pool: asyncpg.Pool, job_id: str, account_id: str, after: int,
                           limit: int) -> list[tuple[Job, int]]:
    """The job as each of its events after `after` left it, with the event's ID, oldest
    first (pushed progress replays them)."""
    found = await LegacyMigrationStore(pool).events_after(job_id, account_id, after, limit)
    return [(Job.at_event(e), e.event_id) for e in found]
