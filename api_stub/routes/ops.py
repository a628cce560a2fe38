"""The operators' API (/ops, snake_case): every account's jobs, the queue and the workers at
a glance, one job's timeline, and retry or cancel of one job or of every job matching a
filter. Operator keys only (python -m api_stub create-key --operator); every action is an
audit log event."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api_stub.auth import Operator, State, actor
from api_stub.errors import BODY_ERRORS, FilterRequired, KindNotRunHere, route_errors
from api_stub.metrics import FleetMetrics
from api_stub.schemas import Strict
from worker.engine.kind import JobKind
from worker.enqueue import cancel_job, retry_job
from worker.errors import JobFinished, JobNotFailed, JobNotFound, ServiceError
from worker.ids import new_id
from worker.models import JobStatus, iso_millis
from worker.store import audit
from worker.store import ops as ops_store
from worker.store.ops import JobFilter

log = structlog.get_logger("api_stub.ops")
router = APIRouter(prefix="/ops", tags=["operators"])

BULK_LIMIT = 1000
_PAST = {"retry": "retried", "cancel": "cancelled"}


class WorkerOut(BaseModel):
    id: str
    host: str
    pid: int
    started_at: str | None
    last_seen_seconds_ago: float
    alive: bool = Field(description="Heard from within WORKER_DEAD_AFTER_SECONDS (a "
                                    "worker that died alone stays listed, not alive).")
    running: int
    jobs: list[str]


class Minute(BaseModel):
    minute: str | None
    completed: int = 0
    failed: int = 0
    cancelled: int = 0


class StepTiming(BaseModel):
    kind: str
    step: int
    name: str
    count: int
    p50_seconds: float
    p95_seconds: float


class Summary(BaseModel):
    jobs: dict[str, dict[str, int]]
    queue: dict[str, float | int | None]
    workers: list[WorkerOut]
    throughput: list[Minute] = Field(description="Jobs finished each minute, last hour.")
    steps: list[StepTiming] = Field(description="Steps finished in the last hour.")


class OpsJob(BaseModel):
    id: str
    kind: str
    account: str
    status: JobStatus
    step: str | None
    step_number: int
    total_steps: int
    progress_detail: str | None
    error_code: str | None
    error: str | None
    attempts: int
    worker_id: str | None
    created_at: str | None
    started_at: str | None
    completed_at: str | None
    updated_at: str | None


class OpsJobList(BaseModel):
    data: list[OpsJob]
    has_more: bool


class TimelineStep(BaseModel):
    step_number: int
    name: str
    status: str
    started_at: str | None
    finished_at: str | None
    attempts: int
    retries: int
    counts: dict[str, int]


class OpsJobDetail(OpsJob):
    timeline: list[TimelineStep]


class ActionFilter(Strict):
    """Jobs to act on: every condition given must hold (at least one is needed)."""

    kind: str | None = Field(default=None, max_length=60)
    status: JobStatus | None = None
    error_code: str | None = Field(default=None, max_length=100)
    account: str | None = Field(default=None, max_length=200)
    ids: list[str] | None = Field(default=None, max_length=BULK_LIMIT)


class ActionResult(BaseModel):
    matched: int
    acted: int
    refused: list[dict[str, str]] = Field(description="The first jobs not acted on, and why.")


def ops_job(row: Any) -> OpsJob:
    return OpsJob(
        id=row["id"], kind=row["kind"], account=row["account_id"], status=row["status"],
        step=row["step"], step_number=row["step_number"], total_steps=row["total_steps"],
        progress_detail=row["progress_detail"], error_code=row["error_code"],
        error=row["error"], attempts=row["attempts"], worker_id=row["worker_id"],
        created_at=iso_millis(row["created_at"]), started_at=iso_millis(row["started_at"]),
        completed_at=iso_millis(row["completed_at"]), updated_at=iso_millis(row["updated_at"]))


def _kinds(request: Request) -> dict[str, JobKind[Any]]:
    kinds: dict[str, JobKind[Any]] = request.app.state.kinds
    return kinds


@router.get("/summary", response_model=Summary, summary="The fleet at a glance",
            responses=route_errors())
async def summary(request: Request, _: Operator) -> Summary:
    fleet: FleetMetrics = request.app.state.metrics
    snap = await fleet.latest()
    jobs: dict[str, dict[str, int]] = {}
    for kind, status, n in snap.jobs:
        jobs.setdefault(kind, {s.value: 0 for s in JobStatus})[status] = n
    minutes: dict[str, Minute] = {}
    for r in snap.throughput:
        minute = minutes.setdefault(iso_millis(r["minute"]) or "", Minute(
            minute=iso_millis(r["minute"])))
        setattr(minute, r["status"], r["n"])
    kinds = _kinds(request)
    dead_after = request.app.state.api.settings.worker_dead_after_seconds
    return Summary(
        jobs=jobs,
        queue={"depth": snap.queue_depth, "oldest_wait_seconds": snap.oldest_wait_seconds},
        workers=[WorkerOut(id=w["id"], host=w["host"], pid=w["pid"],
                           started_at=iso_millis(w["started_at"]),
                           last_seen_seconds_ago=round(w["last_seen_seconds_ago"], 3),
                           alive=w["last_seen_seconds_ago"] < dead_after,
                           running=w["running"], jobs=snap.running.get(w["id"], []))
                 for w in snap.workers],
        throughput=list(minutes.values()),
        steps=[StepTiming(kind=r["kind"], step=r["step_number"],
                          name=kinds[r["kind"]].step_names().get(r["step_number"], "")
                          if r["kind"] in kinds else "",
                          count=r["n"], p50_seconds=round(r["p50"], 3),
                          p95_seconds=round(r["p95"], 3)) for r in snap.step_timings])


@router.get("/jobs", response_model=OpsJobList, summary="Every account's jobs, newest first",
            responses=route_errors())
async def jobs(
    state: State, _: Operator,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    status: Annotated[JobStatus | None, Query()] = None,
    account: Annotated[str | None, Query(max_length=200)] = None,
    error_code: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[datetime | None, Query(description="Created at or after.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    starting_after: Annotated[str | None, Query(max_length=40, pattern="^[^\\x00]*$")] = None,
) -> OpsJobList:
    where = JobFilter(kind, status.value if status else None, account, error_code, since)
    rows = await ops_store.find_jobs(state.pool, where, starting_after=starting_after,
                                     limit=limit + 1)
    return OpsJobList(data=[ops_job(r) for r in rows[:limit]], has_more=len(rows) > limit)


async def _job_row(state: State, job_id: str) -> Any:
    row = None if "\x00" in job_id else await ops_store.job(state.pool, job_id)
    if row is None:
        raise JobNotFound.named(job_id)
    return row


@router.get("/jobs/{job_id}", response_model=OpsJobDetail,
            summary="One job: its account, kind, attempts, error and step timeline",
            responses=route_errors(JobNotFound))
async def job(job_id: str, request: Request, state: State, _: Operator) -> OpsJobDetail:
    row = await _job_row(state, job_id)
    runs = {r["step_number"]: r for r in await state.steps.report(job_id)}
    kind = _kinds(request).get(row["kind"])
    names = kind.step_names() if kind else {n: "" for n in runs}
    timeline = []
    for number, name in names.items():
        run = runs.get(number)
        timeline.append(TimelineStep(
            step_number=number, name=name, status=run["status"] if run else "not_started",
            started_at=iso_millis(run["started_at"]) if run else None,
            finished_at=iso_millis(run["finished_at"]) if run else None,
            attempts=run["attempts"] if run else 0, retries=run["retries"] if run else 0,
            counts={"source": run["source_count"], "created": run["created_count"],
                    "skipped": run["skipped_count"], "errors": run["error_count"]}
            if run else {"source": 0, "created": 0, "skipped": 0, "errors": 0}))
    return OpsJobDetail(**ops_job(row).model_dump(), timeline=timeline)


async def _act(request: Request, state: State, action: str, row: Any,
               bulk: str | None = None) -> None:
    """Retry or cancel one job, as its account would (the enqueue layer); recorded in the
    audit log with the operator's key (and the bulk action it is part of)."""
    by, note = actor(request), {"bulk": bulk} if bulk else None
    kind = _kinds(request).get(row["kind"])
    if kind is None:
        raise KindNotRunHere(f"This service does not know jobs of kind {row['kind']}.")
    if action == "retry":
        if not kind.operator_retry:
            raise JobNotFailed(f"Jobs of kind {kind.name} are retried by their owner "
                               "(for a wizard execute: POST /migrations/{id}/execute).")
        await retry_job(state.pool, state.redis, kind=kind, job_id=row["id"],
                        account_id=row["account_id"], queue_name=state.settings.queue_name,
                        by=by, note=note)
    else:
        await cancel_job(state.pool, kind=kind, job_id=row["id"],
                         account_id=row["account_id"], by=by, note=note)


