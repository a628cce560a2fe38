"""The legacy migration jobs: create, list, get, cancel, retry, report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from api_stub.auth import Account, State, actor
from api_stub.errors import BODY_ERRORS, route_errors
from api_stub.report import build_report
from api_stub.schemas import CreateJobRequest, JobList, JobReport, RetryRequest
from worker.errors import (
    ActiveJobExists,
    JobFinished,
    JobNotFailed,
    JobNotFound,
)
from worker.kinds.legacy_migration import reads
from worker.kinds.legacy_migration.enqueue import (
    cancel_legacy_migration_job,
    create_legacy_migration_job,
    retry_legacy_migration_job,
)
from worker.kinds.legacy_migration.errors import (
    AlreadyMigrated,
    LegacyOrgNotFound,
    LegacySessionNotFound,
)
from worker.kinds.legacy_migration.job import Job
from worker.kinds.legacy_migration.kind import LEGACY_MIGRATION
from worker.models import JobStatus

router = APIRouter(prefix="/legacy-migration/jobs", tags=["legacy migration"])


# Postgres text cannot hold NUL (asyncpg refuses such a parameter), so no job ID, and no
# cursor, contains one: an ID with NUL is a job that does not exist, a cursor with NUL
# is invalid (the pattern puts that in the document, so clients know it).
_NO_NUL = "^[^\\x00]*$"


def _job_id(job_id: str) -> str:
    """`job_id`, or JobNotFound before a query Postgres could not run."""
    if "\x00" in job_id:
        raise JobNotFound.named(job_id)
    return job_id


@router.post("", status_code=201, response_model=Job, summary="Create a migration job",
             responses=route_errors(*BODY_ERRORS, LegacySessionNotFound, LegacyOrgNotFound,
                                       ActiveJobExists, AlreadyMigrated))
async def create_job(body: CreateJobRequest, account: Account, state: State,
                     request: Request) -> Job:
    return await create_legacy_migration_job(
        state.pool, state.redis, account_id=account, legacy_org_id=body.legacy_org_id,
        legacy_session_id=body.legacy_session_id, environment=body.environment,
        confirm_unsupported_data=body.confirm_unsupported_data,
        queue_name=state.settings.queue_name, by=actor(request, account),
    )


@router.get("", response_model=JobList, summary="List migration jobs, newest first",
            responses=route_errors())
async def list_jobs(
    account: Account, state: State,
    status: Annotated[JobStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    starting_after: Annotated[str | None, Query(max_length=40, pattern=_NO_NUL)] = None,
) -> JobList:
    jobs, has_more = await reads.jobs_of_account(
        state.pool, account, status=status,
        starting_after=starting_after, limit=limit)
    return JobList(data=jobs, has_more=has_more)


@router.get("/{job_id}", response_model=Job, summary="Get status and progress of a job",
            responses=route_errors(JobNotFound))
async def get_job(job_id: str, account: Account, state: State) -> Job:
    return await reads.job_of_account(state.pool, _job_id(job_id), account)


@router.delete("/{job_id}", response_model=Job, summary="Cancel a pending or running job",
               responses=route_errors(JobNotFound, JobFinished))
async def cancel_job(job_id: str, account: Account, state: State, request: Request) -> Job:
    return await cancel_legacy_migration_job(state.pool, job_id=_job_id(job_id),
                                             account_id=account, by=actor(request, account))


@router.post("/{job_id}/retry", response_model=Job,
             summary="Re-queue a failed job; it resumes at the step that failed",
             responses=route_errors(*BODY_ERRORS, JobNotFound, JobNotFailed,
                                       LegacySessionNotFound, LegacyOrgNotFound,
                                       ActiveJobExists))
async def retry_job(
    job_id: str, account: Account, state: State, request: Request,
    body: Annotated[RetryRequest | None, Body()] = None,
) -> Job:
    return await retry_legacy_migration_job(
        state.pool, state.redis, job_id=_job_id(job_id), account_id=account,
        legacy_session_id=body.legacy_session_id if body else None,
        queue_name=state.settings.queue_name, by=actor(request, account))


@router.get("/{job_id}/report", response_model=JobReport, summary="Per-step summary of a job",
            responses=route_errors(JobNotFound))
async def job_report(job_id: str, account: Account, state: State) -> JobReport:
    job = await state.jobs.get_for_account(_job_id(job_id), account, LEGACY_MIGRATION.name)
    if job is None:
        raise JobNotFound.named(job_id)
    return build_report(job_id, job.status, job.attempts, LEGACY_MIGRATION.step_names(),
                        await state.steps.report(job_id))
