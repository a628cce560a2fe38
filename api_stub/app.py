"""The ASGI app: `uvicorn api_stub.app:app` (or `python -m api_stub serve`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq.connections import create_pool
from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_stub.errors import PayloadTooLarge, error_response, install_error_handlers
from api_stub.routes import health, jobs, legacy_auth
from worker.db.pool import create_pool as create_db_pool
from worker.logging import configure_logging
from worker.queue import arq_redis_settings
from worker.services import Services
from worker.settings import Settings, get_settings

MAX_BODY_BYTES = 1_000_000


class LimitBody:
    """Refuses request bodies over `max_bytes` with 413, on every path.

    A declared Content-Length over the limit is refused before the app runs; a body sent
    without one (chunked) is counted as the app reads it, and reading past the limit raises
    a 413 that the error handlers answer in the error shape."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return f"Request bodies are limited to {self.max_bytes} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            await error_response(PayloadTooLarge(self._message()))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, counted, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API app, configured from `settings` (default: the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_format, settings.log_level)
        pool = await create_db_pool(settings.database_url, min_size=2, max_size=20,
                                    application_name="migration-api")
        redis = await create_pool(arq_redis_settings(settings.redis_url))
        app.state.api = Services.build(settings, pool, redis)
        try:
            yield
        finally:
            await redis.aclose()
            await pool.close()

    app = FastAPI(
        title="Migration worker service",
        version="0.1.0",
        description="Moves a customer's data out of a legacy accounting system: enqueue "
                    "migration jobs, poll them by ID, read their per-step report.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(LimitBody, max_bytes=MAX_BODY_BYTES)
    app.include_router(legacy_auth.router)
    app.include_router(jobs.router)
    app.include_router(health.router)
    return app


app = create_app()
