"""GET /metrics: the fleet's metrics in Prometheus' text format, without auth (operations.md).

Every web process shows the same figures: counters and histograms come from Postgres
(`metric_totals`, written by every worker in the transaction of what it counts), gauges from
the jobs, the workers registry and the queue. They are read in the background every
METRICS_REFRESH_SECONDS, together with what /ops/summary shows (routes/ops.py), so that a
scrape or a summary costs nothing however many jobs there are.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from api_stub import refusals
from api_stub.errors import RateLimited, error_responses
from worker import metrics
from worker.background import Periodic
from worker.models import JobStatus
from worker.services import Services
from worker.store import metrics as metrics_store
from worker.store import ops as ops_store
from worker.store.workers import WorkerRow

log = structlog.get_logger(__name__)
router = APIRouter(tags=["operations"])

_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
_HELP = {
    metrics.JOBS_CREATED: "Jobs created.",
    metrics.JOBS_FINISHED: "Jobs that finished, by outcome (a job retried and finished "
                           "again counts again).",
    metrics.QUEUE_WAIT: "Seconds from a job's creation to its first start.",
    metrics.STEP_DURATION: "Seconds a step took, from its (last) start to its end.",
    metrics.STEP_RETRIES: "Retries inside steps, by reason.",
    metrics.RECORDS: "Records moved by steps, by type and outcome.",
    metrics.RETENTION_PURGED: "What the retention purge removed, by what: uploads (files "
                              "whose bytes were dropped), staging_rows, step_runs, jobs, "
                              "audit_entries.",
}


def _labels(text: str) -> dict[str, str]:
    return {k: v.replace('\\"', '"').replace("\\\\", "\\") for k, v in _LABEL.findall(text)}


@dataclass
class Snapshot:
    """The figures of one read, kept until the next."""

    totals: list[tuple[str, str, float]] = field(default_factory=list)
    jobs: list[tuple[str, JobStatus, int]] = field(default_factory=list)
    queue_depth: int | None = None
    oldest_wait_seconds: float = 0.0
    leases_expired: int = 0
    workers_alive: int = 0
    # for /ops/summary
    throughput: list[Any] = field(default_factory=list)
    step_timings: list[Any] = field(default_factory=list)
    workers: list[WorkerRow] = field(default_factory=list)
    running: dict[str, list[str]] = field(default_factory=dict)
    refusals: dict[tuple[str, str], int] = field(default_factory=dict)
    read_at: float = 0.0
    parked: int = 0


class FleetMetrics(Collector):
    """The collector of /metrics, from the latest snapshot."""

    def __init__(self, services: Services, kinds: list[str]) -> None:
        self.services, self.kinds = services, kinds
        self.snapshot: Snapshot | None = None
        self._loop = Periodic("metrics", lambda: services.settings.metrics_refresh_seconds,
                              self._refresh, at_once=True)

    async def read(self) -> Snapshot:
        services, settings = self.services, self.services.settings
        # one snapshot of the database, so that its figures agree with each other
        async with services.pool.acquire() as conn, conn.transaction(
                isolation="repeatable_read", readonly=True):
            # counting a million jobs in parallel would take three of a small host's
            # processes every few seconds, for a figure that can wait a few milliseconds
            await conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            totals = [(r.name, r.labels, r.value) for r in await metrics_store.totals(conn)]
            jobs = [(r.kind, r.status, r.n) for r in await metrics_store.jobs_by_status(conn)]
            gauges = await metrics_store.queue_gauges(conn, settings.worker_dead_after_seconds)
            throughput = await ops_store.throughput(conn)
            timings = await ops_store.step_timings(conn)
            running = await ops_store.running_by_worker(conn)
        workers = await services.workers.list()
        depth = None
        refused = self.snapshot.refusals if self.snapshot else {}
        with contextlib.suppress(Exception):  # Redis down: the depth is unknown, not zero
            depth = int(await asyncio.wait_for(services.redis.zcard(settings.queue_name), 2))
            refused = await asyncio.wait_for(refusals.read(services.redis), 2)
        self.snapshot = Snapshot(totals, jobs, depth, gauges.oldest_wait_seconds,
                                 gauges.leases_expired, gauges.workers_alive,
                                 throughput, timings, workers, running, refused,
                                 time.monotonic(), gauges.parked)
        return self.snapshot

    async def latest(self) -> Snapshot:
        """The latest snapshot (read now if there is none yet)."""
        return self.snapshot or await self.read()

    async def _refresh(self) -> None:
        await self.read()  # when it fails, the last snapshot stays; the next may work

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    def collect(self) -> Iterator[Metric]:
        snapshot = self.snapshot or Snapshot()
        yield from self._counters(snapshot)
        yield from self._histograms(snapshot)
        yield from self._gauges(snapshot)

    def _counters(self, snapshot: Snapshot) -> Iterator[Metric]:
        for name in (metrics.JOBS_CREATED, metrics.JOBS_FINISHED, metrics.STEP_RETRIES,
                     metrics.RECORDS, metrics.RETENTION_PURGED):
            rows = [(_labels(labels), value) for n, labels, value in snapshot.totals
                    if n == name]
            keys = list(rows[0][0]) if rows else ["kind"]
            family = CounterMetricFamily(name.removesuffix("_total"), _HELP[name], labels=keys)
            for label_values, value in rows:
                family.add_metric([label_values.get(k, "") for k in keys], value)
            yield family
        refused = CounterMetricFamily(
            "migration_web_refusals", "Connections and requests the web processes refused "
            "before any route ran, by what and why (connection: per_process, per_address, "
            "header_timeout, body_too_slow; request: rate_limited, streams, login_throttled).",
            labels=["what", "reason"])
        for (what, reason), n in sorted(snapshot.refusals.items()):
            refused.add_metric([what, reason], n)
        yield refused

    def _histograms(self, snapshot: Snapshot) -> Iterator[Metric]:
        for name, bounds in metrics.HISTOGRAMS.items():
            buckets: dict[tuple[tuple[str, str], ...], dict[str, float]] = defaultdict(dict)
            sums: dict[tuple[tuple[str, str], ...], float] = {}
            for n, labels, value in snapshot.totals:
                parsed = _labels(labels)
                le = parsed.pop("le", None)
                key = tuple(parsed.items())
                if n == f"{name}_bucket" and le is not None:
                    buckets[key][le] = value
                elif n == f"{name}_sum":
                    sums[key] = value
            keys = [k for k, _ in next(iter(buckets), ())] or ["kind"]
            family = HistogramMetricFamily(name, _HELP[name], labels=keys)
            for key, counts in buckets.items():
                cumulative, total = [], 0.0
                for bound in [*map(repr, bounds), "+Inf"]:
                    total += counts.get(bound, 0.0)
                    cumulative.append((bound, total))
                family.add_metric([v for _, v in key], cumulative, sums.get(key, 0.0))
            yield family

    def _gauges(self, snapshot: Snapshot) -> Iterator[Metric]:
        jobs = GaugeMetricFamily("migration_jobs", "Jobs now, by kind and status.",
                                 labels=["kind", "status"])
        counted = {(kind, status): n for kind, status, n in snapshot.jobs}
        for kind in sorted({*self.kinds, *(k for k, _ in counted)}):
            for status in JobStatus:
                jobs.add_metric([kind, status.value], counted.get((kind, status), 0))
        yield jobs
        if snapshot.queue_depth is not None:
            yield GaugeMetricFamily("migration_queue_depth", "Jobs waiting in the arq queue.",
                                    value=snapshot.queue_depth)
        yield GaugeMetricFamily("migration_queue_oldest_wait_seconds",
                                "Seconds the oldest pending job has waited.",
                                value=snapshot.oldest_wait_seconds)
        yield GaugeMetricFamily("migration_jobs_lease_expired",
                                "Running jobs whose worker stopped renewing their lease.",
                                value=snapshot.leases_expired)
        yield GaugeMetricFamily("migration_workers_alive",
                                "Workers whose registry heartbeat is fresh.",
                                value=snapshot.workers_alive)
        yield GaugeMetricFamily("migration_jobs_parked",
                                "Pending jobs parked for the fair share: their account holds "
                                "its share of the slots while another account waits.",
                                value=snapshot.parked)


@router.get("/metrics", summary="The fleet's metrics (Prometheus text format)",
            response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text exposition format 0.0.4."},
                       **error_responses(RateLimited)})
async def scrape(request: Request) -> Response:
    fleet: FleetMetrics = request.app.state.metrics
    await fleet.latest()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(fleet)
    return Response(generate_latest(registry),
                    media_type="text/plain; version=0.0.4; charset=utf-8")

