"""Load and accounting for bench/ops.py: timed GETs (back to back, or once a period) and
the CPU each of the stack's processes used, beside how busy the whole machine was.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from bench.run import pct


@dataclass
class Lat:
    """Latencies (ms) of one kind of request, and the answers that were not 200."""

    ms: list[float] = field(default_factory=list)
    errors: int = 0

    def p(self, q: float) -> float:
        return pct(self.ms, q) if self.ms else float("nan")

    def brief(self) -> str:
        return (f"p50 {self.p(50):6.1f}  p95 {self.p(95):6.1f}  p99 {self.p(99):6.1f}  "
                f"max {max(self.ms, default=float('nan')):6.1f} ms  n={len(self.ms)}"
                + (f"  errors={self.errors}" if self.errors else ""))


class Answer(Protocol):
    status_code: int


class Getter(Protocol):
    async def get(self, url: str) -> Answer: ...


@dataclass
class RawAnswer:
    status_code: int


class RawClient:
    """A keep-alive HTTP/1.1 GET client on one connection, with next to no CPU of its own:
    200 httpx clients polling once a second took 17 % of a core of the host they measure,
    which real clients would not."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, url: str) -> RawAnswer:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(f"GET {url} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}\r\n"
                     .encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        await reader.readexactly(length)
        return RawAnswer(status)

    async def aclose(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def timed_get(client: Getter | httpx.AsyncClient, url: str, into: Lat) -> None:
    started = time.perf_counter()
    response = await client.get(url)
    into.ms.append((time.perf_counter() - started) * 1000)
    into.errors += response.status_code != 200


async def back_to_back(client: httpx.AsyncClient, urls: dict[str, Lat], seconds: float) -> None:
    """Each of `urls` in turn, one request at a time, for `seconds`."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for url, into in urls.items():
            await timed_get(client, url, into)


async def periodic(client: Getter | httpx.AsyncClient, url: str, into: Lat, offset: float,
                   period: float) -> None:
    """GET `url` every `period` seconds from `offset` on (at once when one ran late)."""
    next_at = time.perf_counter() + offset
    while True:
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        await timed_get(client, url, into)
        next_at = max(next_at + period, time.perf_counter())


async def loop_lag(into: Lat, every: float = 0.01) -> None:
    """How late this process's event loop wakes from a sleep of `every` (ms), in `into`:
    what the latencies measured here owe to the load generator itself."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(every)
        into.ms.append((time.perf_counter() - started - every) * 1000)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backends(database: str) -> list[int]:
    """The Postgres backends connected to `database` (by their process title)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                found.append(int(entry.name))
    return found


def machine_ticks() -> tuple[int, int]:
    """(all, idle) CPU ticks of the machine, every core."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values), values[3] + values[4]


class CpuMeter:
    """CPU used from `start` to `stop` by named processes, by the backends of one database
    (those alive at `stop`), by this process and by the machine as a whole."""

    def __init__(self, procs: dict[str, int], database: str) -> None:
        self.procs, self.database = procs, database
        self.used: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        now = {name: cpu_seconds(pid) for name, pid in self.procs.items()}
        now |= {f"pg{pid}": cpu_seconds(pid) for pid in backends(self.database)}
        all_ticks, idle = machine_ticks()
        return now | {"bench": time.process_time(), "all": float(all_ticks),
                      "idle": float(idle), "wall": time.perf_counter()}

    def start(self) -> CpuMeter:
        self._start = self._now()
        return self

    def stop(self) -> dict[str, float]:
        """Shares of one core by process ('postgres': the database's backends), and
        'machine': how busy every core was, in % of all of them."""
        end, start = self._now(), self._start
        wall = end["wall"] - start["wall"]
        used = {k: end[k] - start.get(k, 0.0) for k in end}
        shares = {k: used[k] / wall * 100 for k in [*self.procs, "bench"]}
        shares["postgres"] = sum(v for k, v in used.items() if k.startswith("pg")) / wall * 100
        shares["machine"] = (1 - used["idle"] / used["all"]) * 100 if used["all"] else 0.0
        self.used = shares
        return shares

    def brief(self) -> str:
        parts = [f"{k} {v:.0f} %" for k, v in self.used.items() if k != "machine"]
        return ", ".join(parts) + f"; machine {self.used['machine']:.0f} % busy"
