"""Text in a request's path and query string that no route can take: a NUL character (Postgres
refuses it in text, so it would surface as a 500 from deep in a query) or bytes that are not
UTF-8 (Starlette would quietly turn them into U+FFFD). Refused with 400 naming where, before
routing, so every route, present and future, is covered; a form field's text (an uploaded
file's name) is checked where it is read (`form_text`), and a JSON body's text by its model
(`CheckedText`: a NUL, or a lone surrogate that `\ud800` in JSON gives)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError
from starlette.types import ASGIApp, Receive, Scope, Send

from api_stub.errors import InvalidText, error_response


def _problem(raw: bytes) -> str | None:
    """What is wrong with percent-encoded text, or None."""
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in data:
        return "holds a NUL character (%00)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"is not valid UTF-8 (byte 0x{data[exc.start]:02X})"
    return None


def bad_text(scope: Scope) -> InvalidText | None:
    """The refusal of a request whose path or query string has such text, else None."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    if (problem := _problem(raw_path)) is not None:
        return InvalidText(f"The request's path {problem}: correct the URL.")
    for pair in scope.get("query_string", b"").split(b"&"):
        name, _, value = pair.partition(b"=")
        shown = unquote_to_bytes(name).decode("utf-8", "replace").replace("\x00", "\\0")
        for part, what in ((name, "name"), (value, "value")):
            if (problem := _problem(part)) is not None:
                return InvalidText(f"The query parameter {shown!r}'s {what} {problem}: "
                                   "correct the URL.")
    return None


# a NUL, or half of a UTF-16 surrogate pair: no text Postgres (or UTF-8) can hold
_UNHOLDABLE = re.compile("[\x00\ud800-\udfff]")
INVALID_TEXT_ERROR = "invalid_text"


def _text_problem(value: str) -> str | None:
    found = _UNHOLDABLE.search(value)
    if found is None:
        return None
    return ("holds a NUL character" if found.group() == "\x00" else
            f"holds an unpaired surrogate (U+{ord(found.group()):04X}), which is no Unicode "
            "character")


def form_text(value: str, field: str) -> str:
    """A form field's text (an uploaded file's name), refused like a path's."""
    if (problem := _text_problem(value)) is not None:
        raise InvalidText(f"The form field {field!r} {problem}: send its text without it.")
    return value


def _no_nul(field: dict[str, Any]) -> None:
    """A text schema without a pattern of its own gets one that excludes NUL."""
    for option in field.get("anyOf", [field]):
        text = option.get("items", {}) if option.get("type") == "array" else option
        if text.get("type") == "string" and not {"pattern", "enum", "format",
                                                 "const"} & set(text):
            text["pattern"] = NO_NUL_PATTERN


def _declare_no_nul(schema: dict[str, Any]) -> None:
    """Say so in the OpenAPI document: a text field without a pattern of its own gets one
    that excludes NUL (a client generated from the document then never sends one)."""
    for field in schema.get("properties", {}).values():
        _no_nul(field)


def declare_no_nul_parameters(app: FastAPI) -> None:
    """The same of every query and path parameter in `app`'s OpenAPI document: what
    RefuseBadText refuses, the document says."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for item in build().get("paths", {}).values():
                for operation in item.values():
                    for parameter in operation.get("parameters", []):
                        _no_nul(parameter.get("schema", {}))
        assert app.openapi_schema is not None  # build() keeps what it made
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


NO_NUL_PATTERN = "^[^\\u0000]*$"


class CheckedText(BaseModel):
    """A request body's model whose text fields refuse what `form_text` refuses: the
    error (type INVALID_TEXT_ERROR) becomes 400 INVALID_TEXT naming the field."""

    model_config = ConfigDict(json_schema_extra=_declare_no_nul)

    @field_validator("*", mode="after")
    @classmethod
    def _holdable(cls, value: Any) -> Any:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and (problem := _text_problem(text)) is not None:
                raise PydanticCustomError(INVALID_TEXT_ERROR, problem)
        return value


class RefuseBadText:
    """ASGI middleware: 400 INVALID_TEXT for a path or query string `bad_text` refuses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and (error := bad_text(scope)) is not None:
            if scope["type"] == "http":
                await error_response(error)(scope, receive, send)
            return
        await self.app(scope, receive, send)
