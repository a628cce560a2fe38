"""Runs one job of any kind: lease, the kind's steps from the first unfinished one, outcome."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from worker import metrics
from worker.engine.context import JobRun
from worker.engine.heartbeat import Heartbeat
from worker.engine.kind import JobKind, Step
from worker.engine.outcomes import Outcome
from worker.engine.stops import JobCancelled, LeaseLost, WorkerStopping
from worker.engine.transient import MAX_TRANSIENT_RETRIES, TRANSIENT_ERRORS, transient_backoff
from worker.errors import InternalError, ServiceError, StepFailed
from worker.services import Services
from worker.store import metrics as metrics_store
from worker.store.jobs import LeasedJob, OverFairShare

log = structlog.get_logger("worker.engine")

PAUSED_DETAIL = "Paused while a worker restarts; resuming shortly."
RETRY_DETAIL = "The service's database or queue was briefly unavailable; resuming shortly."
CANCELLED_DETAIL = "Migration cancelled; nothing was written to the target."
# Not failures of the job: run_job hands the job on for these.
_HANDLED_BY_CALLER: tuple[type[BaseException], ...] = (WorkerStopping, *TRANSIENT_ERRORS)


@dataclass
class WorkerDeps(Services):
    """A worker process's services, the job kinds it runs, its registered ID (the prefix
    of the leases it takes), the flag its shutdown sets so that running jobs stop at their
    next checkpoint, and the jobs it runs now."""

    kinds: Mapping[str, JobKind[Any]] = field(default_factory=dict)
    worker_id: str = ""
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    running: set[str] = field(default_factory=set)


async def run_job(deps: WorkerDeps, job_id: str) -> Outcome:
    """Run the job if its lease can be taken; returns how this run ended.

    PAUSED (the worker is shutting down) and RETRY_SOON (a lost database or Redis
    connection outside a step) release the lease: the job must go back on the queue. A job
    of a kind this worker does not run is not touched (SKIPPED): the sweep keeps it queued
    for a worker that does.
    """
    if deps.stopping.is_set():
        return Outcome.PAUSED
    owner = f"{deps.worker_id}/{secrets.token_hex(4)}"
    try:
        leased = await deps.jobs.acquire_lease(job_id, worker_id=deps.worker_id, owner=owner,
                                            seconds=deps.settings.lease_seconds,
                                            kinds=list(deps.kinds),
                                            fair_share=deps.settings.fair_share)
    except OverFairShare:
        log.info("job parked: its account holds its fair share of the slots while other "
                 "accounts wait", job_id=job_id)
        return Outcome.PARKED
    if leased is None:
        log.info("job not runnable here (finished, leased by another worker, or of a kind "
                 "this worker does not run)", job_id=job_id)
        return Outcome.SKIPPED
    row = leased.job
    kind = deps.kinds[row.kind]
    if row.attempts == 1 and row.started_at:  # its first start: how long it waited
        waited = (row.started_at - row.created_at).total_seconds()
        with contextlib.suppress(*TRANSIENT_ERRORS):  # a lost measure must not stop the job
            await metrics_store.add(deps.pool, metrics.job_started(kind.name, waited))
    with structlog.contextvars.bound_contextvars(job_id=job_id, kind=kind.name,
                                                 step=row.step_number,
                                                 attempt=row.attempts):
        log.info("job started")
        started = time.monotonic()
        deps.running.add(job_id)
        outcome: Outcome | None = None
        try:
            async with Heartbeat(deps.jobs, job_id, owner,
                                 lease_seconds=deps.settings.lease_seconds,
                                 every=deps.settings.heartbeat_seconds):
                outcome = await _run_leased(deps, kind, leased, owner)
                return outcome
        finally:
            deps.running.discard(job_id)
            log.info("job run ended", outcome=outcome.value if outcome else "interrupted",
                     seconds=round(time.monotonic() - started, 3))


async def _run_leased(deps: WorkerDeps, kind: JobKind[Any], leased: LeasedJob,
                      owner: str) -> Outcome:
    job_id = leased.job.id
    try:
        return await _run(deps, kind, leased, owner)
    except WorkerStopping:
        await deps.jobs.release_lease(job_id, owner, PAUSED_DETAIL)
        log.info("job paused at a checkpoint for the worker's shutdown")
        return Outcome.PAUSED
    except TRANSIENT_ERRORS as exc:
        # lost outside a step's own retries (between steps, or while failing or
        # cancelling the job): hand the job back rather than hold it
        log.warning("transient failure between steps; re-queueing the job",
                    error=type(exc).__name__)
        with contextlib.suppress(*TRANSIENT_ERRORS):
            await deps.jobs.release_lease(job_id, owner, RETRY_DETAIL)
        return Outcome.RETRY_SOON
    except asyncio.CancelledError:
        # the shutdown's grace period ran out before a checkpoint: hand the job on at
        # once rather than wait for the lease to expire
        await asyncio.shield(deps.jobs.release_lease(job_id, owner, PAUSED_DETAIL))
        raise


async def _run(deps: WorkerDeps, kind: JobKind[Any], leased: LeasedJob,
               owner: str) -> Outcome:
    row = leased.job
    run = JobRun(job_id=row.id, kind=kind.name, owner=owner, pool=deps.pool,
                 settings=deps.settings, job_store=deps.jobs, step_store=deps.steps,
                 step_names=kind.step_names(), record_types=kind.record_types(),
                 on_end=kind.on_end, stopping=deps.stopping)
    if row.cancel_requested_at is not None:
        return await _cancel(deps, kind, run)
    step: Step[Any] | None = None
    try:
        async with kind.open(run, row, deps) as ctx:
            for step in kind.steps:
                if step.number not in leased.finished_steps:
                    if deps.stopping.is_set():
                        raise WorkerStopping(run.job_id)
                    await _run_step(deps, run, step, ctx, last=step == kind.steps[-1],
                                    retryable=(*TRANSIENT_ERRORS, *kind.retryable))
            if not run.completed:  # every step was finished by an earlier run
                await run.complete_job(last_step=None)
    except JobCancelled:
        return await _cancel(deps, kind, run)
    except LeaseLost:
        log.warning("lease lost: another worker has taken the job over")
        return Outcome.LEASE_LOST
    except _HANDLED_BY_CALLER:
        raise
    except Exception as exc:
        return await _fail(deps, kind, run, _failure_of(kind, exc, step or kind.steps[0]))
    await clean_up(deps, kind, run.job_id, after="completion")
    return Outcome.COMPLETED


def _failure_of(kind: JobKind[Any], exc: Exception, step: Step[Any]) -> ServiceError:
    """What the user reads about an exception that ended the run: the kind's words for
    its own errors, a ServiceError's own, else INTERNAL_ERROR (a bug: it would fail the
    same way on every retry, so the job fails rather than loops; the traceback is logged)."""
    described = kind.describe_failure(exc, step)
    if described is not None:
        return described
    if isinstance(exc, ServiceError):
        return exc
    log.exception("unexpected error", step=step.number)
    return InternalError(f"The service failed unexpectedly while {step.name.lower()} "
                         f"({type(exc).__name__}). Retry the job; it resumes where it "
                         "stopped. If it fails again, contact support.")


async def _run_step(deps: WorkerDeps, run: JobRun, step: Step[Any], ctx: Any, *,
                    last: bool, retryable: tuple[type[BaseException], ...]) -> None:
    """Run one step; lost connections (and the kind's `retryable` faults) are retried from
    the step's last checkpoint. The last step finishes with the job's completion, in one
    transaction."""
    for retry in range(MAX_TRANSIENT_RETRIES + 1):
        step_run = await run.start_step(step.number)
        with structlog.contextvars.bound_contextvars(step=step.number,
                                                     attempt=step_run.attempts):
            log.info("step started", name=step.name, cursor=step_run.cursor)
            started = run.step_clock = time.monotonic()
            try:
                await step.run(ctx)
            except retryable as exc:
                if retry == MAX_TRANSIENT_RETRIES:
                    raise StepFailed(
                        f"The service's database, queue or a helper process kept failing while "
                        f"{step.name.lower()} ({type(exc).__name__}). Retry the job; it "
                        "resumes where it stopped.", code="INFRASTRUCTURE_UNAVAILABLE",
                    ) from exc
                wait = transient_backoff(retry + 1)
                log.warning("transient failure; resuming the step from its checkpoint",
                            error=type(exc).__name__, wait_seconds=round(wait, 2))
                with contextlib.suppress(*TRANSIENT_ERRORS):
                    await metrics_store.add(deps.pool, metrics.step_retried(
                        run.kind, step.number, "infrastructure"))
                await asyncio.sleep(wait)
                continue
            if step.finishes_job:  # in its own final transaction
                if not run.completed:
                    raise InternalError(f"Step {step.number} ({step.name}) is declared to "
                                        "finish the job but did not complete it.")
            elif last:
                await run.complete_job(last_step=step.number)
            else:
                await run.finish_step(deps.pool, step.number)
            log.info("step finished", name=step.name,
                     seconds=round(time.monotonic() - started, 3),
                     source=step_run.source_count, created=step_run.created_count,
                     skipped=step_run.skipped_count, errors=step_run.error_count)
            return


async def clean_up(services: Services, kind: JobKind[Any], job_id: str, *,
                   after: str) -> bool:
    """Run the kind's clean-up of a completed or cancelled job and note it done. A failure
    is logged, not raised: it must not look like the job's, and the sweep retries it."""
    try:
        await kind.clean_up(services, job_id)
        await services.jobs.mark_cleaned_up(services.pool, job_id)
    except TRANSIENT_ERRORS as exc:
        log.warning("clean-up not done; the sweep will retry it", after=after,
                    error=type(exc).__name__)
        return False
    except Exception:
        log.exception("clean-up failed; the sweep will retry it", after=after)
        return False
    return True


async def _fail(deps: WorkerDeps, kind: JobKind[Any], run: JobRun,
                error: ServiceError) -> Outcome:
    detail = "Failed."
    # said at the step it failed in (the job's context names the step it started at)
    log.warning("job failed", error_code=error.code,
                **({"step": run.step_run.number} if run.step_started else {}))
    async with deps.pool.acquire() as conn, conn.transaction():
        if run.step_started:
            await deps.steps.fail(conn, run.job_id, run.step_run.number, run.owner)
            detail = f"Failed at step {run.step_run.number}: {run.step_name}."
        if await deps.jobs.fail(conn, run.job_id, run.owner, error=error.message,
                                code=error.code, detail=detail):
            await kind.on_fail(conn, run.job_id, error)
            await metrics_store.add(conn, metrics.job_finished(kind.name, "failed"))
    return Outcome.FAILED


async def _cancel(deps: WorkerDeps, kind: JobKind[Any], run: JobRun) -> Outcome:
    # cleaned up first, so that a job seen cancelled has nothing left behind (a clean-up
    # that fails is the sweep's); if the cancel below is lost, the next run finds the
    # cancel flag and does it all again
    await clean_up(deps, kind, run.job_id, after="cancellation")
    await run.cancel_job(CANCELLED_DETAIL)
    log.info("job cancelled")
    return Outcome.CANCELLED