def _log(operator_key: int, action: str, where: dict[str, Any], matched: int,
         acted: int) -> None:
    log.info("operator action", operator_key=operator_key, action=action, filter=where,
             matched=matched, acted=acted)


async def _one(job_id: str, request: Request, state: State, operator: Operator,
               action: str) -> OpsJob:
    row = await _job_row(state, job_id)
    try:
        await _act(request, state, action, row)
    except ServiceError:
        _log(operator.id, action, {"ids": [job_id]}, 1, 0)
        raise
    _log(operator.id, action, {"ids": [job_id]}, 1, 1)
    return ops_job(await ops_store.job(state.pool, job_id))


@router.post("/jobs/{job_id}/retry", response_model=OpsJob, summary="Retry one failed job",
             responses=route_errors(JobNotFound, JobNotFailed, KindNotRunHere))
async def retry_one(job_id: str, request: Request, state: State,
                    operator: Operator) -> OpsJob:
    return await _one(job_id, request, state, operator, "retry")


@router.post("/jobs/{job_id}/cancel", response_model=OpsJob,
             summary="Cancel one pending or running job",
             responses=route_errors(JobNotFound, JobFinished, KindNotRunHere))
async def cancel_one(job_id: str, request: Request, state: State,
                     operator: Operator) -> OpsJob:
    return await _one(job_id, request, state, operator, "cancel")


