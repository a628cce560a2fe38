"""One error shape everywhere, `{"error": {"code": "...", "message": "..."}}`, with the HTTP
status each error class carries (worker.errors.ServiceError.status), and the web layer's own
errors.

Each route declares in the OpenAPI document the errors it can answer with
(`error_responses`), so that a client generated from /openapi.json knows every status. How
the app answers each kind of failure is in error_handlers.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from worker.errors import InternalError, ServiceError

# --- errors of the HTTP layer itself -----------------------------------------------------


class Unauthorized(ServiceError):
    """No API key: send the header 'Authorization: Bearer <api key>'."""

    code = "UNAUTHORIZED"
    status = 401


class InvalidApiKey(ServiceError):
    """The API key is not valid (unknown); ask an operator for one."""

    code = "INVALID_API_KEY"
    status = 401


class ApiKeyRevoked(ServiceError):
    """This API key was revoked; ask an operator for a new one."""

    code = "API_KEY_REVOKED"
    status = 401


class ApiKeyExpired(ServiceError):
    """This API key has expired; ask an operator for a new one."""

    code = "API_KEY_EXPIRED"
    status = 401


class AccountRequired(ServiceError):
    """This API key has access to several accounts: send the header 'x-account-id' naming
    one of them."""

    code = "ACCOUNT_REQUIRED"
    status = 400


class AccountForbidden(ServiceError):
    """This API key has no access to that account."""

    code = "ACCOUNT_FORBIDDEN"
    status = 403


class OperatorOnly(ServiceError):
    """This needs an operator's key (python -m api_stub create-key --operator)."""

    code = "OPERATOR_ONLY"
    status = 403


class InvalidJson(ServiceError):
    """The request body is not valid JSON; send a JSON object."""

    code = "INVALID_JSON"
    status = 400


class InvalidText(ServiceError):
    """A path, query or form text holds a NUL character or bytes that are not UTF-8."""

    code = "INVALID_TEXT"
    status = 400


class InvalidUpload(ServiceError):
    """The request body is not a valid multipart/form-data upload; send the file as a form
    field named 'file' (curl -F file=@export.csv)."""

    code = "INVALID_UPLOAD"
    status = 400


class RateLimited(ServiceError):
    """Too many requests: wait the seconds the Retry-After header gives, then try again."""

    code = "RATE_LIMITED"
    status = 429

    def __init__(self, message: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)  # seconds, sent as Retry-After

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InvalidRequest(ServiceError):
    """The request is invalid."""

    code = "VALIDATION_ERROR"
    status = 422


class PayloadTooLarge(ServiceError):
    """The request body is too large."""

    code = "PAYLOAD_TOO_LARGE"
    status = 413


class EndpointNotFound(ServiceError):
    """There is no such endpoint."""

    code = "NOT_FOUND"
    status = 404


class MethodNotAllowed(ServiceError):
    """This endpoint does not take that method; the Allow header lists those it takes."""

    code = "METHOD_NOT_ALLOWED"
    status = 405


class ServiceUnavailable(ServiceError):
    """A service this one needs (Postgres, or Redis: the queue and the legacy sessions) is
    not answering; try again in a moment."""

    code = "SERVICE_UNAVAILABLE"
    status = 503


# Lost or refused connections to Postgres or Redis, whatever the route: a 503 that says
# which, not an unexplained 500.
UNAVAILABLE: dict[type[Exception], str] = {
    RedisConnectionError: "Redis", RedisTimeoutError: "Redis",
    asyncpg.PostgresConnectionError: "Postgres", asyncpg.InterfaceError: "Postgres",
    asyncpg.CannotConnectNowError: "Postgres", ConnectionError: "Postgres or Redis",
}


def status_of(error: type[ServiceError]) -> int:
    """The HTTP status of an error class: its own `status`, or the nearest base class's."""
    return error.status


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error answer: a stable machine-readable code and what to do."""

    error: ErrorDetail


# What any route may answer: a malformed or oversized request (the size limit is applied
# before routing, so even a route without parameters or body can answer 413).
REQUEST_ERRORS: tuple[type[ServiceError], ...] = (InvalidRequest, PayloadTooLarge,
                                                  InvalidText, RateLimited)
BODY_ERRORS: tuple[type[ServiceError], ...] = (InvalidJson,)
# What any route may answer when something breaks that nobody foresaw (the handler of
# unexpected exceptions below answers it in the error shape, not as Starlette's plain text).
SERVER_ERRORS: tuple[type[ServiceError], ...] = (InternalError, ServiceUnavailable)
# What any route behind an API key may answer.
AUTH_ERRORS: tuple[type[ServiceError], ...] = (Unauthorized, InvalidApiKey, ApiKeyRevoked,
                                               ApiKeyExpired, AccountRequired,
                                               AccountForbidden)


def error_responses(*errors: Iterable[type[ServiceError]] | type[ServiceError]
                    ) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of these errors: per status, the error shape and its codes."""
    codes: dict[int, list[str]] = {}
    for item in errors:
        for error in (item,) if isinstance(item, type) else item:
            codes.setdefault(status_of(error), []).append(error.code)
    return {status: {"model": ErrorBody,
                     "description": "Error codes: " + ", ".join(dict.fromkeys(found)) + ".",
                     **({"headers": _RETRY_AFTER} if status in (429, 503) else {})}
            for status, found in sorted(codes.items())}


_RETRY_AFTER = {"Retry-After": {
    "description": "Seconds to wait before trying again (on 429 always; on 503 when the "
                   "wait is known).",
    "schema": {"type": "integer", "minimum": 1}}}


def route_errors(*errors: Iterable[type[ServiceError]] | type[ServiceError]
                 ) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route behind an API key: what every such route may answer,
    and `errors`. One call per route, not a router's `responses` plus the route's: FastAPI
    merges those per status, and a route's 400 (INVALID_JSON) would replace the router's
    (ACCOUNT_REQUIRED) instead of adding to it."""
    return error_responses(REQUEST_ERRORS, AUTH_ERRORS, SERVER_ERRORS, *errors)


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def error_response(error: ServiceError,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    retry_after = getattr(error, "retry_after", None)  # RateLimited, UploadRateExceeded
    if retry_after is not None:
        headers = {**(headers or {}), "Retry-After": str(retry_after)}
    return JSONResponse(error_body(error.code, error.message), status_code=status_of(type(error)),
                        headers=headers)
