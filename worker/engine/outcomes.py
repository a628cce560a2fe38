"""The words a user reads when a job fails: what happened and what to do."""

from __future__ import annotations

from worker.sources.legacy.errors import (
    LegacyAuthFailed,
    LegacyBadResponse,
    LegacyError,
    LegacyNotFound,
    LegacyTokenExpired,
    LegacyUnavailable,
)


def legacy_failure(exc: LegacyError, step_name: str) -> tuple[str, str]:
    """(error code, message) for a permanent legacy API failure during a step."""
    if isinstance(exc, LegacyTokenExpired | LegacyAuthFailed):
        return exc.code, (
            f"The legacy session expired while {step_name.lower()}. Log in again with "
            "POST /legacy-migration/auth and retry the job with the new legacy_session_id; "
            "it resumes where it stopped."
        )
    if isinstance(exc, LegacyNotFound):
        return exc.code, (
            f"The legacy account no longer gives access to this organisation ({exc}). Check "
            "that the organisation still exists and the user still owns it, then retry."
        )
    if isinstance(exc, LegacyUnavailable):
        return exc.code, (
            f"The legacy system could not be reached while {step_name.lower()}: {exc}. "
            "Retry the job later; it resumes where it stopped."
        )
    if isinstance(exc, LegacyBadResponse):
        return exc.code, (
            f"The legacy system sent an answer that could not be read ({exc}). "
            "Retry the job; if it fails again, contact support."
        )
    return exc.code, f"The legacy system failed: {exc}. Retry the job."
