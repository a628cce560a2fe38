"""Request and response bodies of the job API (seed 000, field for field)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api_stub.request_text import CheckedText
from worker.kinds.legacy_migration.job import Environment, Job


class Strict(CheckedText):
    """A request body: unknown fields refused, text checked (request_text.CheckedText)."""

    model_config = ConfigDict(extra="forbid")


class AuthRequest(Strict):
    email: str = Field(min_length=3, max_length=320, examples=["user@example.com"])
    password: str = Field(min_length=1, max_length=1024, examples=["legacy-account-password"])


class LegacyOrganization(BaseModel):
    id: str
    name: str | None
    country: str | None
    tax_number: str | None
    created_at: str | None
    already_migrated: bool
    migrated_environment: Environment | None


class AuthResponse(BaseModel):
    organizations: list[LegacyOrganization]
    legacy_session_id: str


class CreateJobRequest(Strict):
    legacy_org_id: str = Field(min_length=1, max_length=200, examples=["legacy_org_abc123"])
    legacy_session_id: str = Field(min_length=1, max_length=200, examples=["lm_session_abc123"])
    environment: Environment
    confirm_unsupported_data: bool = False


class RetryRequest(Strict):
    legacy_session_id: str | None = Field(
        default=None, max_length=200,
        description="A new legacy session, when the job failed because its session expired.")


class JobList(BaseModel):
    data: list[Job]
    has_more: bool


class StepCounts(BaseModel):
    source: int
    created: int
    skipped: int
    errors: int


class StepReport(BaseModel):
    step_number: int
    step: str
    status: str
    started_at: str | None
    finished_at: str | None
    attempts: int
    retries: int
    counts: StepCounts
    checks: Any = None


class JobReport(BaseModel):
    id: str
    status: str
    # times a worker took the job: more than 1 after a crash, a shutdown or a retry
    attempts: int
    steps: list[StepReport]


class Health(BaseModel):
    """GET /healthz: 200 with status "ok" when Postgres and Redis answer, else 503."""

    status: Literal["ok", "unavailable"]
    postgres: str = Field(description='"ok", or "unavailable (<error>)"', examples=["ok"])
    redis: str = Field(description='"ok", or "unavailable (<error>)"', examples=["ok"])
