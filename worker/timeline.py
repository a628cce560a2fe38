"""A job's steps as people read them (the account's report, the operators' timeline): every
step of its kind in order, from its step runs; steps not reached are `not_started`, and a
step of an ended job is never `running` (a job cancelled mid-step shows that step
`cancelled`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from worker.models import JobStatus, StepStatus

# A step still marked running when its job has ended was stopped with it: it is shown so.
_ENDED_STEP = {JobStatus.CANCELLED: "cancelled", JobStatus.FAILED: StepStatus.FAILED,
               JobStatus.COMPLETED: StepStatus.FINISHED}


@dataclass(frozen=True)
class StepLine:
    """One step of a job, run or not."""

    number: int
    name: str
    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    retries: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {
        "source": 0, "created": 0, "skipped": 0, "errors": 0})
    checks: Any = None


class StepRunLike(Protocol):
    """What the timeline reads of a step run (worker.store.steps.StepRunRow: this layer
    sits below the stores)."""

    @property
    def step_number(self) -> int: ...
    @property
    def status(self) -> StepStatus: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def attempts(self) -> int: ...
    @property
    def retries(self) -> int: ...
    @property
    def source_count(self) -> int: ...
    @property
    def created_count(self) -> int: ...
    @property
    def skipped_count(self) -> int: ...
    @property
    def error_count(self) -> int: ...
    @property
    def checks(self) -> Any: ...


def timeline(job_status: JobStatus, step_names: Mapping[int, str],
             runs: Sequence[StepRunLike]) -> list[StepLine]:
    """The job's steps, in its kind's order, from its step runs (`step_report` rows)."""
    by_number = {r.step_number: r for r in runs}
    lines = []
    for number, name in step_names.items():
        run = by_number.get(number)
        if run is None:
            lines.append(StepLine(number, name, "not_started"))
            continue
        status: str = run.status
        if run.status == StepStatus.RUNNING:
            status = _ENDED_STEP.get(job_status, status)
        lines.append(StepLine(
            number, name, status, run.started_at, run.finished_at, run.attempts,
            run.retries, {"source": run.source_count, "created": run.created_count,
                          "skipped": run.skipped_count, "errors": run.error_count},
            run.checks))
    return lines
