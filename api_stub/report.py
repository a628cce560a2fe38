"""The per-step report of a job, from its kind's step table and its step runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from api_stub.schemas import JobReport, StepCounts, StepReport
from worker.models import iso_millis

# A step still marked running when its job has ended was stopped with it: it is shown so.
_ENDED_STEP = {"cancelled": "cancelled", "failed": "failed", "completed": "finished"}


def build_report(job_id: str, status: str, attempts: int, step_names: Mapping[int, str],
                 runs: Sequence[Any]) -> JobReport:
    """Every step of the job's kind, in order; steps not reached are `not_started`; a step
    of an ended job is never `running` (a job cancelled mid-step shows that step
    `cancelled`)."""
    by_number = {r["step_number"]: r for r in runs}
    steps = []
    for number, name in step_names.items():
        run = by_number.get(number)
        if run is None:
            steps.append(StepReport(
                step_number=number, step=name, status="not_started", started_at=None,
                finished_at=None, attempts=0, retries=0,
                counts=StepCounts(source=0, created=0, skipped=0, errors=0)))
            continue
        step_status = run["status"]
        if step_status == "running":
            step_status = _ENDED_STEP.get(status, step_status)
        steps.append(StepReport(
            step_number=number, step=name, status=step_status,
            started_at=iso_millis(run["started_at"]), finished_at=iso_millis(run["finished_at"]),
            attempts=run["attempts"], retries=run["retries"],
            counts=StepCounts(source=run["source_count"], created=run["created_count"],
                              skipped=run["skipped_count"], errors=run["error_count"]),
            checks=run["checks"]))
    return JobReport(id=job_id, status=status, attempts=attempts, steps=steps)
