"""The chaos run of issue 3: several workers on a stream of jobs for a few minutes, while
workers are SIGKILLed and restarted at random and Redis is flushed once. The jobs come from
two accounts, a greedy one and a small one (one job in six), so that the fair share of
issue 18 parks and unparks jobs through it all.

    .venv/bin/python -m bench.chaos [--minutes 3] [--workers 4] [--seed 1]

Prints jobs created, completed, failed and lost (must be 0), records duplicated and
missing (must be 0), and the recovery time after each kill: from the SIGKILL until every
job the dead worker held is leased by another worker (or finished). Workers run with the
production defaults (10 s lease, 2 s lease heartbeat, 5 s sweep, 1 s registry heartbeat,
a worker presumed dead after 5 s of silence). Exits 1 if anything was lost,
doubled or failed. Uses database `migration_worker_chaos` and Redis database 13 (flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from redis.asyncio import Redis

from bench.stack import ROOT, Services, Stack, find_services, start_stack
from harness.api import FLEET_EMAIL, FLEET_PASSWORD, TERMINAL, Api
from harness.oracle import expected
from harness.processes import Proc
from harness.target import KINDS
from worker.db.pool import create_pool

LOGS = ROOT / ".dev" / "bench-logs" / "chaos"
ACTIVE_JOBS = 24  # kept active at once: every worker slot busy (4 x 4) and some waiting
LATENCY_MS = 100  # per legacy request, so that a job lasts a few seconds and kills land mid-job
HOST = socket.gethostname()
SMALL_ACCOUNT_SHARE = 1 / 6


@dataclass
class Kill:
    """One SIGKILL and how long the dead worker's jobs took to be taken over."""

    at: float
    worker: str
    worker_id: str  # the dead process's ID in the workers registry
    held: set[str]
    recovered_at: dict[str, float] = field(default_factory=dict)

    @property
    def recovery_seconds(self) -> float | None:
        if not self.held or len(self.recovered_at) < len(self.held):
            return None
        return max(self.recovered_at.values()) - self.at