async def _bulk(body: ActionFilter, request: Request, state: State, operator: Operator,
                action: str) -> ActionResult:
    given = body.model_dump(exclude_none=True, mode="json")
    if not given:
        raise FilterRequired()
    where = JobFilter(body.kind, body.status.value if body.status else None, body.account,
                      body.error_code, None, body.ids)
    matched = await ops_store.count_jobs(state.pool, where)
    acted, refused, refusals = 0, list[dict[str, str]](), 0
    bulk = new_id("bulk")  # each job's own entry names the bulk action it was part of
    for row in await ops_store.find_jobs(state.pool, where, starting_after=None,
                                         limit=BULK_LIMIT):
        try:
            await _act(request, state, action, row, bulk)
            acted += 1
        except ServiceError as exc:
            refusals += 1
            if len(refused) < 20:
                refused.append({"id": row["id"], "code": exc.code, "message": exc.message})
    _log(operator.id, action, given, matched, acted)
    if acted:  # one entry for the whole, after the jobs' own; none when nothing was done
        await audit.record(state.pool, actor(request), f"jobs.bulk_{_PAST[action]}",
                           subject=bulk, details={"filter": given, "matched": matched,
                                                  "acted": acted, "refused": refusals})
    return ActionResult(matched=matched, acted=acted, refused=refused)


@router.post("/jobs/retry", response_model=ActionResult,
             summary=f"Retry every failed job matching a filter (up to {BULK_LIMIT})",
             responses=route_errors(BODY_ERRORS, FilterRequired))
async def retry_many(body: ActionFilter, request: Request, state: State,
                     operator: Operator) -> ActionResult:
    return await _bulk(body, request, state, operator, "retry")


@router.post("/jobs/cancel", response_model=ActionResult,
             summary=f"Cancel every active job matching a filter (up to {BULK_LIMIT})",
             responses=route_errors(BODY_ERRORS, FilterRequired))
async def cancel_many(body: ActionFilter, request: Request, state: State,
                      operator: Operator) -> ActionResult:
    return await _bulk(body, request, state, operator, "cancel")
