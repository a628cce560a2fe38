"""Reads and writes of the fleet's metrics in Postgres: counters and histogram buckets
(`metric_totals`), and the gauges counted from jobs and workers."""

from __future__ import annotations

import asyncpg

from worker.db.queries import q
from worker.db.types import Executor

Record = asyncpg.Record
# (metric name, labels as Prometheus writes them, amount)
Increment = tuple[str, str, float]


def columns(increments: list[Increment]) -> tuple[list[str], list[str], list[float]]:
    """The increments as the three arrays add_metrics (and the statements that add metrics
    with their own write) take: names, labels, amounts."""
    return ([i[0] for i in increments], [i[1] for i in increments],
            [i[2] for i in increments])


async def add(executor: Executor, increments: list[Increment]) -> None:
    """Add to counters, inside the caller's transaction when it passes its connection."""
    if increments:
        await executor.execute(q("add_metrics"), *columns(increments))


async def totals(executor: Executor) -> list[Record]:
    return await executor.fetch(q("metric_totals"))


async def jobs_by_status(executor: Executor) -> list[Record]:
    return await executor.fetch(q("metric_jobs_by_status"))


async def queue_gauges(executor: Executor, dead_after_seconds: float) -> Record:
    row: Record | None = await executor.fetchrow(q("metric_queue_gauges"), dead_after_seconds)
    assert row is not None  # one row, always
    return row
