"""POST /legacy-migration/auth: log in to the legacy system, list its organisations."""

from __future__ import annotations

from fastapi import APIRouter

from api_stub.auth import Account, State
from api_stub.errors import (
    AUTH_ERRORS,
    BODY_ERRORS,
    REQUEST_ERRORS,
    SERVER_ERRORS,
    error_responses,
)
from api_stub.schemas import AuthRequest, AuthResponse
from worker.kinds.legacy_migration.sessions import legacy_login
from worker.kinds.legacy_migration.source.errors import (
    LegacyAuthFailed,
    LegacyError,
    LegacyUnavailable,
)
from worker.kinds.legacy_migration.store import LegacyMigrationStore

router = APIRouter(prefix="/legacy-migration", tags=["legacy migration"])


@router.post("/auth", response_model=AuthResponse,
             summary="Authenticate with the legacy API and list the owned organisations",
             responses=error_responses(REQUEST_ERRORS, BODY_ERRORS, AUTH_ERRORS, SERVER_ERRORS,
                                       LegacyAuthFailed, LegacyUnavailable))
async def authenticate(body: AuthRequest, account: Account, state: State) -> AuthResponse:
    try:
        outcome = await legacy_login(
            redis=state.redis, box=state.box, legacy_api_url=state.settings.legacy_api_url,
            account_id=account, email=body.email, password=body.password,
            ttl_seconds=state.settings.legacy_session_ttl_seconds,
            migrated=LegacyMigrationStore(state.pool).migrated_environments,
            http_timeout=state.settings.legacy_timeout_seconds,
        )
    except LegacyAuthFailed:
        raise LegacyAuthFailed("The legacy Space Invoices email or password is wrong.") from None
    except LegacyError as exc:
        raise LegacyUnavailable(f"The legacy Space Invoices API could not be reached ({exc}); "
                                "try again in a moment.") from None
    return AuthResponse.model_validate(
        {"organizations": outcome.organizations, "legacy_session_id": outcome.session_id})
