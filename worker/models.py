"""The public job object and the vocabulary shared by the API, the enqueue layer and workers."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

TOTAL_STEPS = 8
QUEUED_STEP = "Queued"
QUEUED_DETAIL = "Migration job is waiting to start."
COMPLETED_STEP = "Completed"

# The 8 steps of a legacy Space Invoices migration (jobs-api.md), by number.
STEP_NAMES: dict[int, str] = {
    1: "Connecting to legacy account",
    2: "Migrating tax rates",
    3: "Migrating customers",
    4: "Migrating items",
    5: "Migrating documents",
    6: "Migrating payments",
    7: "Validating migrated data",
    8: "Committing to target",
}

Environment = Literal["live", "sandbox"]


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)
TERMINAL_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


def iso_millis(value: datetime | None) -> str | None:
    """`2024-01-01T00:00:00.000Z`: UTC, milliseconds, Z."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class Job(BaseModel):
    """The Legacy Migration object of seed 000, field for field."""

    id: str = Field(examples=["mig_507f1f77bcf86cd799439011"])
    legacy_org_id: str
    environment: Environment
    entity_id: str | None
    status: JobStatus
    step: str | None
    step_number: int
    total_steps: int = TOTAL_STEPS
    progress_detail: str | None
    error: str | None
    created_at: str
    started_at: str | None
    completed_at: str | None

    @classmethod
    def from_row(cls, row: Any) -> Job:
        """From a `migration_jobs` row (asyncpg Record or mapping)."""
        return cls(
            id=row["id"],
            legacy_org_id=row["legacy_org_id"],
            environment=row["environment"],
            entity_id=row["entity_id"],
            status=row["status"],
            step=row["step"],
            step_number=row["step_number"],
            total_steps=row["total_steps"],
            progress_detail=row["progress_detail"],
            error=row["error"],
            created_at=iso_millis(row["created_at"]) or "",
            started_at=iso_millis(row["started_at"]),
            completed_at=iso_millis(row["completed_at"]),
        )
