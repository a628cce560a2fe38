"""Reads and writes of the fleet's metrics in Postgres: counters and histogram buckets
(`metric_totals`), and the gauges counted from jobs and workers."""

from __future__ import annotations

from dataclasses import dataclass

from worker.db.queries import q
from worker.db.rows import row_as, rows_as
from worker.db.types import Executor
from worker.models import JobStatus

# (metric name, labels as Prometheus writes them, amount)
Increment = tuple[str, str, float]


@dataclass(frozen=True, slots=True)
class MetricTotal:
    """A counter or histogram series: its name, labels as Prometheus writes them, value."""

    name: str
    labels: str
    value: float


@dataclass(frozen=True, slots=True)
class JobCount:
    """How many jobs of a kind are in a status now."""

    kind: str
    status: JobStatus
    n: int


@dataclass(frozen=True, slots=True)
class QueueGauges:
    """The gauges counted from the jobs and the workers registry."""

    oldest_wait_seconds: float
    leases_expired: int
    workers_alive: int
    parked: int


def columns(increments: list[Increment]) -> tuple[list[str], list[str], list[float]]:
    """The increments as the three arrays add_metrics (and the statements that add metrics
    with their own write) take: names, labels, amounts."""
    return ([i[0] for i in increments], [i[1] for i in increments],
            [i[2] for i in increments])


async def add(executor: Executor, increments: list[Increment]) -> None:
    """Add to counters, inside the caller's transaction when it passes its connection."""
    if increments:
        await executor.execute(q("add_metrics"), *columns(increments))


async def totals(executor: Executor) -> list[MetricTotal]:
    return rows_as(MetricTotal, await executor.fetch(q("metric_totals")))


async def jobs_by_status(executor: Executor) -> list[JobCount]:
    return rows_as(JobCount, await executor.fetch(q("metric_jobs_by_status")))


async def queue_gauges(executor: Executor, dead_after_seconds: float) -> QueueGauges:
    """`workers_alive`: those heard from within `dead_after_seconds`."""
    row = await executor.fetchrow(q("metric_queue_gauges"), dead_after_seconds)
    assert row is not None  # one row, always
    return row_as(QueueGauges, row)