class Chaos:
    def __init__(self, stack: Stack, apis: list[Api], db: asyncpg.Pool, rng: random.Random,
                 n_workers: int) -> None:
        # a greedy account and a small one (one job in SMALL_ACCOUNT_SHARE): the fair
        # share parks and unparks the greedy one's jobs through the kills and the flush
        self.stack, self.apis, self.db, self.rng = stack, apis, db, rng
        self.workers: dict[str, Proc] = {
            f"w{i}": stack.start_worker(f"w{i}") for i in range(1, n_workers + 1)}
        self.jobs: dict[str, str] = {}  # job id -> legacy org id
        self.kills: list[Kill] = []
        self.flush: dict[str, Any] = {}
        self.sessions: dict[int, dict[str, Any]] = {}
        self.parked: set[str] = set()  # jobs seen parked for the fair share

    # --- the stream of jobs ------------------------------------------------------------

    async def feed(self, until: float) -> None:
        """Keep ACTIVE_JOBS jobs running, each on a fleet organisation not busy."""
        while time.monotonic() < until:
            active = await self.db.fetch(
                "SELECT l.legacy_org_id FROM migration_jobs j JOIN legacy_migration_jobs l "
                "ON l.job_id = j.id WHERE j.status IN ('pending', 'running')")
            busy = {r["legacy_org_id"] for r in active}
            self.parked.update(r["id"] for r in await self.db.fetch(
                "SELECT id FROM migration_jobs WHERE parked_at IS NOT NULL"))
            for _ in range(ACTIVE_JOBS - len(active)):
                await self._create(busy)
            await asyncio.sleep(0.2)

    async def _create(self, busy: set[str]) -> None:
        which = 1 if self.rng.random() < SMALL_ACCOUNT_SHARE else 0
        api = self.apis[which]
        if not self.sessions.get(which):
            self.sessions[which] = await api.login(FLEET_EMAIL, FLEET_PASSWORD)
        session = self.sessions[which]
        free = [o["id"] for o in session["organizations"] if o["id"] not in busy]
        org = self.rng.choice(free)
        response = await api.create(org, session["legacy_session_id"])
        if response.status_code == 404:  # the session went with the Redis flush
            self.sessions[which] = {}
            return
        assert response.status_code == 201, response.text
        self.jobs[response.json()["id"]] = org
        busy.add(org)

    # --- breaking things ---------------------------------------------------------------

    async def break_things(self, until: float) -> None:
        """Kill a random worker every 4-10 s (restarted 1-4 s later); flush Redis once,
        halfway through."""
        flush_at = time.monotonic() + (until - time.monotonic()) / 2
        while time.monotonic() < until:
            await asyncio.sleep(self.rng.uniform(4, 10))
            if not self.flush and time.monotonic() >= flush_at:
                await self._flush_redis()
            alive = [name for name, p in self.workers.items() if p.alive()]
            if len(alive) > 1:  # someone must be left to take over
                await self._kill(self.rng.choice(alive))

    async def _kill(self, name: str) -> None:
        proc = self.workers[name]
        worker_id = await self.db.fetchval(
            "SELECT id FROM workers WHERE host = $1 AND pid = $2 ORDER BY started_at DESC "
            "LIMIT 1", HOST, proc.pid) or ""
        proc.kill()
        at = time.monotonic()
        held = {r["id"] for r in await self.db.fetch(
            "SELECT id FROM migration_jobs WHERE status = 'running' AND worker_id = $1 "
            "AND lease_owner IS NOT NULL", worker_id)}
        self.kills.append(Kill(at, name, worker_id, held))
        print(f"  {len(self.kills):3d}. killed {name}, which held {len(held)} running "
              f"job(s)", flush=True)
        asyncio.get_running_loop().call_later(self.rng.uniform(1, 4), _restart, proc)

    async def _flush_redis(self) -> None:
        waiting = {r["id"] for r in await self.db.fetch(
            "SELECT id FROM migration_jobs WHERE status = 'pending'")}
        redis = Redis.from_url(self.stack.redis_url)
        await redis.flushdb()
        await redis.aclose()
        self.flush = {"at": time.monotonic(), "waiting": waiting, "started": {}}
        print(f"  flushed Redis with {len(waiting)} jobs waiting", flush=True)

    # --- watching recovery ---------------------------------------------------------------

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            now = time.monotonic()
            for kill in self.kills:
                pending = kill.held - set(kill.recovered_at)
                if pending:
                    await self._note_recovered(kill, pending, now)
            if self.flush:
                waiting = self.flush["waiting"] - set(self.flush["started"])
                rows = await self.db.fetch(
                    "SELECT id FROM migration_jobs WHERE id = ANY($1::text[]) "
                    "AND status <> 'pending'", list(waiting))
                for r in rows:
                    self.flush["started"][r["id"]] = now
            await asyncio.sleep(0.1)

    async def _note_recovered(self, kill: Kill, pending: set[str], now: float) -> None:
        rows = await self.db.fetch(
            "SELECT id, status, lease_owner, worker_id FROM migration_jobs "
            "WHERE id = ANY($1::text[])", list(pending))
        for r in rows:
            taken = r["lease_owner"] is not None and r["worker_id"] != kill.worker_id
            if taken or r["status"] in TERMINAL:
                kill.recovered_at[r["id"]] = now


def _restart(proc: Proc) -> None:
    if not proc.alive():
        proc.start()


async def written_counts(db: asyncpg.Pool) -> dict[str, list[dict[str, int]]]:
    """For each job, what each of its entities holds, by kind."""
    kinds = ", ".join(
        f"(SELECT count(*) FROM target.{k} x WHERE x.entity_id = e.id) AS {k}" for k in KINDS)
    lines = ("(SELECT count(*) FROM target.document_lines l JOIN target.documents d "
             "ON d.id = l.document_id WHERE d.entity_id = e.id) AS document_lines")
    rows = await db.fetch(f"SELECT e.source_job_id, {kinds}, {lines} FROM target.entities e")
    out: dict[str, list[dict[str, int]]] = {}
    for r in rows:
        out.setdefault(r["source_job_id"], []).append(
            {k: r[k] for k in (*KINDS, "document_lines")})
    return out


