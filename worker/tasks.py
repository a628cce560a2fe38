"""The arq job functions and the worker's start-up and shut-down hooks."""

from __future__ import annotations

import os
import socket
from typing import Any

from arq.worker import Retry

from worker.config import get_settings
from worker.db.pool import create_pool
from worker.engine.runner import PAUSED, RETRY_SOON, WorkerDeps, run_job
from worker.engine.transient import TRANSIENT_ERRORS
from worker.logging import configure_logging
from worker.services import Services
from worker.sweep import sweep_once

Ctx = dict[str, Any]

WORKER_APPLICATION_NAME = "migration-worker"


async def startup(ctx: Ctx) -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    pool = await create_pool(settings.database_url, min_size=2,
                             max_size=settings.worker_concurrency * 2 + 2,
                             application_name=WORKER_APPLICATION_NAME)
    services = Services.build(settings, pool, ctx["redis"])
    ctx["deps"] = WorkerDeps(**vars(services),
                             worker_id=f"{socket.gethostname()}:{os.getpid()}")


async def shutdown(ctx: Ctx) -> None:
    deps: WorkerDeps | None = ctx.get("deps")
    if deps is not None:
        await deps.pool.close()


async def run_migration(ctx: Ctx, job_id: str) -> str:
    """arq job: run (or resume) one migration."""
    deps: WorkerDeps = ctx["deps"]
    try:
        outcome = await run_job(deps, job_id)
    except TRANSIENT_ERRORS as exc:  # e.g. the lease could not even be taken
        raise Retry(defer=1) from exc
    if outcome == PAUSED:
        # back on the queue at once, for a worker that is not shutting down
        raise Retry(defer=0)
    if outcome == RETRY_SOON:
        raise Retry(defer=1)
    return outcome


async def sweep(ctx: Ctx) -> dict[str, int]:
    """arq cron job: re-queue jobs that Redis lost or whose worker died."""
    deps: WorkerDeps = ctx["deps"]
    return dict(await sweep_once(deps.jobs, deps.redis, deps.settings.queue_name))
