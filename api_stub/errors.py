"""One error shape everywhere, `{"error": {"code": "...", "message": "..."}}`, and one table
from the service's errors (worker.errors.ServiceError and its kinds') to HTTP statuses.

Each route declares in the OpenAPI document the errors it can answer with
(`error_responses`), so that a client generated from /openapi.json knows every status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from worker.errors import (
    ActiveJobExists,
    InternalError,
    JobFinished,
    JobNotFailed,
    JobNotFound,
    ServiceError,
)
from worker.kinds.legacy_migration.errors import (
    AlreadyMigrated,
    LegacyOrgNotFound,
    LegacySessionNotFound,
)
from worker.kinds.legacy_migration.source.errors import LegacyAuthFailed, LegacyError
from worker.kinds.wizard_import.errors import (
    FilesConflict,
    FileTooLarge,
    ImportTypeMismatch,
    InvalidFile,
    MissingSheets,
    ReadingInterrupted,
    UploadQuotaExceeded,
    UploadRateExceeded,
)
from worker.wizard.errors import (
    BalancesNotConfirmed,
    CashVatNotSupported,
    ExecuteFailed,
    ImportNotConfirmable,
    ImportNotFound,
    ImportNotReady,
    InvalidCutoverDate,
    InvalidImport,
    InvalidTransition,
    MigrationNotFound,
    MigrationSingletonViolation,
    ProviderNotAutomated,
)
from worker.wizard.gates import GatesFailed
from worker.wizard.ledger import LedgerError

# --- errors of the HTTP layer itself -----------------------------------------------------


class Unauthorized(ServiceError):
    """No API key: send the header 'Authorization: Bearer <api key>'."""

    code = "UNAUTHORIZED"


class InvalidApiKey(ServiceError):
    """The API key is not valid (unknown or revoked); ask an operator for one."""

    code = "INVALID_API_KEY"


class AccountRequired(ServiceError):
    """This API key has access to several accounts: send the header 'x-account-id' naming
    one of them."""

    code = "ACCOUNT_REQUIRED"


class AccountForbidden(ServiceError):
    """This API key has no access to that account."""

    code = "ACCOUNT_FORBIDDEN"


class OperatorOnly(ServiceError):
    """This needs an operator's key (python -m api_stub create-key --operator)."""

    code = "OPERATOR_ONLY"


class FilterRequired(ServiceError):
    """Name at least one of kind, status, error_code, account or ids: a bulk action never
    acts on every job."""

    code = "FILTER_REQUIRED"


class KindNotRunHere(ServiceError):
    """This service does not know jobs of that kind."""

    code = "UNKNOWN_KIND"


class InvalidJson(ServiceError):
    """The request body is not valid JSON; send a JSON object."""

    code = "INVALID_JSON"


class InvalidText(ServiceError):
    """A path, query or form text holds a NUL character or bytes that are not UTF-8."""

    code = "INVALID_TEXT"


class InvalidUpload(ServiceError):
    """The request body is not a valid multipart/form-data upload; send the file as a form
    field named 'file' (curl -F file=@export.csv)."""

    code = "INVALID_UPLOAD"


class RateLimited(ServiceError):
    """Too many requests: wait the seconds the Retry-After header gives, then try again."""

    code = "RATE_LIMITED"

    def __init__(self, message: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)  # seconds, sent as Retry-After

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InvalidRequest(ServiceError):
    """The request is invalid."""

    code = "VALIDATION_ERROR"


class PayloadTooLarge(ServiceError):
    """The request body is too large."""

    code = "PAYLOAD_TOO_LARGE"


class EndpointNotFound(ServiceError):
    """There is no such endpoint."""

    code = "NOT_FOUND"


class MethodNotAllowed(ServiceError):
    """This endpoint does not take that method; the Allow header lists those it takes."""

    code = "METHOD_NOT_ALLOWED"


class ServiceUnavailable(ServiceError):
    """A service this one needs (Postgres, or Redis: the queue and the legacy sessions) is
    not answering; try again in a moment."""

    code = "SERVICE_UNAVAILABLE"


# Lost or refused connections to Postgres or Redis, whatever the route: a 503 that says
# which, not an unexplained 500.
UNAVAILABLE: dict[type[Exception], str] = {
    RedisConnectionError: "Redis", RedisTimeoutError: "Redis",
    asyncpg.PostgresConnectionError: "Postgres", asyncpg.InterfaceError: "Postgres",
    asyncpg.CannotConnectNowError: "Postgres", ConnectionError: "Postgres or Redis",
}


