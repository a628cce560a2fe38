"""Text in a request's path and query string that no route can take: a NUL character (Postgres
refuses it in text, so it would surface as a 500 from deep in a query) or bytes that are not
UTF-8 (Starlette would quietly turn them into U+FFFD). Refused with 400 naming where, before
routing, so every route, present and future, is covered; a form field's text (an uploaded
file's name) is checked where it is read (`form_text`)."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

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


def form_text(value: str, field: str) -> str:
    """A form field's text (an uploaded file's name), refused like a path's."""
    if "\x00" in value:
        raise InvalidText(f"The form field {field!r} holds a NUL character: send its text "
                          "without it.")
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
