"""The vocabulary of jobs shared by the API, the enqueue layer, the engine and every kind."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

QUEUED_DETAIL = "Migration job is waiting to start."
CANCELLED_BEFORE_START_DETAIL = "Migration cancelled before it started."
PARKED_DETAIL = ("Waiting for a free slot: this account's other jobs hold its fair share of "
                 "the workers while other accounts' jobs wait.")


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class StepStatus(StrEnum):
    """Where a step run is (the CHECK of `migration_step_runs.status`)."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


def iso_millis(value: datetime | None) -> str | None:
    """`2024-01-01T00:00:00.000Z`: UTC, milliseconds, Z."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
