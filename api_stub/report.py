"""The per-step report of a job, from its step runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api_stub.schemas import JobReport, StepCounts, StepReport
from worker.models import STEP_NAMES, Job, iso_millis


def build_report(job: Job, attempts: int, runs: Sequence[Any]) -> JobReport:
    """Every step of the job, in order; steps not reached are `not_started`."""
    by_number = {r["step_number"]: r for r in runs}
    steps = []
    for number, name in STEP_NAMES.items():
        run = by_number.get(number)
        if run is None:
            steps.append(StepReport(
                step_number=number, step=name, status="not_started", started_at=None,
                finished_at=None, attempts=0, retries=0,
                counts=StepCounts(source=0, created=0, skipped=0, errors=0)))
            continue
        steps.append(StepReport(
            step_number=number, step=name, status=run["status"],
            started_at=iso_millis(run["started_at"]), finished_at=iso_millis(run["finished_at"]),
            attempts=run["attempts"], retries=run["retries"],
            counts=StepCounts(source=run["source_count"], created=run["created_count"],
                              skipped=run["skipped_count"], errors=run["error_count"]),
            checks=run["checks"]))
    return JobReport(id=job.id, status=job.status.value, attempts=attempts, steps=steps)
