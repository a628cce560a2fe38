"""The per-step report of a job (GET /legacy-migration/jobs/{id}/report), from the one
timeline builder (worker/timeline.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from api_stub.schemas import JobReport, StepCounts, StepReport
from worker.models import JobStatus, iso_millis
from worker.store.steps import StepRunRow
from worker.timeline import timeline


def build_report(job_id: str, status: JobStatus, attempts: int, step_names: Mapping[int, str],
                 runs: Sequence[StepRunRow]) -> JobReport:
    """Every step of the job's kind, in order (worker.timeline.timeline)."""
    steps = [StepReport(step_number=line.number, step=line.name, status=line.status,
                        started_at=iso_millis(line.started_at),
                        finished_at=iso_millis(line.finished_at), attempts=line.attempts,
                        retries=line.retries, counts=StepCounts(**line.counts),
                        checks=line.checks)
             for line in timeline(status, step_names, runs)]
    return JobReport(id=job_id, status=status, attempts=attempts, steps=steps)
