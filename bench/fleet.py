"""Issue 10's figures beyond the large organisation, for bench/run.py: job creation over the
API (one client, sequential), a fleet of small organisations on two workers, and where the
large organisation's time went step by step."""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import datetime
from typing import Any

import httpx

from bench.stack import Stack
from harness.api import FLEET_EMAIL, FLEET_PASSWORD, Api

FLEET_SIZE = 64


def api_time(ts: str) -> datetime:
    """A time as the API writes it (`…Z`)."""
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


async def fleet(stack: Stack, api: Api) -> dict[str, float]:
    """One job on each of the 64 fleet organisations, created one after the other by one
    client on two fresh workers: each create's latency, and jobs per second from the first
    create until the last job finished."""
    workers = [stack.start_worker(f"worker-fleet-{n}") for n in (1, 2)]
    try:
        await asyncio.sleep(1.5)
        session = await api.login(FLEET_EMAIL, FLEET_PASSWORD)
        orgs = [o["id"] for o in session["organizations"][:FLEET_SIZE]]
        creates, ids = [], []
        started = time.perf_counter()
        for org in orgs:
            begun = time.perf_counter()
            response = await api.create(org, session["legacy_session_id"])
            creates.append((time.perf_counter() - begun) * 1000)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        jobs = [await api.wait_for(job_id, timeout=300) for job_id in ids]
        assert all(j["status"] == "completed" for j in jobs), [j["error"] for j in jobs]
        first = min(api_time(j["created_at"]) for j in jobs)
        last = max(api_time(j["completed_at"]) for j in jobs)
        span = (last - first).total_seconds()
        return {"create_p50_ms": statistics.median(creates),
                "create_p95_ms": sorted(creates)[int(len(creates) * 0.95)],
                "jobs": len(jobs), "span_s": span, "jobs_per_s": len(jobs) / span,
                "wall_s": time.perf_counter() - started}
    finally:
        for worker in workers:
            worker.terminate()


def step_times(report: dict[str, Any]) -> str:
    """`1 12.4 s, 2 0.1 s, …` from a job's report."""
    parts = []
    for step in report["steps"]:
        if step["started_at"] and step["finished_at"]:
            seconds = (api_time(step["finished_at"]) - api_time(step["started_at"])).total_seconds()
            parts.append(f"{step['step_number']} {seconds:.1f} s")
    return ", ".join(parts)


async def set_latency(simulator_url: str, latency_ms: int) -> None:
    """The simulator's added latency on every request (its fault plan)."""
    async with httpx.AsyncClient(base_url=simulator_url, timeout=10) as sim:
        response = await sim.put("/_sim/faults", json={"latency_ms": latency_ms})
        assert response.status_code in (200, 204), response.text

