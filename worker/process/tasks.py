"""The arq job function, for jobs of every kind, and the worker's start-up and shut-down
hooks (the registry entry, the background loops, the pool)."""

from __future__ import annotations

import contextlib
import os
import socket
from importlib.metadata import version
from typing import Any

from arq.worker import Retry

from worker.db.pool import create_pool
from worker.engine.outcomes import Outcome
from worker.engine.runner import WorkerDeps
from worker.engine.runner import run_job as run_engine_job
from worker.engine.transient import TRANSIENT_ERRORS
from worker.ids import new_worker_id
from worker.kinds import job_kinds
from worker.logging import configure_logging
from worker.process.fair_share import release_parked
from worker.process.presence import Presence
from worker.process.sweep import Sweeper
from worker.services import Services
from worker.settings import get_settings
from worker.store.workers import WorkerInfo

Ctx = dict[str, Any]

WORKER_APPLICATION_NAME = "migration-worker"


async def startup(ctx: Ctx) -> None:
    """Build the worker's services, register it, start its heartbeat and its sweep."""
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    pool = await create_pool(settings.database_url, min_size=2,
                             max_size=settings.worker_concurrency * 2 + 3,
                             application_name=WORKER_APPLICATION_NAME)
    services = Services.build(settings, pool, ctx["redis"])
    info = WorkerInfo(id=new_worker_id(), host=socket.gethostname(), pid=os.getpid(),
                      version=version("migration-worker"),
                      concurrency=settings.worker_concurrency)
    deps = WorkerDeps(**vars(services), kinds=job_kinds(settings.extra_job_kinds),
                      worker_id=info.id)
    ctx["deps"] = deps
    ctx["presence"] = await Presence(deps, info).start()
    ctx["sweeper"] = Sweeper(deps).start()


async def shutdown(ctx: Ctx) -> None:
    """Stop the loops, deregister (the jobs are already handed on), close the pool."""
    deps: WorkerDeps | None = ctx.get("deps")
    if deps is None:
        return
    for loop in (ctx.get("sweeper"), ctx.get("presence")):
        if loop is not None:  # None when the start-up failed before it
            await loop.stop()
    await deps.pool.close()


async def run_job(ctx: Ctx, job_id: str) -> str:
    """arq job: run (or resume) one job, whatever its kind."""
    deps: WorkerDeps = ctx["deps"]
    try:
        outcome = await run_engine_job(deps, job_id)
    except TRANSIENT_ERRORS as exc:  # e.g. the lease could not even be taken
        raise Retry(defer=1) from exc
    if outcome not in (Outcome.SKIPPED, Outcome.PARKED):
        # a slot is free: a parked job of an account now under its share may take it
        with contextlib.suppress(*TRANSIENT_ERRORS):  # else the next sweep does it
            await release_parked(deps)
    if outcome.requeue:
        # paused: back on the queue at once, for a worker that is not shutting down;
        # after a lost connection: in a moment
        raise Retry(defer=0 if outcome == Outcome.PAUSED else 1)
    return outcome.value
