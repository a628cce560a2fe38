"""The ASGI app: `uvicorn api_stub.app:app` (or `python -m api_stub serve`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from arq.connections import create_pool
from fastapi import FastAPI, Request, Response

from api_stub.errors import PayloadTooLarge, error_response, install_error_handlers
from api_stub.routes import health, jobs, legacy_auth
from worker.db.pool import create_pool as create_db_pool
from worker.logging import configure_logging
from worker.queue import arq_redis_settings
from worker.services import Services
from worker.settings import Settings, get_settings

MAX_BODY_BYTES = 1_000_000


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

    @app.middleware("http")
    async def limit_body(request: Request,
                         call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return error_response(PayloadTooLarge(
                f"Request bodies are limited to {MAX_BODY_BYTES} bytes."))
        return await call_next(request)

    app.include_router(legacy_auth.router)
    app.include_router(jobs.router)
    app.include_router(health.router)
    return app


app = create_app()
