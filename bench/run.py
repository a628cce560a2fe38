"""The benchmark of issues 2 and 10: prints figures beside bare arq measured in the same run.

    .venv/bin/python -m bench.run [--skip-large] [--skip-latency]
    .venv/bin/python -m bench.run --only fleet [--repeat N]   # section 3 alone

1. bare arq: no-op throughput and enqueue-to-start latency on an idle worker (baseline);
2. ours: enqueue-to-start latency (p50, p95) of migration jobs on an idle worker;
3. 64 small "fleet" organisations on two workers: each job's creation over the API (one
   client, sequential) and jobs per second until the last finished (bench/fleet.py);
4. the medium and large simulated organisations end to end, each on a fresh worker: wall
   time, records per second, peak RSS (flat from medium to large), the time of each step;
   then the large one again with 50 ms added to every legacy request (a remote API).

Runs its own simulator, API and workers against database `migration_worker_bench` and
Redis database 14 (flushed).
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import cast

from arq.connections import RedisSettings, create_pool

from bench.fleet import api_time, fleet, set_latency, step_times
from bench.stack import ROOT, Services, Stack, find_services, start_stack
from harness.api import Api
from harness.oracle import fetch_all
from harness.processes import VENV_BIN, Proc

LOGS = ROOT / ".dev" / "bench-logs"
# a real legacy API is remote: the large organisation again with this much added per request
REMOTE_LATENCY_MS = 50
SMALL, MEDIUM, LARGE = ("010000000000000000000000", "050000000000000000000000",
                        "020000000000000000000000")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def bare_arq(redis_url: str, env: dict[str, str]) -> dict[str, float]:
    proc = Proc("arq-noop", [str(VENV_BIN / "arq"), "bench.arq_noop.WorkerSettings"],
                {**env, "PYTHONPATH": str(ROOT)}, LOGS / "arq-noop.log").start()
    redis = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        await asyncio.sleep(1.5)
        # redis-py annotates each command for its sync and async clients at once
        # (`Awaitable[int] | int`): on this asyncio client every call is awaitable; and
        # lpop gives bytes (arq's pool does not decode), never None (the list is not empty)
        latencies = []
        for _ in range(20):  # idle worker: one job at a time
            await redis.enqueue_job("noop", time.time(), _queue_name="bench:arq:queue")
            while await cast("Awaitable[int]", redis.llen("bench:arq:started")) == 0:
                await asyncio.sleep(0.001)
            first = await cast("Awaitable[bytes]", redis.lpop("bench:arq:started"))
            latencies.append(float(first) * 1000)
        n = 2000
        started = time.perf_counter()
        for _ in range(n):
            await redis.enqueue_job("noop", time.time(), _queue_name="bench:arq:queue")
        while await cast("Awaitable[int]", redis.llen("bench:arq:started")) < n:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        return {"p50_ms": statistics.median(latencies), "p95_ms": pct(latencies, 95),
                "throughput": n / elapsed}
    finally:
        await redis.aclose()
        proc.terminate()


async def our_latency(api: Api, n: int = 30) -> dict[str, float]:
    latencies = []
    for _ in range(n):
        job = await api.start(SMALL)
        done = await api.wait_for(job["id"])
        latencies.append((api_time(done["started_at"]) - api_time(done["created_at"]))
                         .total_seconds() * 1000)
    return {"p50_ms": statistics.median(latencies), "p95_ms": pct(latencies, 95)}


async def migrate(api: Api, org: str, worker: Proc) -> dict[str, float]:
    started = time.perf_counter()
    job = await api.start(org)
    done = await api.wait_for(job["id"], timeout=600)
    wall = time.perf_counter() - started
    assert done["status"] == "completed", done["error"]
    report = await api.report(job["id"])
    records = report["steps"][7]["counts"]["created"]
    return {"wall_s": wall, "records": records, "records_per_s": records / wall,
            "peak_rss_mb": peak_rss_mb(worker.pid), "steps": step_times(report)}


async def main(services: Services, skip_large: bool, skip_latency: bool) -> None:
    stack = await start_stack(services, name="bench", redis_db=14, logs=LOGS)
    try:
        await _measure(stack, skip_large, skip_latency)
    finally:
        stack.stop()


async def fleet_only(services: Services, repeat: int) -> None:
    """Section 3 alone, `repeat` times on one stack (fresh workers each time): a quick
    measure of per-job fixed costs; the spread shows how noisy the machine is."""
    stack = await start_stack(services, name="bench", redis_db=14, logs=LOGS)
    api = stack.api("acc_bench")
    try:
        for n in range(1, repeat + 1):
            _print_fleet(await fleet(stack, api), f"run {n} of {repeat}: ")
    finally:
        await api.aclose()
        stack.stop()


def _print_fleet(small: dict[str, float], prefix: str = "") -> None:
    print(f"\n== {prefix}{small['jobs']:.0f} small organisations, two workers ==")
    print(f"job creation over the API, one client, sequential: p50 "
          f"{small['create_p50_ms']:.1f} ms, p95 {small['create_p95_ms']:.1f} ms "
          "(target p50 <= 5 ms)")
    print(f"all done {small['span_s']:.1f} s after the first create: "
          f"{small['jobs_per_s']:.1f} jobs/s (target >= 40)", flush=True)


async def _measure(stack: Stack, skip_large: bool, skip_latency: bool) -> None:
    baseline = await bare_arq(stack.redis_url, stack.env)
    api = stack.api("acc_bench")
    worker = stack.start_worker("worker")
    await asyncio.sleep(1.5)
    ours = await our_latency(api)
    print("\n== enqueue-to-start latency on an idle worker ==")
    print(f"bare arq (poll 0.5 s):  p50 {baseline['p50_ms']:7.1f} ms   "
          f"p95 {baseline['p95_ms']:7.1f} ms")
    print(f"migration jobs:         p50 {ours['p50_ms']:7.1f} ms   "
          f"p95 {ours['p95_ms']:7.1f} ms   (target p50 < 50 ms)")
    print(f"bare arq no-op throughput: {baseline['throughput']:.0f} jobs/s")
    worker.terminate()
    _print_fleet(await fleet(stack, api))
    print(f"(bare arq no-ops: {baseline['throughput']:.0f} jobs/s)")
    if not skip_large:
        runs = [("medium", MEDIUM, 0), ("large", LARGE, 0)]
        if not skip_latency:
            runs.append(("large", LARGE, REMOTE_LATENCY_MS))
        # the simulator renders each page once and keeps it: rendered before the runs, so
        # that they measure the service, not the simulator's first rendering
        for org in (MEDIUM, LARGE):
            await asyncio.to_thread(warm_simulator, stack.env["LEGACY_API_URL"], org)
        for name, org, latency in runs:
            await set_latency(stack.env["LEGACY_API_URL"], latency)
            fresh = stack.start_worker(f"worker-{name}")
            await asyncio.sleep(1.5)
            result = await migrate(api, org, fresh)
            remote = f", {latency} ms added to every legacy request" if latency else ""
            print(f"\n== {name} organisation end to end{remote} ==")
            print(f"records written {result['records']}, wall {result['wall_s']:.1f} s, "
                  f"{result['records_per_s']:.0f} records/s, worker peak RSS "
                  f"{result['peak_rss_mb']:.0f} MB")
            print(f"steps: {result['steps']}")
            fresh.terminate()
        await set_latency(stack.env["LEGACY_API_URL"], 0)
        print("(targets: large organisation <= 15 s, <= 20 s with 50 ms latency; worker "
              "peak RSS <= 100 MB and flat from medium to large)")
    await api.aclose()


def warm_simulator(url: str, org_id: str) -> None:
    """Every page of the organisation read once, as a worker reads them (1,000 a page)."""
    for resource in ("taxes", "clients", "items", "documents", "payments"):
        fetch_all(url, org_id, resource)


def _option(name: str, default: str) -> str:
    """`--name value` from the command line."""
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


if __name__ == "__main__":
    found = find_services(db="migration_worker_bench", redis_db=14)
    if _option("--only", "") == "fleet":
        asyncio.run(fleet_only(found, int(_option("--repeat", "1"))))
    else:
        asyncio.run(main(found, "--skip-large" in sys.argv, "--skip-latency" in sys.argv))
