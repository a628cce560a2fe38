"""How the app answers what went wrong, in the one error shape of errors.py: a service error,
a request that failed validation (named precisely: the field, the JSON's line and column, a
date's format, a body sent without its content type), an unknown path or method, a lost
Postgres or Redis connection, and anything unforeseen."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from api_stub.errors import (
    UNAVAILABLE,
    EndpointNotFound,
    InvalidJson,
    InvalidRequest,
    InvalidText,
    InvalidUpload,
    MethodNotAllowed,
    PayloadTooLarge,
    ServiceUnavailable,
    error_body,
    error_response,
)
from worker.errors import InternalError, ServiceError


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
