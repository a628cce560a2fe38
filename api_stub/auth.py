"""API key authentication and account selection (spec/jobs-api.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from api_stub.errors import ApiError
from api_stub.state import ApiState, get_state
from worker.store.api_keys import accounts_of_key


async def current_account(
    state: Annotated[ApiState, Depends(get_state)],
    authorization: Annotated[str | None, Header()] = None,
    x_account_id: Annotated[str | None, Header(alias="x-account-id")] = None,
) -> str:
    """The account this request acts for."""
    if not authorization:
        raise ApiError(401, "UNAUTHORIZED",
                       "No API key: send the header 'Authorization: Bearer <api key>'.")
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "UNAUTHORIZED",
                       "The Authorization header must be 'Bearer <api key>'.")
    accounts = await accounts_of_key(state.pool, key.strip())
    if not accounts:
        raise ApiError(401, "INVALID_API_KEY",
                       "The API key is not valid (unknown or revoked); ask an operator for one.")
    if x_account_id is None:
        if len(accounts) == 1:
            return accounts[0]
        raise ApiError(400, "ACCOUNT_REQUIRED",
                       "This API key has access to several accounts: send the header "
                       "'x-account-id' naming one of them.")
    if x_account_id not in accounts:
        raise ApiError(403, "ACCOUNT_FORBIDDEN",
                       f"This API key has no access to account {x_account_id!r}.")
    return x_account_id


Account = Annotated[str, Depends(current_account)]
State = Annotated[ApiState, Depends(get_state)]
