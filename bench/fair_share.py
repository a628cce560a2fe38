"""The fair share of the workers' slots (issue 18, security.md "Tenants"): account A queues
200 imports, then account B creates one small import; B's start delay beside A's
throughput, against A alone and against the same run without the fair share
(FAIR_SHARE=1: the arq queue's first-in first-out order), all in one run.

    .venv/bin/python -m bench.fair_share [--imports 200] [--rows 2000] [--workers 2]

Goals: B's start delay under 5 s while A's 200 wait; A's throughput at least 90% of A
alone. Uses database `migration_worker_fair` and Redis database 9 (flushed). The upload
quota and request rate are raised for the run (bench.stack.BENCH_LIMITS): it measures the
workers, not the web tier.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

import asyncpg

from bench.stack import ROOT, Services, Stack, find_services, start_stack
from harness.processes import Proc, create_key
from harness.wizard import Wizard
from worker.db.pool import create_pool

LOGS = ROOT / ".dev" / "bench-logs" / "fair_share"


@dataclass
class Phase:
    name: str
    a_imports_per_second: float
    b_start_delay_seconds: float | None
    a_waiting_when_b_started: int | None
    queued_in_seconds: float


def contacts_csv(rows: int, seed: str) -> bytes:
    lines = ["Organisation,Email"] + [f"{seed} customer {i},c{i}@{seed}.example"
                                      for i in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


async def queue_imports(wizard: Wizard, n: int, rows: int, seed: str) -> float:
    """Upload n imports, 8 at a time (queued faster than the workers take them); seconds."""
    content = contacts_csv(rows, seed)
    started = time.monotonic()

    async def upload(count: int) -> None:
        for _ in range(count):
            response = await wizard.import_csv("contacts", "contacts.csv", content)
            assert response.status_code == 202, response.text

    await asyncio.gather(*(upload(n // 8 + (i < n % 8)) for i in range(8)))
    return time.monotonic() - started


async def wait_finished(db: asyncpg.Pool, account: str, n: int) -> None:
    while await db.fetchval("SELECT count(*) FROM migration_jobs WHERE account_id = $1 AND "
                            "status IN ('completed', 'failed', 'cancelled')", account) < n:
        await asyncio.sleep(0.2)
    failed = await db.fetchval("SELECT count(*) FROM migration_jobs WHERE account_id = $1 "
                               "AND status <> 'completed'", account)
    assert failed == 0, f"{failed} jobs of {account} did not complete"


async def throughput(db: asyncpg.Pool, account: str) -> float:
    row = await db.fetchrow("SELECT count(*) AS n, min(started_at) AS first, "
                            "max(completed_at) AS last FROM migration_jobs "
                            "WHERE account_id = $1", account)
    assert row is not None
    seconds: float = (row["last"] - row["first"]).total_seconds()
    return int(row["n"]) / seconds


async def phase(stack: Stack, db: asyncpg.Pool, name: str, args: argparse.Namespace,
                with_b: bool) -> Phase:
    a = f"acc_a_{name}"
    wizard_a = Wizard(stack.web_url, create_key(stack.env, a), a)
    queued_in = await queue_imports(wizard_a, args.imports, args.rows, name)
    b_delay = waiting = None
    if with_b:  # B arrives once A's imports are all queued
        b = f"acc_b_{name}"
        wizard_b = Wizard(stack.web_url, create_key(stack.env, b), b)
        response = await wizard_b.import_csv("contacts", "small.csv", contacts_csv(20, b))
        assert response.status_code == 202, response.text
        await wait_finished(db, b, 1)
        row = await db.fetchrow("SELECT created_at, started_at FROM migration_jobs "
                                "WHERE account_id = $1", b)
        assert row is not None
        b_delay = (row["started_at"] - row["created_at"]).total_seconds()
        b_started = row["started_at"]
        await wizard_b.aclose()
    await wait_finished(db, a, args.imports)
    if with_b:  # A's imports queued before B's and started after it
        waiting = await db.fetchval("SELECT count(*) FROM migration_jobs WHERE account_id = $1 "
                                    "AND started_at > $2", a, b_started)
    await wizard_a.aclose()
    return Phase(name, await throughput(db, a), b_delay, waiting, queued_in)


def start_workers(stack: Stack, n: int, **env: str) -> list[Proc]:
    return [stack.start_worker(f"worker{i}", **env) for i in range(n)]


async def main(services: Services, args: argparse.Namespace) -> None:
    stack = await start_stack(services, name="fair", redis_db=9, logs=LOGS)
    db = await create_pool(stack.database_url, min_size=1, max_size=4)
    phases = []
    try:
        for fair, label in ((True, "fair share"), (False, "FIFO (FAIR_SHARE=1)")):
            workers = start_workers(stack, args.workers,
                                    **({} if fair else {"FAIR_SHARE": "1"}))
            await asyncio.sleep(2)  # registered, so the fleet's slots are known
            tag = "fair" if fair else "fifo"
            if fair:
                phases.append((label + ", A alone", await phase(stack, db, "alone", args,
                                                                with_b=False)))
            phases.append((label + ", A then B", await phase(stack, db, tag, args,
                                                             with_b=True)))
            for proc in workers:
                proc.terminate()
                stack.procs.remove(proc)
            await asyncio.sleep(1)
    finally:
        await db.close()
        stack.stop()
    report(phases, args)


def report(phases: list[tuple[str, Phase]], args: argparse.Namespace) -> None:
    alone = phases[0][1].a_imports_per_second
    print(f"\n{args.imports} imports of {args.rows} contacts by account A, {args.workers} "
          "workers x 4 slots; B: one import of 20 contacts")
    print(f"{'run':32} {'A imports/s':>12} {'A vs alone':>11} {'B start delay':>14} "
          f"{'A started after B':>18} {'A queued in':>12}")
    for label, p in phases:
        delay = "" if p.b_start_delay_seconds is None else f"{p.b_start_delay_seconds:.2f} s"
        waiting = "" if p.a_waiting_when_b_started is None else str(p.a_waiting_when_b_started)
        print(f"{label:32} {p.a_imports_per_second:12.1f} "
              f"{p.a_imports_per_second / alone:10.0%} {delay:>14} {waiting:>18} "
              f"{p.queued_in_seconds:10.1f} s")
    print("goals: B's start delay < 5 s with the fair share; A >= 90% of A alone")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--imports", type=int, default=200)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    started = time.monotonic()
    asyncio.run(main(find_services(db="migration_worker_fair", redis_db=9),
                     parser.parse_args()))
    print(f"({time.monotonic() - started:.0f} s in all)")
