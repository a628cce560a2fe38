"""API key authentication and account selection (spec/jobs-api.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api_stub.errors import AccountForbidden, AccountRequired, InvalidApiKey, Unauthorized
from api_stub.state import ApiState, get_state
from worker.store.api_keys import accounts_of_key

# Declares the bearer scheme in the OpenAPI document; the header itself is read below, so
# that each way of getting it wrong has its own message.
bearer = HTTPBearer(auto_error=False, description="An API key: `Bearer mwk_…`.")


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
    authorization = request.headers.get("authorization")
    if not authorization:
        raise Unauthorized()
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <api key>'.")
    accounts = await accounts_of_key(state.pool, key.strip())
    if not accounts:
        raise InvalidApiKey()
    if x_account_id is None:
        if len(accounts) == 1:
            return accounts[0]
        raise AccountRequired()
    if x_account_id not in accounts:
        raise AccountForbidden(f"This API key has no access to account {x_account_id!r}.")
    return x_account_id


Account = Annotated[str, Depends(current_account)]
State = Annotated[ApiState, Depends(get_state)]
