"""One error shape everywhere: {"error": {"code": "...", "message": "..."}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from worker.enqueue import (
    ActiveJobExists,
    AlreadyMigrated,
    EnqueueError,
    LegacyOrgNotFound,
    LegacySessionNotFound,
)

ENQUEUE_STATUS: dict[type[EnqueueError], int] = {
    LegacySessionNotFound: 404,
    LegacyOrgNotFound: 404,
    ActiveJobExists: 409,
    AlreadyMigrated: 409,
}

_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


class ApiError(Exception):
    """An error answer: HTTP status, stable code, message saying what and how to fix."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status)


def _where(loc: tuple[Any, ...]) -> str:
    # FastAPI prefixes body fields with "body"; name the field as the caller wrote it
    parts = [str(p) for p in (loc[1:] if loc and loc[0] == "body" else loc)]
    return ".".join(parts) or "body"


def describe_validation(exc: RequestValidationError) -> tuple[int, str, str]:
    """(status, code, message) for a request that failed validation."""
    errors = exc.errors()
    for error in errors:
        if error.get("type") == "json_invalid":
            detail = error.get("ctx", {}).get("error", "it could not be parsed")
            return 400, "INVALID_JSON", (
                f"The request body is not valid JSON ({detail}); send a JSON object.")
    problems = []
    for error in errors:
        where = _where(tuple(error.get("loc", ())))
        if error.get("type") == "missing":
            problems.append(f"{where} is required")
        else:
            problems.append(f"{where}: {error.get('msg')}")
    return 422, "VALIDATION_ERROR", "Invalid request: " + "; ".join(problems) + "."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(EnqueueError)
    async def _enqueue_error(request: Request, exc: EnqueueError) -> JSONResponse:
        return error_response(ENQUEUE_STATUS.get(type(exc), 400), exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(*describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, f"HTTP_{exc.status_code}")
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"There is no endpoint {request.method} {request.url.path}."
        return error_response(exc.status_code, code, message)
