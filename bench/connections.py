"""Issue 18, bench (a): the API's latency while one address holds 5,000 half-open
connections, beside the same with none held, in one run.

    .venv/bin/python -m bench.connections [--count 5000] [--seconds 20]

Starts its own simulator and API (database `migration_worker_connections`, Redis database
10, flushed; no worker: the job measured stays pending) with the default limits: the
attacker's address gets HTTP_MAX_CONNECTIONS_PER_ADDRESS (64) connections, held until the
header timeout (5 s); the rest are refused at once.

Three phases of `--seconds` each: quiet, under attack, after. In each, a prober on
127.0.0.1 sends GET /healthz (9 a second, within the anonymous rate limit) and a job's
GET with an API key (18 a second, within the key's), open loop, each on a new connection:
a client that cannot connect is what the issue saw. The attacker is a process of its own
(its thousands of sockets must not slow the prober's event loop) on 127.0.0.2: it opens
`--count` connections as fast as it can, sends half a request header on each and nothing
more, and reports when the server closed each one.

Goal: p99 under attack below 3x the quiet p99; every half-open connection closed within
30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.run import pct
from bench.stack import ROOT, Services, find_services, start_stack
from harness.api import Api
from harness.processes import create_key, python_module

LOGS = ROOT / ".dev" / "bench-logs"
SMALL = "010000000000000000000000"
ATTACKER, PROBER = "127.0.0.2", "127.0.0.1"
HALF_A_HEADER = b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Half: "
# the attacker gives up on connections still open this long after the attack began
HOLD_SECONDS = 40.0
PROBE_TIMEOUT = 10.0
CLOSED_BY = (1, 2, 5, 6, 10, 20, 30)


# --- the attacker (a process of its own: `--attack URL`) ---

@dataclass
class Held:
    opened: float = 0.0
    closed: float | None = None
    answer: bytes = b""


class HalfOpen(asyncio.Protocol):
    """One connection that sends half a header and waits for the server to close it."""

    def __init__(self, held: Held) -> None:
        self.held = held

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.held.opened = time.monotonic()
        assert isinstance(transport, asyncio.Transport)
        transport.write(HALF_A_HEADER)

    def data_received(self, data: bytes) -> None:
        if not self.held.answer:
            self.held.answer = data[:12]

    def eof_received(self) -> bool:
        self._closed()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed()

    def _closed(self) -> None:
        if self.held.closed is None:
            self.held.closed = time.monotonic()


async def attack(url: str, count: int, source: str) -> dict[str, object]:
    """Open `count` half-open connections from `source`; when the server closed each."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    held = [Held() for _ in range(count)]
    transports: list[asyncio.BaseTransport] = []
    failed = 0
    opening = asyncio.Semaphore(500)

    async def open_one(one: Held) -> None:
        nonlocal failed
        async with opening:
            try:
                transport, _ = await asyncio.wait_for(loop.create_connection(
                    lambda: HalfOpen(one), parts.hostname or "127.0.0.1", parts.port or 80,
                    local_addr=(source, 0)), PROBE_TIMEOUT)
                transports.append(transport)
            except (OSError, TimeoutError):
                failed += 1

    await asyncio.gather(*(open_one(one) for one in held))
    all_open = time.monotonic() - started
    opened = [one for one in held if one.opened]
    while (any(one.closed is None for one in opened)
           and time.monotonic() - started < HOLD_SECONDS):
        await asyncio.sleep(0.1)
    for transport in transports:
        transport.close()
    lifetimes = [one.closed - one.opened for one in opened if one.closed is not None]
    return {
        "opened": len(opened), "failed": failed, "opening_seconds": round(all_open, 2),
        "started": started,  # the clock is the machine's: the prober compares with it
        "closed_by": {str(s): sum(1 for one in opened if one.closed is not None
                                  and one.closed - started <= s) for s in CLOSED_BY},
        "still_open": sum(1 for one in opened if one.closed is None),
        "answered_503": sum(1 for one in opened if one.answer.startswith(b"HTTP/1.1 503")),
        "answered_408": sum(1 for one in opened if one.answer.startswith(b"HTTP/1.1 408")),
        "lifetime_p50": round(pct(lifetimes, 50), 3) if lifetimes else None,
        "lifetime_max": round(max(lifetimes), 3) if lifetimes else None,
    }


# --- the prober ---

@dataclass
class Series:
    """Latencies (ms) of one kind of request, each with when it was sent (monotonic)."""

    ms: list[float] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)
    errors: int = 0

    def p(self, q: float) -> float:
        return pct(self.ms, q) if self.ms else float("nan")

    def between(self, start: float, end: float) -> Series:
        """The requests sent between `start` and `end` (errors are not timed: all kept)."""
        kept = [(t, ms) for t, ms in zip(self.sent, self.ms, strict=True) if start <= t <= end]
        return Series([ms for _, ms in kept], [t for t, _ in kept], self.errors)


