"""The words a user reads when a legacy migration fails: what happened and what to do."""

from __future__ import annotations

from typing import Any

from worker.engine.kind import Step
from worker.errors import ServiceError
from worker.kinds.legacy_migration.source.convert import RecordError
from worker.kinds.legacy_migration.source.errors import (
    LegacyAuthFailed,
    LegacyBadResponse,
    LegacyError,
    LegacyNotFound,
    LegacyTokenExpired,
    LegacyUnavailable,
)


def describe_failure(exc: BaseException, step: Step[Any]) -> ServiceError | None:
    """The kind's own errors as the user reads them; None for anything else."""
    if isinstance(exc, LegacyError):
        return legacy_failure(exc, step.name)
    if isinstance(exc, RecordError):
        return _failure(exc.code, (
            f"The legacy {exc.record_type} {exc.legacy_id} cannot be migrated: it {exc.problem}. "
            "Correct it in the legacy account and retry the job."))
    return None


def legacy_failure(exc: LegacyError, step_name: str) -> ServiceError:
    """A permanent legacy API failure during a step."""
    if isinstance(exc, LegacyTokenExpired | LegacyAuthFailed):
        return _failure(exc.code, (
            f"The legacy session expired while {step_name.lower()}. Log in again with "
            "POST /legacy-migration/auth and retry the job with the new legacy_session_id; "
            "it resumes where it stopped."))
    if isinstance(exc, LegacyNotFound):
        return _failure(exc.code, (
            f"The legacy account no longer gives access to this organisation ({exc}). Check "
            "that the organisation still exists and the user still owns it, then retry."))
    if isinstance(exc, LegacyUnavailable):
        return _failure(exc.code, (
            f"The legacy system could not be reached while {step_name.lower()}: {exc}. "
            "Retry the job later; it resumes where it stopped."))
    if isinstance(exc, LegacyBadResponse):
        return _failure(exc.code, (
            f"The legacy system sent an answer that could not be read ({exc}). "
            "Retry the job; if it fails again, contact support."))
    return _failure(exc.code, f"The legacy system failed: {exc}. Retry the job.")


def _failure(code: str, message: str) -> ServiceError:
    return ServiceError(message, code=code)
