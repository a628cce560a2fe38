"""The Legacy Migration object of seed 000 (jobs-api.md), field for field."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from worker.models import JobStatus, iso_millis

Environment = Literal["live", "sandbox"]


class Job(BaseModel):
    """A legacy migration job as the job API shows it."""

    id: str = Field(examples=["mig_507f1f77bcf86cd799439011"])
    legacy_org_id: str
    environment: Environment
    entity_id: str | None
    status: JobStatus
    step: str | None
    step_number: int
    total_steps: int = 8
    progress_detail: str | None
    error: str | None
    created_at: str
    started_at: str | None
    completed_at: str | None

    @classmethod
    def from_row(cls, row: Any) -> Job:
        """From a job row joined with its legacy_migration_jobs row."""
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
