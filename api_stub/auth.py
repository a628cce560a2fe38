"""API key authentication and account selection (spec/jobs-api.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api_stub.errors import (
    AccountForbidden,
    AccountRequired,
    ApiKeyExpired,
    ApiKeyRevoked,
    InvalidApiKey,
    OperatorOnly,
    Unauthorized,
)
from api_stub.key_cache import KeyCache
from api_stub.key_usage import KeyUsage
from api_stub.state import ApiState, get_state
from worker.secrets_box import digest_api_key
from worker.store.api_keys import ApiKey, KeyRefused, find_api_key
from worker.store.audit import Actor, ActorRole

# Declares the bearer scheme in the OpenAPI document; the header itself is read below, so
# that each way of getting it wrong has its own message.
bearer = HTTPBearer(auto_error=False, description="An API key: `Bearer mwk_…`.")


def bearer_token(authorization: str | None) -> str | None:
    """The API key an Authorization header carries (`Bearer <key>`), or None."""
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


async def lookup_key(cache: KeyCache, pool: asyncpg.Pool, key: str,
                     usage: KeyUsage | None = None) -> ApiKey | KeyRefused | None:
    """The key, from the cache or the database; KeyRefused when revoked or expired; None
    when unknown. A valid key's use is noted in `usage` (written later, in bulk)."""
    digest = digest_api_key(key)
    cached = cache.get(digest)
    # a cached key is not trusted past its expiry or its rotation's grace end
    if cached is not None and (cached.valid_until is None
                               or cached.valid_until > datetime.now(UTC)):
        found: ApiKey | KeyRefused | None = cached
    else:
        found = await find_api_key(pool, key)
        if isinstance(found, ApiKey):
            cache.put(digest, found)
    if usage is not None and isinstance(found, ApiKey):
        usage.note(found.id)
    return found


def refusal_error(refused: KeyRefused) -> ApiKeyRevoked | ApiKeyExpired:
    """The 401 naming why this existing key no longer works, and since when."""
    day = refused.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if refused.reason == "expired":
        return ApiKeyExpired(f"This API key expired on {day}; ask an operator for a new one.")
    if refused.rotated:
        return ApiKeyRevoked(f"This API key was rotated and its grace period ended on {day}; "
                             "use its replacement or ask an operator for a new one.")
    return ApiKeyRevoked(f"This API key was revoked on {day}; ask an operator for a new one.")


async def _api_key(request: Request, state: ApiState) -> ApiKey:
    # the rate limiter, which runs first, may have found it already
    known: ApiKey | None = getattr(request.state, "api_key", None)
    if known is not None:
        return known
    authorization = request.headers.get("authorization")
    if not authorization:
        raise Unauthorized()
    key = bearer_token(authorization)
    if key is None:
        raise Unauthorized("The Authorization header must be 'Bearer <api key>'.")
    # the rate limiter may have looked it up already and found nothing, or a refused key
    refused: KeyRefused | None = getattr(request.state, "api_key_refused", None)
    unknown = getattr(request.state, "api_key_unknown", False)
    found: ApiKey | KeyRefused | None = refused
    if found is None and not unknown:
        found = await lookup_key(request.app.state.key_cache, state.pool, key,
                                 getattr(request.app.state, "key_usage", None))
    if isinstance(found, KeyRefused):
        raise refusal_error(found)
    if found is None:
        raise InvalidApiKey()
    request.state.api_key = found
    return found


def request_key(request: Request) -> ApiKey:
    """The API key of a request whose route depends on Account or Operator."""
    found: ApiKey = request.state.api_key
    return found


def actor(request: Request, account: str | None = None) -> Actor:
    """Who makes this request, for the audit log: its key (an operator's, or an account's
    acting for `account`) and the client's address (as the server saw it, or as the
    trusted proxies in front say: FORWARDED_ALLOW_IPS)."""
    key = request_key(request)
    return Actor(ActorRole.OPERATOR if key.operator else ActorRole.ACCOUNT, key_id=key.id,
                 key_prefix=key.prefix, key_label=key.label, account_id=account,
                 address=request.client.host if request.client else None)


async def current_account(
    request: Request,
    state: Annotated[ApiState, Depends(get_state)],
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_account_id: Annotated[str | None, Header(
        alias="x-account-id", max_length=200,
        description="The account to act for; required when the API key has several.",
    )] = None,
) -> str:
    """The account this request acts for."""
    found = await _api_key(request, state)
    if found.operator:
        raise AccountForbidden("An operator key acts on jobs through /ops only; use an "
                               "account's key here.")
    accounts = found.accounts
    if x_account_id is None:
        if len(accounts) == 1:
            return accounts[0]
        raise AccountRequired()
    if x_account_id not in accounts:
        raise AccountForbidden(f"This API key has no access to account {x_account_id!r}.")
    return x_account_id


async def current_operator(
    request: Request,
    state: Annotated[ApiState, Depends(get_state)],
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiKey:
    """The operator's key this request comes with."""
    found = await _api_key(request, state)
    if not found.operator:
        raise OperatorOnly()
    return found


Account = Annotated[str, Depends(current_account)]
Operator = Annotated[ApiKey, Depends(current_operator)]
State = Annotated[ApiState, Depends(get_state)]
