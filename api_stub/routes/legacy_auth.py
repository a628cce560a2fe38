"""POST /legacy-migration/auth: log in to the legacy system, list its organisations.

Throttled per API key and per legacy email (login_throttle.py); each wrong password is
logged with the email's digest, the key and the client address, never the password."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request

from api_stub import login_throttle
from api_stub.auth import Account, State, bearer_token, request_key
from api_stub.errors import (
    AUTH_ERRORS,
    BODY_ERRORS,
    REQUEST_ERRORS,
    SERVER_ERRORS,
    RateLimited,
    error_responses,
)
from api_stub.limit_store import LimitStore
from api_stub.rate_limits import client_address
from api_stub.schemas import AuthRequest, AuthResponse
from worker.ids import KEY_PREFIX
from worker.kinds.legacy_migration import reads
from worker.kinds.legacy_migration.sessions import legacy_login
from worker.kinds.legacy_migration.source.errors import (
    LegacyAuthFailed,
    LegacyError,
    LegacyUnavailable,
)

router = APIRouter(prefix="/legacy-migration", tags=["legacy migration"])
log = structlog.get_logger(__name__)

# hex digits of the email's digest in the log: enough to tell emails apart
LOGGED_DIGEST = 16


def _who(request: Request, email: str, secret: str) -> dict[str, object]:
    """What a log line says about an attempt: never the email, the key or the password."""
    token = bearer_token(request.headers.get("authorization")) or ""
    return {
        "email_digest": login_throttle.email_digest(email, secret)[:LOGGED_DIGEST],
        "key_id": request_key(request).id,
        # the stored api_keys.key_prefix without its "mwk_" (the log redacts that shape)
        "key_prefix": token[len(KEY_PREFIX):10],
        "client": client_address(request.scope),
    }


@router.post("/auth", response_model=AuthResponse,
             summary="Authenticate with the legacy API and list the owned organisations",
             responses=error_responses(REQUEST_ERRORS, BODY_ERRORS, AUTH_ERRORS, SERVER_ERRORS,
                                       LegacyAuthFailed, LegacyUnavailable))
async def authenticate(body: AuthRequest, account: Account, state: State,
                       request: Request) -> AuthResponse:
    settings = state.settings
    store: LimitStore = request.state.limit_store
    who = _who(request, body.email, settings.secret_key.get_secret_value())
    try:
        attempt = await login_throttle.begin(store, settings, request_key(request).id,
                                             body.email)
    except RateLimited as refused:
        log.info("legacy login throttled", **who, retry_after=refused.retry_after)
        raise
    try:
        outcome = await legacy_login(
            redis=state.redis, box=state.box, legacy_api_url=settings.legacy_api_url,
            account_id=account, email=body.email, password=body.password,
            ttl_seconds=settings.legacy_session_ttl_seconds,
            migrated=reads.migrated_environments(state.pool),
            http_timeout=settings.legacy_timeout_seconds,
        )
    except LegacyAuthFailed:
        policy = login_throttle.Policy.of(settings)
        wait = policy.wait_after(max(attempt.email_failures, attempt.key_failures))
        log.warning("legacy login failed", **who, failures=attempt.email_failures,
                    key_failures=attempt.key_failures, next_wait_seconds=wait)
        later = f" Wait {wait:g} s before the next attempt." if wait else ""
        raise LegacyAuthFailed("The legacy Space Invoices email or password is wrong."
                               + later) from None
    except Exception as exc:
        await attempt.undo()  # no verdict on the password: not held against anyone
        if isinstance(exc, LegacyError):
            raise LegacyUnavailable(f"The legacy Space Invoices API could not be reached "
                                    f"({exc}); try again in a moment.") from None
        raise
    await attempt.succeeded()
    return AuthResponse.model_validate(
        {"organizations": outcome.organizations, "legacy_session_id": outcome.session_id})
