"""The operators' figures with a large fleet history, beside baselines from the same run.

    .venv/bin/python -m bench.ops [--jobs 1000000] [--seconds 12] [--pollers 200]
                                  [--rounds 2] [--skip-large]

1. With `--jobs` job rows in Postgres (bench/ops_data.py: 90 % completed, 7 % failed,
   3 % cancelled, 20 pending; 50 accounts; both kinds; created over 30 days): the latency
   of `GET /metrics` and `GET /ops/summary` (served from the background snapshot), back to
   back, then 10 a second each beside a client polling `GET /legacy-migration/jobs/{id}`
   back to back, then back to back beside it; that endpoint's latency alone is the
   baseline. Each query of the snapshot (`FleetMetrics.read`) is timed on its own, and the
   slowest EXPLAIN ANALYZEd; so are the queries /ops/jobs and the bulk actions run.
2. Unless `--skip-large`: `--pollers` clients polling `GET /legacy-migration/jobs/{id}` once
   a second, each on its own connection (a tenth poll the migrating job, the others seeded
   jobs of the same account): for `--seconds` with nothing else running, then during the
   large organisation's migration on a fresh worker, `--rounds` times, alternating with the
   same migration polled by one client only (the baseline: first, between and last). Wall
   times, the polls' latency, and the CPU used by each process and by the machine as a
   whole (other sessions' tests may share it).

Each phase of part 1 lasts `--seconds` (at least two snapshot refreshes, every
METRICS_REFRESH_SECONDS = 5 s). Runs its own simulator, API and workers against database
`migration_worker_ops` and Redis database 13 (flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass

import httpx

from bench import ops_data
from bench.ops_load import CpuMeter, Lat, RawClient, back_to_back, loop_lag, periodic
from bench.run import LARGE
from bench.stack import ROOT, Services, Stack, find_services, start_stack
from harness.processes import create_key
from worker.db.pool import connect

LOGS = ROOT / ".dev" / "bench-ops-logs"
ACCOUNT = "acc_ops_00"


def row(figure: str, value: str, target: str = "", baseline: str = "") -> None:
    print(f"| {figure:<62} | {value:>17} | {target:>10} | {baseline:>24} |")


def header(title: str) -> None:
    print(f"\n== {title} ==")
    row("figure", "value", "target", "baseline (same run)")
    print(f"|{'-' * 64}|{'-' * 19}|{'-' * 12}|{'-' * 26}|")


async def part_one(stack: Stack, jobs: int, seconds: float) -> None:
    conn = await connect(stack.database_url)
    try:
        print(f"seeding {jobs:,} jobs …", flush=True)
        seeded = await ops_data.seed(conn, jobs)
        print(f"seeded {jobs:,} jobs, {seeded['legacy']:,.0f} legacy rows, "
              f"{seeded['steps']:,.0f} step runs in {seeded['insert_s']:.1f} s "
              f"(VACUUM ANALYZE {seeded['vacuum_s']:.1f} s)")
        snapshot = [await ops_data.time_query(conn, n, a) for n, a in ops_data.SNAPSHOT]
        read_ms = await ops_data.time_snapshot(conn)
        on_request = [await ops_data.time_query(conn, n, a, label, repeat=3)
                      for n, label, a in ops_data.ON_REQUEST]
        slowest = max(snapshot, key=lambda t: t.median_ms)
        plan = await ops_data.explain(conn, slowest.name, dict(ops_data.SNAPSHOT)[slowest.name])
        worst = max(range(len(on_request)), key=lambda i: on_request[i].median_ms)
        name, _, args = ops_data.ON_REQUEST[worst]
        plan_on_request = await ops_data.explain(conn, name, args)
        polled = (await ops_data.polled_jobs(conn, ACCOUNT, 1))[0]
    finally:
        await conn.close()
    await asyncio.sleep(6)  # the web process's snapshot now counts the seeded rows

    headers = {"Authorization": f"Bearer {create_key(stack.env)}"}
    account = {"Authorization": f"Bearer {create_key(stack.env, ACCOUNT)}"}
    job_url = f"/legacy-migration/jobs/{polled}"
    lat = {k: Lat() for k in ("alone", "metrics", "summary", "job_10", "metrics_10",
                              "summary_10", "job_max", "metrics_max", "summary_max")}
    async with httpx.AsyncClient(base_url=stack.web_url, headers=headers) as ops, \
            httpx.AsyncClient(base_url=stack.web_url, headers=account) as user:
        for client, url in ((ops, "/metrics"), (ops, "/ops/summary"), (user, job_url)):
            await back_to_back(client, {url: Lat()}, 1.0)  # warm up
        await back_to_back(user, {job_url: lat["alone"]}, seconds)
        await back_to_back(ops, {"/metrics": lat["metrics"], "/ops/summary": lat["summary"]},
                           seconds)
        scrapers = [asyncio.create_task(periodic(ops, url, lat[f"{name}_10"], i / 20, 0.1))
                    for i, (name, url) in enumerate((("metrics", "/metrics"),
                                                     ("summary", "/ops/summary")))]
        await back_to_back(user, {job_url: lat["job_10"]}, seconds)
        for task in scrapers:
            task.cancel()
        await asyncio.gather(*scrapers, return_exceptions=True)
        await asyncio.gather(
            back_to_back(user, {job_url: lat["job_max"]}, seconds),
            back_to_back(ops, {"/metrics": lat["metrics_max"],
                               "/ops/summary": lat["summary_max"]}, seconds))

    header(f"part 1: {jobs:,} job rows")
    for name, url in (("metrics", "/metrics"), ("summary", "/ops/summary")):
        row(f"GET {url} p95, back to back", f"{lat[name].p(95):.1f} ms", "< 50 ms")
        row("  … 10 a second (and 10 of the other), beside a job poller",
            f"{lat[name + '_10'].p(95):.1f} ms", "< 50 ms")
        row("  … back to back, beside a job poller", f"{lat[name + '_max'].p(95):.1f} ms",
            "< 50 ms")
    for q in (50, 95):
        alone = f"{lat['alone'].p(q):.1f} ms alone"
        row(f"GET /legacy-migration/jobs/{{id}} p{q}, 10 scrapes+10 summaries/s",
            f"{lat['job_10'].p(q):.1f} ms", "not slower", alone)
        row("  … beside back-to-back scrapes+summaries", f"{lat['job_max'].p(q):.1f} ms",
            "not slower", alone)
    row("snapshot read (FleetMetrics.read's queries), median / max of 5",
        f"{read_ms[0]:.0f} / {read_ms[1]:.0f} ms", "(< ~1 s)")
    print("\nrequests (ms):")
    for name, one in lat.items():
        print(f"  {name:<12} {one.brief()}")
    print("\nsnapshot queries (median / max of 5, rows):")
    for t in snapshot:
        print(f"  {t.name:<24} {t.median_ms:8.1f} / {t.max_ms:8.1f} ms  {t.rows} rows")
    print("read on each request, not in the snapshot (median / max of 3):")
    for t in on_request:
        print(f"  {t.name:<16} {t.label:<44} {t.median_ms:8.1f} / {t.max_ms:8.1f} ms")
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest snapshot query, {slowest.name}:")
    for line in plan:
        print("  " + line)
    print(f"EXPLAIN (ANALYZE, BUFFERS) of {on_request[worst].name}, {on_request[worst].label}:")
    for line in plan_on_request:
        print("  " + line)


@dataclass
class Run:
    """One phase of part 2: its wall time, the polls' latencies and the CPU used."""

    wall: float
    lat: Lat
    cpu: CpuMeter
    lag: Lat


