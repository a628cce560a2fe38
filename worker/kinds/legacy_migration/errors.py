"""Why a legacy migration job cannot be created or retried."""

from __future__ import annotations

from worker.errors import ServiceError


class LegacySessionNotFound(ServiceError):
    """legacy_session_id is unknown or has expired (sessions last one hour): log in again
    with POST /legacy-migration/auth."""

    code = "LEGACY_SESSION_NOT_FOUND"
    status = 404


class LegacyOrgNotFound(ServiceError):
    """The legacy organisation is not one of this session's organisations: use an id from
    the auth response's organizations."""

    code = "LEGACY_ORG_NOT_FOUND"
    status = 404


class AlreadyMigrated(ServiceError):
    """The legacy organisation was already migrated to live."""

    code = "ALREADY_MIGRATED"
    status = 409