async def get(url: str, path: str, headers: str) -> int:
    """GET `path` on a new connection from PROBER; the status."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port,
                                                   local_addr=(PROBER, 0))
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n{headers}"
                     "\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        await reader.read()  # to the server's close
        return int(head.split(b" ", 2)[1])
    finally:
        writer.close()


async def probe(url: str, path: str, headers: str, rate: float, seconds: float) -> Series:
    """GET `path` `rate` times a second for `seconds`, open loop (a slow answer delays
    no later request)."""
    series = Series()

    async def one() -> None:
        sent, started = time.monotonic(), time.perf_counter()
        try:
            status = await asyncio.wait_for(get(url, path, headers), PROBE_TIMEOUT)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            series.errors += 1
            return
        if status != 200:
            series.errors += 1
            return
        series.ms.append((time.perf_counter() - started) * 1000)
        series.sent.append(sent)

    tasks = []
    begun = time.monotonic()
    for k in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, begun + k / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    return series


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    series: dict[str, Series]
    web_cpu: float


async def phase(url: str, job_path: str, key: str, seconds: float, web_pid: int) -> Phase:
    auth = f"Authorization: Bearer {key}\r\n"
    cpu = cpu_seconds(web_pid)
    health, job = await asyncio.gather(probe(url, "/healthz", "", 9, seconds),
                                       probe(url, job_path, auth, 18, seconds))
    return Phase({"GET /healthz": health, "GET job": job}, cpu_seconds(web_pid) - cpu)


def report(phases: dict[str, Phase]) -> None:
    print(f"\n{'':<14}{'phase':<14}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'n':>6}"
          f"{'errors':>8}{'p99 / quiet':>13}")
    for what in ("GET /healthz", "GET job"):
        quiet = phases["quiet"].series[what].p(99)
        for name, ran in phases.items():
            s = ran.series[what]
            print(f"{what:<14}{name:<14}{s.p(50):9.1f}{s.p(99):9.1f}"
                  f"{max(s.ms, default=float('nan')):9.1f}{len(s.ms):6}{s.errors:8}"
                  f"{s.p(99) / quiet:12.2f}x")
    print("the web process's CPU in each phase: " + ", ".join(
        f"{name} {ran.web_cpu:.2f} s" for name, ran in phases.items() if ran.web_cpu >= 0))


async def main(services: Services, count: int, seconds: float) -> None:
    stack = await start_stack(services, name="connections", redis_db=10, logs=LOGS)
    try:
        web_pid = next(proc.pid for proc in stack.procs if proc.name == "web")
        key = create_key(stack.env, "acc_bench")
        api = Api(stack.web_url, key)
        job = await api.start(SMALL)
        await api.aclose()
        job_path = f"/legacy-migration/jobs/{job['id']}"
        phases = {"quiet": await phase(stack.web_url, job_path, key, seconds, web_pid)}
        attacker = await asyncio.create_subprocess_exec(
            *python_module("bench.connections", "--attack", stack.web_url, "--count",
                           str(count)), stdout=asyncio.subprocess.PIPE, cwd=ROOT)
        phases["under attack"] = await phase(stack.web_url, job_path, key, seconds, web_pid)
        out, _ = await attacker.communicate()
        phases["after"] = await phase(stack.web_url, job_path, key, seconds, web_pid)
        held = json.loads(out)
    finally:
        stack.stop()
    # the requests sent while the attacker was opening its connections (the flood itself),
    # and the second after it
    attacked = phases["under attack"]
    flood = (held["started"], held["started"] + held["opening_seconds"] + 1)
    during = Phase({what: series.between(*flood)
                    for what, series in attacked.series.items()}, float("nan"))
    report({"quiet": phases["quiet"], "under attack": attacked, "flood +1 s": during,
            "after": phases["after"]})
    print(f"\nattacker on {ATTACKER}: {held['opened']} connections opened in "
          f"{held['opening_seconds']} s ({held['failed']} failed to connect); answered "
          f"503 at once: {held['answered_503']}, 408 at the header timeout: "
          f"{held['answered_408']}")
    print("closed by the server, by seconds after the attack began: " + ", ".join(
        f"{s} s: {n}" for s, n in held["closed_by"].items()))
    print(f"a connection's life: p50 {held['lifetime_p50']} s, max {held['lifetime_max']} "
          f"s; still open after {HOLD_SECONDS:g} s: {held['still_open']}")
    ratios = {what: attacked.series[what].p(99) / phases["quiet"].series[what].p(99)
              for what in attacked.series}
    closed = held["closed_by"]["30"]
    print("goal, p99 under attack below 3x quiet: " + ", ".join(
        f"{what} {ratio:.2f}x" for what, ratio in ratios.items())
        + (" (met)" if all(r < 3 for r in ratios.values()) else " (NOT met)"))
    print(f"goal, every half-open connection closed within 30 s: {closed} of "
          f"{held['opened']}" + (" (met)" if closed == held["opened"] else " (NOT met)"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.connections",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="half-open connections")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--attack", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attack:
        print(json.dumps(asyncio.run(attack(args.attack, args.count, ATTACKER))))
        sys.exit(0)
    asyncio.run(main(find_services(db="migration_worker_connections", redis_db=10),
                     args.count, args.seconds))