async def polled(stack: Stack, name: str, pollers: int, targets: list[str],
                 seconds: float | None) -> Run:
    """`pollers` clients polling once a second, each on its own connection: during the
    large organisation's migration on a fresh worker, or for `seconds` with no worker."""
    worker = stack.start_worker(f"worker-{name}") if seconds is None else None
    procs = {p.name: p.pid for p in stack.procs if p.name in ("web", "legacy")}
    api, lat, lag = stack.api(ACCOUNT), Lat(), Lat()
    clients = [RawClient(stack.web_url, {"Authorization": api.http.headers["authorization"]})
               for _ in range(pollers)]
    tasks: list[asyncio.Task[None]] = []

    def poll(first: str) -> None:
        for i, client in enumerate(clients):
            target = first if i % 10 == 0 else targets[i % len(targets)]
            tasks.append(asyncio.create_task(periodic(
                client, f"/legacy-migration/jobs/{target}", lat, i / pollers, 1.0)))

    try:
        await asyncio.sleep(1.5)
        meter = CpuMeter(procs | ({"worker": worker.pid} if worker else {}),
                         stack.database_url.rsplit("/", 1)[1]).start()
        started = time.perf_counter()
        tasks.append(asyncio.create_task(loop_lag(lag)))
        if worker is None:
            poll(targets[0])
            await asyncio.sleep(seconds or 0)
        else:
            job = await api.start(LARGE)
            poll(job["id"])
            done = await api.wait_for(job["id"], timeout=600)
            assert done["status"] == "completed", done["error"]
        wall = time.perf_counter() - started
        meter.stop()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client in clients:
            await client.aclose()
        await api.aclose()
        if worker:
            worker.terminate()
    return Run(wall, lat, meter, lag)