# The one table: the most specific class listed wins (by method resolution order).
STATUS: dict[type[ServiceError], int] = {
    ServiceError: 500,
    InternalError: 500,
    InvalidJson: 400,
    InvalidUpload: 400,
    RateLimited: 429,
    InvalidText: 400,
    AccountRequired: 400,
    Unauthorized: 401,
    InvalidApiKey: 401,
    LegacyAuthFailed: 401,
    AccountForbidden: 403,
    OperatorOnly: 403,
    FilterRequired: 422,
    KindNotRunHere: 409,
    EndpointNotFound: 404,
    JobNotFound: 404,
    LegacySessionNotFound: 404,
    LegacyOrgNotFound: 404,
    MethodNotAllowed: 405,
    JobFinished: 409,
    JobNotFailed: 409,
    ActiveJobExists: 409,
    AlreadyMigrated: 409,
    PayloadTooLarge: 413,
    InvalidRequest: 422,
    LegacyError: 502,
    ServiceUnavailable: 503,
    # the migration wizard
    InvalidFile: 400,
    FilesConflict: 400,
    ReadingInterrupted: 503,
    ImportTypeMismatch: 400,
    MissingSheets: 400,
    MigrationNotFound: 404,
    ImportNotFound: 404,
    MigrationSingletonViolation: 409,
    FileTooLarge: 413,
    UploadQuotaExceeded: 413,
    UploadRateExceeded: 429,
    CashVatNotSupported: 422,
    InvalidCutoverDate: 422,
    InvalidTransition: 422,
    InvalidImport: 422,
    BalancesNotConfirmed: 422,
    ImportNotConfirmable: 422,
    ImportNotReady: 409,
    ProviderNotAutomated: 422,
    ExecuteFailed: 422,
    GatesFailed: 422,
    LedgerError: 422,
}


