"""The migration jobs: create, list, get, cancel, retry, report."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Body, Query

from api_stub.auth import Account, State
from api_stub.errors import ApiError
from api_stub.report import build_report
from api_stub.schemas import CreateJobRequest, JobList, JobReport, RetryRequest
from worker.enqueue import (
    ActiveJobExists,
    LegacyOrgNotFound,
    LegacySessionNotFound,
    create_migration_job,
)
from worker.legacy_sessions import load_session
from worker.models import Job, JobStatus
from worker.queue import safe_enqueue

router = APIRouter(prefix="/legacy-migration/jobs", tags=["legacy migration"])

NOT_FOUND = "There is no migration job {id!r} in this account."


def _not_found(job_id: str) -> ApiError:
    return ApiError(404, "JOB_NOT_FOUND", NOT_FOUND.format(id=job_id))


@router.post("", status_code=201, response_model=Job, summary="Create a migration job")
async def create_job(body: CreateJobRequest, account: Account, state: State) -> Job:
    return await create_migration_job(
        state.pool, state.redis, account_id=account, legacy_org_id=body.legacy_org_id,
        legacy_session_id=body.legacy_session_id, environment=body.environment,
        confirm_unsupported_data=body.confirm_unsupported_data,
        queue_name=state.settings.queue_name,
    )


@router.get("", response_model=JobList, summary="List migration jobs, newest first")
async def list_jobs(
    account: Account, state: State,
    status: Annotated[JobStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    starting_after: Annotated[str | None, Query(max_length=40)] = None,
) -> JobList:
    page = await state.jobs.list_for_account(
        account, status=status.value if status else None, starting_after=starting_after,
        limit=limit)
    return JobList(data=page.jobs, has_more=page.has_more)


@router.get("/{job_id}", response_model=Job, summary="Get status and progress of a job")
async def get_job(job_id: str, account: Account, state: State) -> Job:
    job = await state.jobs.get_for_account(job_id, account)
    if job is None:
        raise _not_found(job_id)
    return job


@router.delete("/{job_id}", response_model=Job, summary="Cancel a pending or running job")
async def cancel_job(job_id: str, account: Account, state: State) -> Job:
    job = await state.jobs.request_cancel(job_id, account)
    if job is not None:
        return job
    existing = await state.jobs.get_for_account(job_id, account)
    if existing is None:
        raise _not_found(job_id)
    raise ApiError(409, "JOB_FINISHED",
                   f"Job {job_id} is already {existing.status.value} and cannot be cancelled.")


@router.post("/{job_id}/retry", response_model=Job,
             summary="Re-queue a failed job; it resumes at the step that failed")
async def retry_job(
    job_id: str, account: Account, state: State,
    body: Annotated[RetryRequest | None, Body()] = None,
) -> Job:
    existing = await state.jobs.get_for_account(job_id, account)
    if existing is None:
        raise _not_found(job_id)
    if existing.status != JobStatus.FAILED:
        raise ApiError(409, "JOB_NOT_FAILED",
                       f"Only failed jobs can be retried; job {job_id} is "
                       f"{existing.status.value}.")
    sealed = None
    if body is not None and body.legacy_session_id:
        session = await load_session(state.redis, body.legacy_session_id)
        if session is None or session.account_id != account:
            raise LegacySessionNotFound("legacy_session_id is unknown or has expired: log in "
                                        "again with POST /legacy-migration/auth")
        if existing.legacy_org_id not in session.org_ids:
            raise LegacyOrgNotFound("this legacy session does not include the job's "
                                    "organisation: log in as its owner")
        sealed = session.sealed_token
    try:
        job = await state.jobs.requeue_failed(job_id, account, sealed)
    except asyncpg.UniqueViolationError:
        raise ActiveJobExists("this legacy organisation has another migration job pending "
                              "or running; wait for it or cancel it first") from None
    if job is None:  # raced with another retry
        raise ApiError(409, "JOB_NOT_FAILED", f"Job {job_id} is no longer failed.")
    await safe_enqueue(state.redis, job_id, state.settings.queue_name)
    return job


@router.get("/{job_id}/report", response_model=JobReport, summary="Per-step summary of a job")
async def job_report(job_id: str, account: Account, state: State) -> JobReport:
    job = await state.jobs.get_for_account(job_id, account)
    if job is None:
        raise _not_found(job_id)
    return build_report(job, await state.jobs.attempts(job_id), await state.steps.report(job_id))
