"""What can go wrong talking to the legacy API, split by whether a retry can help."""

from __future__ import annotations

from worker.errors import ServiceError


class LegacyError(ServiceError):
    """The legacy API failed."""

    code = "LEGACY_ERROR"
    status = 502


class LegacyAuthFailed(LegacyError):
    """Wrong legacy credentials (permanent)."""

    code = "LEGACY_LOGIN_FAILED"
    status = 401


class LegacyTokenExpired(LegacyError):
    """The legacy access token is no longer accepted (permanent for this job attempt)."""

    code = "LEGACY_SESSION_EXPIRED"


class LegacyNotFound(LegacyError):
    """The organisation or resource does not exist for this token (permanent)."""

    code = "LEGACY_NOT_FOUND"


class LegacyUnavailable(LegacyError):
    """The legacy API kept failing after every retry (transient faults exhausted)."""

    code = "LEGACY_UNAVAILABLE"


class LegacyBadResponse(LegacyError):
    """The legacy API answered something that does not follow its contract (permanent)."""

    code = "LEGACY_BAD_RESPONSE"
