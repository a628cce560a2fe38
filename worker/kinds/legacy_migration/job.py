"""The Legacy Migration object of seed 000 (jobs-api.md), field for field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from worker.db.rows import RecordLike, row_as
from worker.models import JobStatus, iso_millis
from worker.store.jobs import JobRow

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
    def from_row(cls, record: RecordLike) -> Job:
        """From a job row joined with its legacy_migration_jobs row."""
        legacy = row_as(LegacyFields, record)
        return cls.of(row_as(JobRow, record), legacy.legacy_org_id, legacy.environment)

    @classmethod
    def of(cls, job: JobRow | JobAtEvent, legacy_org_id: str, environment: Environment) -> Job:
        """A job row, or the job as one of its events left it, with its legacy fields."""
        return cls(
            id=job.id, legacy_org_id=legacy_org_id, environment=environment,
            entity_id=job.entity_id, status=job.status, step=job.step,
            step_number=job.step_number, total_steps=job.total_steps,
            progress_detail=job.progress_detail, error=job.error,
            created_at=iso_millis(job.created_at) or "",
            started_at=iso_millis(job.started_at),
            completed_at=iso_millis(job.completed_at),
        )

    @classmethod
    def at_event(cls, event: JobAtEvent) -> Job:
        """The job as one of its events left it."""
        return cls.of(event, event.legacy_org_id, event.environment)


@dataclass(frozen=True, slots=True)
class LegacyFields:
    """What the job API shows of a legacy migration's own fields (`legacy_migration_jobs`)."""

    legacy_org_id: str
    environment: Environment


@dataclass(frozen=True, slots=True)
class JobAtEvent:
    """A legacy job as one of its events left it (event 0: as it is, before any event),
    with its fixed fields: what GET /legacy-migration/jobs/{id} answered at the time."""

    event_id: int
    id: str
    legacy_org_id: str
    environment: Environment
    entity_id: str | None
    status: JobStatus
    step: str | None
    step_number: int
    total_steps: int
    progress_detail: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