async def part_two(stack: Stack, pollers: int, seconds: float, rounds: int) -> None:
    conn = await connect(stack.database_url)
    try:
        cancelled = await ops_data.cancel_pending(conn)
        targets = await ops_data.polled_jobs(conn, ACCOUNT, pollers)
    finally:
        await conn.close()
    print(f"\n(cancelled the {cancelled} seeded pending jobs: the worker runs only the "
          "large organisation)", flush=True)
    idle = await polled(stack, "idle", pollers, targets, seconds)
    plain: list[Run] = []
    loaded: list[Run] = []
    order: list[tuple[str, Run]] = []
    for n in [1] + [pollers, 1] * rounds:  # alternated: the machine's drift hits both
        run = await polled(stack, "worker", n, targets, None)
        (loaded if n > 1 else plain).append(run)
        order.append(("migration, pollers" if n > 1 else "migration, 1 client", run))
        print(f"large organisation, {n} polling client(s): {run.wall:.1f} s", flush=True)
    base = statistics.mean(r.wall for r in plain)
    wall = statistics.mean(r.wall for r in loaded)
    probe = Lat([ms for r in plain for ms in r.lat.ms])
    lat = Lat([ms for r in loaded for ms in r.lat.ms])
    walls = ", ".join(f"{r.wall:.1f}" for r in plain)

    header(f"part 2: {pollers} clients polling once a second during the large migration")
    row("GET /legacy-migration/jobs/{id} p99, while migrating", f"{lat.p(99):.1f} ms",
        "< 25 ms", f"{probe.p(99):.1f} ms (1 client)")
    row("  … p50 / p95", f"{lat.p(50):.1f} / {lat.p(95):.1f} ms", "",
        f"{probe.p(50):.1f} / {probe.p(95):.1f} ms")
    row(f"  … p99 with {pollers} clients and no migration", f"{idle.lat.p(99):.1f} ms",
        "< 25 ms")
    row(f"large organisation wall time, with pollers (mean of {rounds})", f"{wall:.1f} s",
        "", f"{base:.1f} s (mean of {len(plain)})")
    row("  … change against the baseline", f"{(wall / base - 1) * 100:+.1f} %", "≤ +10 %",
        walls + " s")
    print(f"\npolls, migrating:     {lat.brief()}")
    print(f"polls, 1 client:      {probe.brief()}")
    print(f"polls, no migration:  {idle.lat.brief()}")
    print("CPU, in % of one core (2 cores in all; postgres: this database's backends):")
    print(f"  {'no migration, pollers':<22} {idle.cpu.brief()}")
    for name, run in order:
        print(f"  {name:<22} {run.cpu.brief()}")
    print("this process's event loop, late waking from 10 ms sleeps (its share of the "
          "latencies):")
    for name, run in [("no migration, pollers", idle), *order]:
        print(f"  {name:<22} {run.lag.brief()}")


async def main(services: Services, args: argparse.Namespace) -> None:
    stack = await start_stack(services, name="ops", redis_db=13, logs=LOGS)
    try:
        await part_one(stack, args.jobs, args.seconds)
        if not args.skip_large:
            await part_two(stack, args.pollers, args.seconds, args.rounds)
    finally:
        stack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.ops", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--jobs", type=int, default=1_000_000, help="job rows to seed")
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each phase")
    parser.add_argument("--pollers", type=int, default=200, help="clients polling a job")
    parser.add_argument("--rounds", type=int, default=2,
                        help="migrations with pollers (each followed by one without)")
    parser.add_argument("--skip-large", action="store_true", help="part 1 only")
    asyncio.run(main(find_services(db="migration_worker_ops", redis_db=13), parser.parse_args()))
