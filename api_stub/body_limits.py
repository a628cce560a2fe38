"""How large a request body may be: 1 MB, except the file uploads' 10 MB (operations.md).

A declared Content-Length over the limit is refused before the app runs; a body sent
without one (chunked) is counted as the app reads it, and reading past the limit raises
BodyTooLarge, which the error handlers answer in the error shape.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_stub.errors import PayloadTooLarge, error_response
from worker.errors import ServiceError
from worker.kinds.wizard_import.errors import FileTooLarge
from worker.kinds.wizard_import.file_checks import MAX_FILE_BYTES

MAX_BODY_BYTES = 1_000_000
# what a multipart request adds around the file: boundaries, headers, the other fields
_MULTIPART_ROOM = 64 * 1024
UPLOADS = re.compile(r"^/(migrations/[^/]+/upload-provider|imports)$")


class BodyTooLarge(HTTPException):
    """Raised while the body is read: FastAPI answers its own HTTPExceptions from that
    phase as they are (any other exception would become a 400); the handler in
    api_stub/errors.py answers it with `error`."""

    def __init__(self, error: ServiceError) -> None:
        super().__init__(413, error.message)
        self.error = error


class LimitBody:
    """Refuses request bodies over their path's limit with 413."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def _limit(scope: Scope) -> tuple[int, ServiceError]:
        if scope["method"] == "POST" and UPLOADS.match(scope["path"]):
            return MAX_FILE_BYTES + _MULTIPART_ROOM, FileTooLarge(
                f"Files are limited to {MAX_FILE_BYTES // (1024 * 1024)} MB a request; split "
                "the export, remove what the migration does not need, or send the files in "
                "one .zip (its files may be up to 100 MB each), and upload again.")
        return MAX_BODY_BYTES, PayloadTooLarge(
            f"Request bodies are limited to {MAX_BODY_BYTES} bytes.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, error = self._limit(scope)
        length = Headers(scope=scope).get("content-length")
        if length and length.isdigit() and int(length) > limit:
            await error_response(error)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(error)
            return message

        await self.app(scope, counted, send)