async def verify(chaos: Chaos, sim_url: str) -> dict[str, Any]:
    statuses = {r["id"]: (r["status"], r["error_code"]) for r in await chaos.db.fetch(
        "SELECT id, status, error_code FROM migration_jobs")}
    written = await written_counts(chaos.db)
    oracle: dict[str, dict[str, int]] = {}
    duplicated = missing = 0
    for job_id, org in chaos.jobs.items():
        entities = written.get(job_id, [])
        if statuses[job_id][0] != "completed":
            duplicated += sum(sum(e.values()) for e in entities)  # written, yet not completed
            continue
        if org not in oracle:
            oracle[org] = expected(sim_url, org)["counts"]
        want = oracle[org]
        got = entities[0] if entities else dict.fromkeys(want, 0)
        duplicated += sum(max(0, got[k] - want[k]) for k in want)
        duplicated += sum(sum(e.values()) for e in entities[1:])  # a second entity
        missing += sum(max(0, want[k] - got[k]) for k in want)
    counted = [s for s, _ in statuses.values()]
    return {
        "created": len(chaos.jobs),
        "completed": counted.count("completed"),
        "failed": sorted(code for s, code in statuses.values() if s == "failed"),
        "lost": sum(s not in TERMINAL for s in counted),
        "duplicated": duplicated,
        "missing": missing,
        "small_account_jobs": await chaos.db.fetchval(
            "SELECT count(*) FROM migration_jobs WHERE account_id = 'acc_chaos_small'"),
    }


async def main(services: Services, minutes: float, n_workers: int, seed: int) -> int:
    stack = await start_stack(services, name="chaos", redis_db=13, logs=LOGS,
                              LEGACY_FAULTS=json.dumps({"latency_ms": LATENCY_MS}))
    db = await create_pool(stack.database_url, application_name="chaos")
    apis = [stack.api("acc_chaos"), stack.api("acc_chaos_small")]
    chaos = Chaos(stack, apis, db, random.Random(seed), n_workers)
    try:
        await asyncio.sleep(2)  # workers start
        print(f"chaos run: {n_workers} workers, {minutes:g} min, {ACTIVE_JOBS} jobs at once, "
              f"legacy latency {LATENCY_MS} ms", flush=True)
        until = time.monotonic() + minutes * 60
        stop = asyncio.Event()
        watcher = asyncio.create_task(chaos.watch(stop))
        await asyncio.gather(chaos.feed(until), chaos.break_things(until))
        for proc in chaos.workers.values():  # a restart still scheduled must not be lost
            _restart(proc)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and await db.fetchval(
                "SELECT count(*) FROM migration_jobs WHERE status IN ('pending', 'running')"):
            await asyncio.sleep(0.5)
        stop.set()
        await watcher
        result = await verify(chaos, stack.env["LEGACY_API_URL"])
    finally:
        for api in apis:
            await api.aclose()
        await db.close()
        stack.stop()
    return report(chaos, result)


def report(chaos: Chaos, result: dict[str, Any]) -> int:
    recoveries = [k.recovery_seconds for k in chaos.kills if k.held]
    measured = [r for r in recoveries if r is not None]
    interrupted = sum(len(k.held) for k in chaos.kills)
    print("\n== chaos run ==")
    failed = f" {result['failed']}" if result["failed"] else ""
    print(f"jobs created {result['created']}, completed {result['completed']}, "
          f"failed {len(result['failed'])}{failed}, lost {result['lost']}")
    print(f"records duplicated {result['duplicated']}, missing {result['missing']}")
    print(f"fair share: {len(chaos.parked)} jobs seen parked (sampled every 0.2 s); "
          f"{result['small_account_jobs']} jobs of the small account")
    print(f"kills {len(chaos.kills)} ({len(measured)} of them holding jobs, "
          f"{interrupted} jobs interrupted)")
    if measured:
        print(f"recovery after a kill: p50 {statistics.median(measured):.1f} s, "
              f"max {max(measured):.1f} s (target max < 10 s)")
    if len(measured) < len(recoveries):
        print(f"  {len(recoveries) - len(measured)} kills whose jobs were never taken over")
    if chaos.flush:
        started = chaos.flush["started"].values()
        waited = max((t - chaos.flush["at"] for t in started), default=0.0)
        print(f"Redis flush: {len(chaos.flush['waiting'])} waiting jobs, all started again "
              f"within {waited:.1f} s" if len(started) == len(chaos.flush["waiting"]) else
              "Redis flush: some waiting jobs never started")
    bad = (result["lost"] or result["duplicated"] or result["missing"] or result["failed"]
           or len(measured) < len(recoveries))
    return 1 if bad else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    found = find_services(db="migration_worker_chaos", redis_db=13)
    raise SystemExit(asyncio.run(main(found, args.minutes, args.workers, args.seed)))
