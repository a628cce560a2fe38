"""The ASGI app: `uvicorn api_stub.app:app` (or `python -m api_stub serve`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api_stub import refusals
from api_stub.body_limits import LimitBody
from api_stub.changes import ChangeFeed
from api_stub.docs_pages import install_docs
from api_stub.error_handlers import install_error_handlers
from api_stub.key_cache import KeyCache
from api_stub.key_usage import KeyUsage
from api_stub.metrics import FleetMetrics
from api_stub.metrics import router as metrics_router
from api_stub.rate_limits import RateLimits
from api_stub.request_text import RefuseBadText, declare_no_nul_parameters
from api_stub.routes import (
    account,
    audit,
    dashboard,
    events,
    health,
    imports,
    jobs,
    keys,
    legacy_auth,
    migrations,
    ops,
)
from worker.db.pool import create_pool as create_db_pool
from worker.kinds import job_kinds
from worker.logging import configure_logging
from worker.queue import arq_client
from worker.services import Services
from worker.settings import Settings, get_settings

POOL_CLOSE_SECONDS = 10.0


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API app, configured from `settings` (default: the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_format, settings.log_level)
        pool = await create_db_pool(settings.database_url, min_size=2, max_size=20,
                                    application_name="migration-api")
        # Redis may be down: the API starts all the same, /healthz says so, and jobs are
        # still recorded in Postgres (the workers' sweep queues them once Redis is back)
        redis = arq_client(settings.redis_url)
        app.state.api = services = Services.build(settings, pool, redis)
        app.state.kinds = kinds = job_kinds(settings.extra_job_kinds)
        app.state.key_cache = KeyCache(settings.api_key_cache_seconds)
        app.state.key_usage = key_usage = KeyUsage(pool, settings.api_key_used_flush_seconds)
        key_usage.loop.start()
        app.state.metrics = fleet = FleetMetrics(services, list(kinds))
        fleet.start()
        app.state.changes = changes = ChangeFeed(
            settings.database_url, also={"api_key_revoked": app.state.key_cache.revoked})
        changes.start()
        app.state.refusals = flusher = refusals.flusher(redis)
        flusher.start()
        try:
            yield
        finally:
            await flusher.stop()
            await key_usage.loop.stop()
            await changes.stop()
            await fleet.stop()
            await redis.aclose()
            try:  # a request still holding a connection must not hold the exit forever
                await asyncio.wait_for(pool.close(), POOL_CLOSE_SECONDS)
            except TimeoutError:
                pool.terminate()

    app = FastAPI(
        title="Migration worker service",
        version="0.1.0",
        description="Moves a customer's data out of a legacy accounting system: enqueue "
                    "migration jobs, poll them by ID, read their per-step report; or import "
                    "a provider's exported files through the migration wizard.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(LimitBody)
    app.add_middleware(RefuseBadText)  # before the body is read, or any route
    # outermost: a request beyond its rate is refused before anything else is done for it
    app.add_middleware(RateLimits, settings=settings)
    app.include_router(legacy_auth.router)
    app.include_router(jobs.router)
    app.include_router(account.router)
    app.include_router(migrations.router)
    app.include_router(imports.router)
    app.include_router(health.router)
    app.include_router(metrics_router)
    app.include_router(ops.router)
    app.include_router(keys.router)
    app.include_router(audit.router)
    app.include_router(events.router)
    app.include_router(dashboard.router)
    install_docs(app)  # /docs and /redoc from packaged assets, not a CDN
    declare_no_nul_parameters(app)
    return app


app = create_app()
