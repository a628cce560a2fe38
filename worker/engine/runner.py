"""Runs one migration job: lease, steps from the first unfinished one, outcome."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from dataclasses import dataclass, field

import asyncpg
import structlog

from worker.engine.context import JobContext
from worker.engine.errors import JobCancelled, LeaseLost, StepFailed, WorkerStopping
from worker.engine.heartbeat import Heartbeat
from worker.engine.outcomes import legacy_failure
from worker.engine.transient import MAX_TRANSIENT_RETRIES, TRANSIENT_ERRORS, transient_backoff
from worker.models import STEP_NAMES
from worker.services import Services
from worker.sources.legacy.client import LegacyClient, RetryPolicy
from worker.sources.legacy.convert import RecordError
from worker.sources.legacy.errors import LegacyError
from worker.staging.cleanup import clear_staging
from worker.steps import STEPS, Step

log = structlog.get_logger("worker.engine")

# Outcomes after which the job goes back on the queue (worker.tasks).
PAUSED = "paused"
RETRY_SOON = "retry soon"
PAUSED_DETAIL = "Paused while a worker restarts; resuming shortly."
RETRY_DETAIL = "The service's database or queue was briefly unavailable; resuming shortly."


@dataclass
class WorkerDeps(Services):
    """A worker process's services, its ID (the prefix of the leases it takes), and the
    flag its shutdown sets so that running jobs stop at their next checkpoint."""

    worker_id: str = ""
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


async def run_job(deps: WorkerDeps, job_id: str) -> str:
    """Run the job if its lease can be taken; returns how this run ended.

    Returns PAUSED when the worker is shutting down, RETRY_SOON after a lost database
    or Redis connection outside a step: the lease is released and the job must go back on
    the queue.
    """
    if deps.stopping.is_set():
        return PAUSED
    owner = f"{deps.worker_id}/{secrets.token_hex(4)}"
    row = await deps.jobs.acquire_lease(job_id, owner, deps.settings.lease_seconds)
    if row is None:
        log.info("job not runnable here (finished, or leased by another worker)", job_id=job_id)
        return "skipped"
    with structlog.contextvars.bound_contextvars(job_id=job_id, attempt=row["attempts"]):
        async with Heartbeat(deps.jobs, job_id, owner, lease_seconds=deps.settings.lease_seconds,
                             every=deps.settings.heartbeat_seconds):
            try:
                return await _run(deps, row, owner)
            except WorkerStopping:
                await deps.jobs.release_lease(job_id, owner, PAUSED_DETAIL)
                log.info("job paused at a checkpoint for the worker's shutdown")
                return PAUSED
            except TRANSIENT_ERRORS as exc:
                # lost outside a step's own retries (between steps, or while failing or
                # cancelling the job): hand the job back rather than hold it
                log.warning("transient failure between steps; re-queueing the job",
                            error=type(exc).__name__)
                with contextlib.suppress(*TRANSIENT_ERRORS):
                    await deps.jobs.release_lease(job_id, owner, RETRY_DETAIL)
                return RETRY_SOON
            except asyncio.CancelledError:
                # the shutdown's grace period ran out before a checkpoint: hand the job on
                # at once rather than wait for the lease to expire
                await asyncio.shield(deps.jobs.release_lease(job_id, owner, PAUSED_DETAIL))
                raise


async def _run(deps: WorkerDeps, row: asyncpg.Record, owner: str) -> str:
    job_id = row["id"]
    if row["cancel_requested_at"] is not None:
        return await _cancel(deps, job_id, owner)
    try:
        token = deps.box.open(row["legacy_token_sealed"])
    except (ValueError, TypeError):
        await deps.jobs.fail(job_id, owner, code="LEGACY_SESSION_MISSING", detail="Failed.",
                             error="The job's legacy session cannot be read (it was removed or "
                                   "the service's SECRET_KEY changed). Log in again and retry "
                                   "the job with the new legacy_session_id.")
        return "failed"
    settings = deps.settings
    legacy = LegacyClient(
        settings.legacy_api_url, token=token, timeout=settings.legacy_timeout_seconds,
        policy=RetryPolicy(settings.legacy_max_retries, settings.legacy_backoff_base_seconds,
                           settings.legacy_backoff_max_seconds),
    )
    ctx = JobContext(
        job_id=job_id, owner=owner, pool=deps.pool, settings=settings, legacy=legacy,
        legacy_org_id=row["legacy_org_id"], environment=row["environment"],
        confirm_unsupported_data=row["confirm_unsupported_data"], steps=deps.steps,
        stopping=deps.stopping,
    )
    legacy.on_retry = ctx.on_legacy_retry
    try:
        finished = await deps.steps.finished(job_id)
        for number, step in STEPS.items():
            if number not in finished:
                if deps.stopping.is_set():
                    raise WorkerStopping(job_id)
                await _run_step(deps, ctx, number, step)
        await _clear_committed_staging(deps, job_id)
        return "completed"
    except JobCancelled:
        return await _cancel(deps, job_id, owner)
    except LeaseLost:
        log.warning("lease lost: another worker has taken the job over")
        return "lease lost"
    except StepFailed as exc:
        return await _fail(deps, ctx, exc.code, exc.message)
    except LegacyError as exc:
        return await _fail(deps, ctx, *legacy_failure(exc, ctx.step_name))
    except RecordError as exc:
        return await _fail(deps, ctx, "INVALID_SOURCE_DATA", (
            f"The legacy {exc.kind} {exc.legacy_id} cannot be migrated: it {exc.problem}. "
            "Correct it in the legacy account and retry the job."))
    finally:
        await legacy.aclose()


async def _run_step(deps: WorkerDeps, ctx: JobContext, number: int, step: Step) -> None:
    """Run one step; lost connections are retried from the step's last checkpoint."""
    for retry in range(MAX_TRANSIENT_RETRIES + 1):
        run = await deps.steps.start(ctx.job_id, number, ctx.owner)
        if run is None:
            raise LeaseLost(ctx.job_id)
        ctx.run = run
        with structlog.contextvars.bound_contextvars(step=number, attempt=run.attempts):
            started = time.monotonic()
            try:
                await step(ctx)
            except TRANSIENT_ERRORS as exc:
                if retry == MAX_TRANSIENT_RETRIES:
                    raise StepFailed("INFRASTRUCTURE_UNAVAILABLE", (
                        f"The service's database or queue kept failing while "
                        f"{STEP_NAMES[number].lower()} ({type(exc).__name__}). "
                        "Retry the job; it resumes where it stopped.")) from exc
                wait = transient_backoff(retry + 1)
                log.warning("transient failure; resuming the step from its checkpoint",
                            error=type(exc).__name__, wait_seconds=round(wait, 2))
                await asyncio.sleep(wait)
                continue
            if number != 8:  # step 8 finishes itself inside its commit transaction
                await deps.steps.finish(ctx.job_id, number)
            log.info("step finished", seconds=round(time.monotonic() - started, 3),
                     source=run.source_count, created=run.created_count,
                     skipped=run.skipped_count, errors=run.error_count)
            return


async def _clear_committed_staging(deps: WorkerDeps, job_id: str) -> None:
    # The job is already completed: a failure here must not look like the job's, and
    # the sweep clears what is left (worker.staging.cleanup).
    try:
        await clear_staging(deps.pool, job_id)
    except TRANSIENT_ERRORS as exc:
        log.warning("staging not cleared; the sweep will", error=type(exc).__name__)


async def _fail(deps: WorkerDeps, ctx: JobContext, code: str, message: str) -> str:
    log.warning("job failed", error_code=code)
    await deps.steps.fail(ctx.job_id, ctx.run.number)
    await deps.jobs.fail(ctx.job_id, ctx.owner, error=message, code=code,
                         detail=f"Failed at step {ctx.run.number}: {ctx.step_name}.")
    return "failed"


async def _cancel(deps: WorkerDeps, job_id: str, owner: str) -> str:
    await clear_staging(deps.pool, job_id)
    await deps.jobs.cancel_now(job_id, owner, "Migration cancelled; nothing was written to "
                                              "the target.")
    log.info("job cancelled")
    return "cancelled"
