"""A job's per-step report (api_stub/report.py): a step of an ended job is never shown
`running`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api_stub.report import build_report
from worker.db.rows import row_as
from worker.models import JobStatus
from worker.store.steps import StepRunRow

STEPS = {1: "Connecting", 2: "Reading", 3: "Writing"}


def _run(number: int, status: str) -> StepRunRow:
    """A step run as `step_report` reads it (its status as text)."""
    return row_as(StepRunRow, {
        "job_id": "job_1", "step_number": number, "status": status,
        "started_at": datetime.now(UTC), "finished_at": None, "attempts": 1, "retries": 0,
        "source_count": 0, "created_count": 0, "skipped_count": 0, "error_count": 0,
        "cursor": 0, "source_totals": {}, "checks": None})


@pytest.mark.parametrize(("job_status", "shown"), [
    ("cancelled", "cancelled"), ("failed", "failed"), ("running", "running"),
    ("pending", "running")])
def test_a_step_left_running_shows_how_its_job_ended(job_status: str, shown: str) -> None:
    report = build_report("job_1", JobStatus(job_status), 1, STEPS,
                          [_run(1, "finished"), _run(2, "running")])
    assert [s.status for s in report.steps] == ["finished", shown, "not_started"]
