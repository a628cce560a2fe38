"""The operators' API (/ops, snake_case): every account's jobs, the queue and the workers at
a glance, one job's timeline, and retry or cancel of one job or of every job matching a
filter (worker/ops.py does them; each is an entry of the audit log). Operator keys only
(python -m api_stub create-key --operator)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api_stub.auth import Operator, State, actor
from api_stub.errors import BODY_ERRORS, route_errors
from api_stub.metrics import FleetMetrics
from api_stub.schemas import Strict
from worker.engine.kind import JobKind
from worker.errors import FilterRequired, JobFinished, JobNotFailed, JobNotFound, KindNotRunHere
from worker.models import JobStatus, iso_millis
from worker.ops import BULK_LIMIT, Action, JobFilter, JobRow, OperatorActions

router = APIRouter(prefix="/ops", tags=["operators"])



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


def ops_job(row: JobRow) -> OpsJob:
    return OpsJob(
        id=row.id, kind=row.kind, account=row.account_id, status=row.status, step=row.step,
        step_number=row.step_number, total_steps=row.total_steps,
        progress_detail=row.progress_detail, error_code=row.error_code, error=row.error,
        attempts=row.attempts, worker_id=row.worker_id, created_at=iso_millis(row.created_at),
        started_at=iso_millis(row.started_at), completed_at=iso_millis(row.completed_at),
        updated_at=iso_millis(row.updated_at))


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
        minute = minutes.setdefault(iso_millis(r.minute) or "", Minute(
            minute=iso_millis(r.minute)))
        setattr(minute, r.status, r.n)
    kinds = _kinds(request)
    dead_after = request.app.state.api.settings.worker_dead_after_seconds
    return Summary(
        jobs=jobs,
        queue={"depth": snap.queue_depth, "oldest_wait_seconds": snap.oldest_wait_seconds},
        workers=[WorkerOut(id=w.id, host=w.host, pid=w.pid,
                           started_at=iso_millis(w.started_at),
                           last_seen_seconds_ago=round(w.last_seen_seconds_ago, 3),
                           alive=w.last_seen_seconds_ago < dead_after,
                           running=w.running, jobs=snap.running.get(w.id, []))
                 for w in snap.workers],
        throughput=list(minutes.values()),
        steps=[StepTiming(kind=r.kind, step=r.step_number,
                          name=kinds[r.kind].step_names().get(r.step_number, "")
                          if r.kind in kinds else "",
                          count=r.n, p50_seconds=round(r.p50, 3),
                          p95_seconds=round(r.p95, 3)) for r in snap.step_timings])


@router.get("/jobs", response_model=OpsJobList, summary="Every account's jobs, newest first",
            responses=route_errors())
async def jobs(
    request: Request, state: State, _: Operator,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    status: Annotated[JobStatus | None, Query()] = None,
    account: Annotated[str | None, Query(max_length=200)] = None,
    error_code: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[datetime | None, Query(description="Created at or after.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    starting_after: Annotated[str | None, Query(max_length=40, pattern="^[^\\x00]*$")] = None,
) -> OpsJobList:
    where = JobFilter(kind, status, account, error_code, since)
    rows, more = await _actions(request, state).find(where, starting_after=starting_after,
                                                     limit=limit)
    return OpsJobList(data=[ops_job(r) for r in rows], has_more=more)


def _actions(request: Request, state: State) -> OperatorActions:
    return OperatorActions(state.pool, state.redis, _kinds(request), state.settings.queue_name)


@router.get("/jobs/{job_id}", response_model=OpsJobDetail,
            summary="One job: its account, kind, attempts, error and step timeline",
            responses=route_errors(JobNotFound))
async def job(job_id: str, request: Request, state: State, _: Operator) -> OpsJobDetail:
    actions = _actions(request, state)
    row = await actions.job(job_id)
    lines = [TimelineStep(step_number=line.number, name=line.name, status=line.status,
                          started_at=iso_millis(line.started_at),
                          finished_at=iso_millis(line.finished_at), attempts=line.attempts,
                          retries=line.retries, counts=line.counts)
             for line in await actions.timeline(row)]
    return OpsJobDetail(**ops_job(row).model_dump(), timeline=lines)


async def _one(job_id: str, request: Request, state: State, action: Action) -> OpsJob:
    return ops_job(await _actions(request, state).one(action, job_id, actor(request)))


@router.post("/jobs/{job_id}/retry", response_model=OpsJob, summary="Retry one failed job",
             responses=route_errors(JobNotFound, JobNotFailed, KindNotRunHere))
async def retry_one(job_id: str, request: Request, state: State, _: Operator) -> OpsJob:
    return await _one(job_id, request, state, "retry")


@router.post("/jobs/{job_id}/cancel", response_model=OpsJob,
             summary="Cancel one pending or running job",
             responses=route_errors(JobNotFound, JobFinished, KindNotRunHere))
async def cancel_one(job_id: str, request: Request, state: State, _: Operator) -> OpsJob:
    return await _one(job_id, request, state, "cancel")


async def _bulk(body: ActionFilter, request: Request, state: State,
                action: Action) -> ActionResult:
    where = JobFilter(body.kind, body.status, body.account,
                      body.error_code, None, body.ids)
    outcome = await _actions(request, state).bulk(
        action, where, body.model_dump(exclude_none=True, mode="json"), actor(request))
    return ActionResult(matched=outcome.matched, acted=outcome.acted, refused=outcome.refused)


@router.post("/jobs/retry", response_model=ActionResult,
             summary=f"Retry every failed job matching a filter (up to {BULK_LIMIT})",
             responses=route_errors(BODY_ERRORS, FilterRequired))
async def retry_many(body: ActionFilter, request: Request, state: State,
                     _: Operator) -> ActionResult:
    return await _bulk(body, request, state, "retry")


@router.post("/jobs/cancel", response_model=ActionResult,
             summary=f"Cancel every active job matching a filter (up to {BULK_LIMIT})",
             responses=route_errors(BODY_ERRORS, FilterRequired))
async def cancel_many(body: ActionFilter, request: Request, state: State,
                      _: Operator) -> ActionResult:
    return await _bulk(body, request, state, "cancel")
