"""A toy job kind of two steps, defined in the tests only, to prove the engine runs any
kind: step 1 notes that it ran; step 2 ticks `ticks` times, one checkpoint per tick, each
tick a row whose primary key makes a second write of it fail the job.

Its tables (TOY_SCHEMA) are created by the tests, not by the service's migrations.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from worker.engine.context import JobRun
from worker.engine.kind import JobKind, Step
from worker.errors import ServiceError
from worker.services import Services

TOY_SCHEMA = """
CREATE TABLE IF NOT EXISTS toy_jobs (
    job_id           text PRIMARY KEY REFERENCES migration_jobs (id) ON DELETE CASCADE,
    ticks            integer NOT NULL,
    tick_seconds     float8 NOT NULL,
    clean_up_breaks  boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS toy_events (
    job_id  text NOT NULL,
    event   text NOT NULL,
    at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS toy_ticks (
    job_id  text NOT NULL,
    tick    integer NOT NULL,
    PRIMARY KEY (job_id, tick)
);
"""


class ToyBroken(ServiceError):
    """The toy was asked to tick a negative number of times."""

    code = "TOY_BROKEN"


@dataclass
class ToyContext:
    run: JobRun
    ticks: int
    tick_seconds: float


async def count(ctx: ToyContext) -> None:
    """Step 1: note that it ran (once per run of the step)."""
    if ctx.ticks < 0:
        raise ToyBroken()
    async with ctx.run.page("Counting: ready to tick") as conn:
        await conn.execute("INSERT INTO toy_events (job_id, event) VALUES ($1, 'counted')",
                           ctx.run.job_id)
        ctx.run.step_run.source_count = ctx.ticks


async def tick(ctx: ToyContext) -> None:
    """Step 2: one tick a checkpoint, from the step's cursor."""
    run = ctx.run.step_run
    run.source_count = ctx.ticks
    for number in range(run.cursor, ctx.ticks):
        await asyncio.sleep(ctx.tick_seconds)
        async with ctx.run.page(f"Ticking: {number + 1} of {ctx.ticks}") as conn:
            await conn.execute("INSERT INTO toy_ticks (job_id, tick) VALUES ($1, $2)",
                               ctx.run.job_id, number)
            run.created_count += 1
            run.cursor = number + 1
    ctx.run.complete_with(f"Ticked {ctx.ticks} times.")


@asynccontextmanager
async def open_toy(run: JobRun, job: Any, services: Services) -> AsyncIterator[ToyContext]:
    row = await services.pool.fetchrow(
        "SELECT ticks, tick_seconds FROM toy_jobs WHERE job_id = $1", run.job_id)
    assert row is not None, run.job_id
    yield ToyContext(run, row["ticks"], row["tick_seconds"])


def describe_failure(exc: BaseException, step: Step[Any]) -> ServiceError | None:
    if isinstance(exc, ToyBroken):
        return ServiceError(f"The toy broke while {step.name.lower()}: {exc.message}",
                            code=exc.code)
    return None


class CleanUpBroke(RuntimeError):
    """A clean-up that fails for good (a bug), for the sweep to survive."""


async def clean_up(services: Services, job_id: str) -> None:
    if await services.pool.fetchval("SELECT clean_up_breaks FROM toy_jobs WHERE job_id = $1",
                                    job_id):
        raise CleanUpBroke(job_id)
    await services.pool.execute(
        "INSERT INTO toy_events (job_id, event) VALUES ($1, 'cleaned up')", job_id)


TOY: JobKind[ToyContext] = JobKind(
    name="toy", steps=(Step(1, "Counting", count), Step(2, "Ticking", tick)),
    open=open_toy, describe_failure=describe_failure, clean_up=clean_up,
)