def status_of(error: type[ServiceError]) -> int:
    """The HTTP status of an error class."""
    return next(STATUS[cls] for cls in error.__mro__ if cls in STATUS)


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
AUTH_ERRORS: tuple[type[ServiceError], ...] = (Unauthorized, InvalidApiKey, AccountRequired,
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


def _where(loc: tuple[Any, ...]) -> str:
    # FastAPI prefixes body fields with "body"; name the field as the caller wrote it
    parts = [str(p) for p in (loc[1:] if loc and loc[0] == "body" else loc)]
    return ".".join(parts) or "body"


# text no field can hold: request_text.CheckedText's NUL or surrogate (its message says
# which), and pydantic's own refusal of a lone surrogate
_TEXT_ERRORS = {"invalid_text": None,
                "string_unicode": "holds an unpaired surrogate, which is no Unicode character"}


def describe_validation(exc: RequestValidationError) -> ServiceError:
    """The error for a request that failed validation."""
    errors = exc.errors()
    for error in errors:
        if error.get("type") == "json_invalid":
            detail = error.get("ctx", {}).get("error", "it could not be parsed")
            return InvalidJson(f"The request body is not valid JSON ({detail}"
                               f"{_json_position(error, exc.body)}); send a JSON object.")
    for error in errors:
        if error.get("type") in _TEXT_ERRORS:
            problem = _TEXT_ERRORS[error["type"]] or error.get("msg")
            return InvalidText(f"The request body's field {_where(tuple(error['loc']))} "
                               f"{problem}: send its text without it.")
    problems = []
    for error in errors:
        where = _where(tuple(error.get("loc", ())))
        if error.get("type") == "missing":
            problems.append(f"{where} is required")
        elif error.get("type") in _DATE_ERRORS:
            problems.append(_date_problem(where, error))
        else:
            problems.append(f"{where}: {error.get('msg')}")
    return InvalidRequest("Invalid request: " + "; ".join(problems) + ".")


def _json_position(error: Mapping[str, Any], document: Any) -> str:
    """' at line L, column C' of a JSON syntax error: FastAPI gives the character offset
    (the error's loc after "body") and the text it parsed (the exception's body)."""
    loc = tuple(error.get("loc", ()))
    if len(loc) != 2 or not isinstance(loc[1], int) or not isinstance(document, str):
        return ""
    found = json.JSONDecodeError("", document, loc[1])
    return f" at line {found.lineno}, column {found.colno}"


# pydantic's refusals of a date, whose messages ("invalid character in year") do not say
# what a date must look like
_DATE_ERRORS = frozenset({"date_parsing", "date_from_datetime_parsing",
                          "date_from_datetime_inexact", "date_type"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_problem(where: str, error: Mapping[str, Any]) -> str:
    value = error.get("input")
    sent = json.dumps(value, ensure_ascii=False) if value is None or isinstance(
        value, str | int | float | bool) else "a JSON " + type(value).__name__
    if len(sent) > 40:
        sent = sent[:37] + "..."
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):  # the format, not a day
        detail = error.get("ctx", {}).get("error") or error.get("msg")
        return f"{where}: {sent} is not a day of the calendar ({detail})"
    return f"{where} must be a date written YYYY-MM-DD (e.g. 2026-09-30), not {sent}"


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch",
                           "trace"})


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document declares for the path that `path` falls under.

    Starlette answers 405 with the methods of the first route whose path matches, but one
    path can be served by several routes (GET and POST /legacy-migration/jobs are two), so
    its `Allow` would leave methods out. The document lists every operation of a path."""
    matches: list[tuple[int, dict[str, Any]]] = []
    for template, item in app.openapi().get("paths", {}).items():
        regex, _, _ = compile_path(template)
        if regex.match(path):
            matches.append((template.count("{"), item))
    # `/migrations/active` also fits `/migrations/{migration_id}`; the literal one is it
    fewest = min((params for params, _ in matches), default=0)
    return sorted({method.upper() for params, item in matches if params == fewest
                   for method in item if method in _HTTP_METHODS})


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").lower()
    return content_type.startswith(("multipart/", "application/x-www-form-urlencoded"))


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/")
                                                 and media_type.endswith("+json"))


def unlabelled_body(request: Request, exc: RequestValidationError) -> InvalidJson | None:
    """The error for a JSON route's body sent without `Content-Type: application/json`
    (FastAPI then does not parse it, and pydantic's "Input should be a valid dictionary"
    says nothing of why), or None when the body was labelled JSON."""
    media_type = _media_type(request)
    if _is_json(media_type) or not any(tuple(e.get("loc", ())) == ("body",)
                                       for e in exc.errors()):
        return None
    if not media_type:
        sent = "this request has no Content-Type header"
    else:
        sent = f"this request's Content-Type is {media_type}"
        if media_type == "application/x-www-form-urlencoded":
            sent += " (what curl -d sends unless told otherwise)"
    return InvalidJson("The request body must be JSON, sent with the header "
                       f"'Content-Type: application/json'; {sent}.")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if _is_form(request) and any(tuple(e.get("loc", ())) == ("body", "file")
                                     for e in exc.errors()):
            # a multipart body without its file: broken (cut short), or the file sent
            # under another name
            return error_response(InvalidUpload(
                "The multipart/form-data upload has no complete form field named 'file' "
                "(the body ended early, or the file was sent under another name). Send the "
                "file as a form field named 'file', e.g. curl -F file=@export.csv."))
        return error_response(unlabelled_body(request, exc) or describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error: ServiceError
        headers = dict(exc.headers or {})
        if exc.status_code == 400 and _is_form(request):
            # FastAPI's 400 for a form body it could not parse (a broken multipart body)
            error = InvalidUpload(
                f"The request body is not a valid multipart/form-data upload ({exc.detail}). "
                "Send the file as a form field named 'file', e.g. curl -F file=@export.csv.")
        elif exc.status_code == 400:
            # FastAPI's only other 400 here: a body it could not decode (e.g. not UTF-8)
            error = InvalidJson("The request body could not be decoded; send a JSON object "
                                "encoded in UTF-8.")
        elif exc.status_code == 404:
            error = EndpointNotFound(f"There is no endpoint {request.method} {request.url.path}.")
        elif exc.status_code == 405:
            allowed = allowed_methods(request.app, request.url.path)
            if allowed:  # else a route outside the document (/docs): keep Starlette's list
                headers["Allow"] = ", ".join(allowed)
            error = MethodNotAllowed(f"{request.url.path} does not take {request.method}; "
                                     f"it takes {headers.get('Allow', 'no method')}.")
        elif exc.status_code == 413:
            error = getattr(exc, "error", None) or PayloadTooLarge(str(exc.detail))
        else:
            error = ServiceError(str(exc.detail), code=f"HTTP_{exc.status_code}")
            return JSONResponse(error_body(error.code, error.message),
                                status_code=exc.status_code, headers=headers)
        return error_response(error, headers=headers)

    for unavailable_class, name in UNAVAILABLE.items():
        def handler(request: Request, exc: Exception, name: str = name) -> JSONResponse:
            return error_response(ServiceUnavailable(
                f"{name} is not answering ({type(exc).__name__}); try again in a moment."))

        app.add_exception_handler(unavailable_class, handler)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette still re-raises `exc` after this answer, so the server logs the traceback.
        return error_response(InternalError())
