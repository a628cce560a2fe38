"""The retention purge on a million finished jobs (issue 20), beside baselines from the same run.

    .venv/bin/python -m bench.retention [--jobs 1000000] [--probe-seconds 60]

A scratch database of its own (`migration_worker_retention`, recreated) gets `--jobs`
finished jobs inserted set-wise, all ended 100-400 days ago: 40 % completed jobs of a kind
that leaves nothing behind (2 step runs each), 20 % completed legacy migrations (8 step
runs; each made a target entity, so they are kept for good), 25 % failed legacy migrations
(1-8 step runs; an organisation and three customers staged each), 15 % cancelled ones (0-7
step runs); plus 20 pending and 8 running jobs and two live workers. Three copies of it
(CREATE DATABASE … TEMPLATE) are measured:

1. **the purge**, as the sweep runs it (`worker.process.retention.purge`: passes of
   PASS_SECONDS, batches of RETENTION_BATCH = 1000, the default settings), back to back until
   nothing is due: rows removed (jobs + step runs + staging rows) per second;
   **baseline**: the same rows removed by bare DELETEs, one statement per table, in one
   transaction (the jobs' step runs and kind rows by ON DELETE CASCADE);
2. the **sweep's own queries** and a worker's start-up queries (median of 5) with the
   million old rows, after the purge (then VACUUM ANALYZE, as autovacuum would), and on a
   database with no history at all; the purge's own pass once nothing is due;
3. a job GET and a job creation (their SQL, as the API runs it), one client back to back:
   p50/p99 during `--probe-seconds` of the purge in a process of its own, run back to back
   and then as one worker's sweep runs it (a pass every SWEEP_EVERY_SECONDS), against alone
   (a quarter of that before and after; the issue's goal: p99 under 1.5x alone).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.stack import find_services
from harness.database import drop_database, recreate_database, sibling_database
from worker.db.pool import connect, create_pool
from worker.db.queries import q
from worker.db.schema import apply_migrations
from worker.enqueue import record_job
from worker.kinds.legacy_migration.kind import LEGACY_MIGRATION
from worker.process.retention import purge
from worker.settings import Settings

NAME = "migration_worker_retention"
ACCOUNTS = 50

SEED = [
    """INSERT INTO accounts (id) SELECT 'acc_ret_' || lpad(a::text, 2, '0')
       FROM generate_series(0, 49) AS a""",
    # by i % 20: 0-7 completed exports (a kind that leaves nothing behind), 8-11 completed
    # legacy migrations (each made an entity), 12-16 failed and 17-19 cancelled ones
    """INSERT INTO migration_jobs (id, kind, account_id, singleton_key, status, step,
           step_number, total_steps, progress_detail, error, error_code, entity_id, attempts,
           created_at, started_at, completed_at, updated_at, cleaned_up_at)
       SELECT CASE WHEN s.export THEN 'job_' ELSE 'mig_' END || lpad(to_hex(i), 24, '0'),
              CASE WHEN s.export THEN 'export' ELSE 'legacy_migration' END,
              'acc_ret_' || lpad((i % 50)::text, 2, '0'), 'o' || lpad(to_hex(i), 23, '0'),
              s.status, 'Step ' || s.step, s.step, CASE WHEN s.export THEN 2 ELSE 8 END,
              'Ended.', CASE WHEN s.status = 'failed' THEN 'The step could not finish.' END,
              CASE WHEN s.status = 'failed' THEN 'LEGACY_UNAVAILABLE' END,
              CASE WHEN s.status = 'completed' AND NOT s.export
                   THEN 'ent_' || lpad(to_hex(i), 12, '0') END,
              1, s.ended - interval '2 minutes', s.ended - interval '1 minute',
              CASE WHEN s.status = 'completed' THEN s.ended END, s.ended,
              CASE WHEN s.status <> 'failed' THEN s.ended END
       FROM generate_series(1, $1) AS i
       CROSS JOIN LATERAL (SELECT i % 20 < 8 AS export,
           CASE WHEN i % 20 < 12 THEN 'completed' WHEN i % 20 < 17 THEN 'failed'
                ELSE 'cancelled' END AS status,
           CASE WHEN i % 20 < 8 THEN 2 WHEN i % 20 < 12 THEN 8 WHEN i % 20 < 17 THEN 1 + i % 8
                ELSE i % 8 END AS step,
           now() - make_interval(days => 100 + i % 300, secs => i % 86400) AS ended) AS s""",
    """INSERT INTO legacy_migration_jobs (job_id, legacy_org_id, legacy_user_id, environment)
       SELECT id, singleton_key, 'usr_1', 'sandbox' FROM migration_jobs
       WHERE kind = 'legacy_migration'""",
    """INSERT INTO migration_step_runs (job_id, step_number, status, started_at, finished_at,
           source_count, created_count, cursor)
       SELECT j.id, s, CASE WHEN j.status = 'failed' AND s = j.step_number THEN 'failed'
                            ELSE 'finished' END,
              j.started_at, j.updated_at, 1000, 990, 1000
       FROM migration_jobs j CROSS JOIN LATERAL generate_series(1, j.step_number) AS s""",
    """INSERT INTO staging.organizations (job_id, legacy_id, name, currency)
       SELECT id, singleton_key, 'Org', 'EUR' FROM migration_jobs WHERE status = 'failed'""",
    """INSERT INTO staging.customers (job_id, legacy_id, name, legacy_type)
       SELECT j.id, 'c' || c, 'Customer ' || c, 'client'
       FROM migration_jobs j CROSS JOIN generate_series(1, 3) AS c
       WHERE j.status = 'failed'""",
    """INSERT INTO target.entities (id, environment, source_job_id, legacy_org_id, name,
           currency)
       SELECT entity_id, 'sandbox', id, singleton_key, 'Books', 'EUR' FROM migration_jobs
       WHERE entity_id IS NOT NULL""",
]
ACTIVE = [
    """INSERT INTO accounts (id) VALUES ('acc_ret_active') ON CONFLICT DO NOTHING""",
    """INSERT INTO workers (id, host, pid, version, concurrency)
       SELECT 'bench:' || w, 'bench', w, '0', 4 FROM generate_series(1, 2) AS w""",
    """INSERT INTO migration_jobs (id, kind, account_id, status, step, step_number,
           total_steps, lease_owner, lease_expires_at, worker_id)
       SELECT 'job_' || lpad(to_hex(i), 24, 'f'), 'legacy_migration', 'acc_ret_active',
              CASE WHEN i <= 20 THEN 'pending' ELSE 'running' END, 'Queued', 0, 8,
              CASE WHEN i > 20 THEN 'bench:1/x' END,
              CASE WHEN i > 20 THEN now() + interval '1 hour' END,
              CASE WHEN i > 20 THEN 'bench:1' END
       FROM generate_series(1, 28) AS i""",
]
# The sweep's queries and a worker's start-up (register, then its first heartbeat's and
# sweep's), with their arguments; then the web process's snapshot counts.
SWEEP_QUERIES: list[tuple[str, tuple[Any, ...]]] = [
    ("bury_silent_workers", (5.0,)), ("jobs_to_sweep", (2.0, 1000)),
    ("unpark_jobs", (0.5, "Queued.")), ("jobs_to_clean_up", (1000, 30.0)),
    ("prune_workers", (86400.0,)), ("prune_job_events", (86400.0, 10000)),
    ("metric_jobs_by_status", ()), ("metric_queue_gauges", (5.0,)),
]
# The bare DELETEs of the baseline: what the purge removes, one statement per table.
BARE = [
    ("staging_rows", "DELETE FROM staging.customers"),
    ("staging_rows", "DELETE FROM staging.organizations"),
    ("step_runs", "DELETE FROM migration_step_runs s USING migration_jobs j WHERE "
                  "j.id = s.job_id AND j.entity_id IS NULL AND j.account_id <> "
                  "'acc_ret_active'"),
    ("jobs", "DELETE FROM migration_jobs WHERE entity_id IS NULL AND account_id <> "
             "'acc_ret_active'"),
]


@dataclass
class Lat:
    ms: list[float] = field(default_factory=list)

    def p(self, pct: int) -> float:
        return statistics.quantiles(self.ms, n=100)[pct - 1] if len(self.ms) > 1 else 0.0


async def seed(url: str, jobs: int) -> float:
    await recreate_database(url)
    conn = await connect(url)
    try:
        await apply_migrations(conn)
        started = time.perf_counter()
        async with conn.transaction():
            # consistent by construction: no foreign key checks, no job events for history
            await conn.execute("SET LOCAL session_replication_role = replica")
            for n, sql in enumerate(SEED):
                await (conn.execute(sql, jobs) if n == 1 else conn.execute(sql))
            for sql in ACTIVE:
                await conn.execute(sql)
        await conn.execute("VACUUM ANALYZE")
        return time.perf_counter() - started
    finally:
        await conn.close()


async def copy(url: str, name: str) -> str:
    target = sibling_database(url, name)
    await drop_database(target)
    admin = await asyncpg.connect(sibling_database(url, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{NAME}"')
    finally:
        await admin.close()
    return target


async def time_queries(url: str) -> dict[str, float]:
    conn = await connect(url)
    try:
        found = {}
        for name, args in SWEEP_QUERIES:
            times = []
            for _ in range(5):
                started = time.perf_counter()
                await conn.execute(q(name), *args)
                times.append((time.perf_counter() - started) * 1000)
            found[name] = statistics.median(times)
        return found
    finally:
        await conn.close()


async def purge_until_done(pool: asyncpg.Pool) -> tuple[Counter[str], int]:
    """Sweep passes back to back until one removes nothing; what went, and the passes."""
    done: Counter[str] = Counter()
    passes = 0
    while True:
        passes += 1
        removed = await purge(pool, Settings())
        done.update(removed)
        if not removed:
            break
    return done, passes


async def idle_pass(pool: asyncpg.Pool) -> float:
    """Median ms of the purge's pass once nothing is due (what every sweep then runs)."""
    times = []
    for _ in range(7):
        started = time.perf_counter()
        assert not await purge(pool, Settings())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def probe(pool: asyncpg.Pool, seconds: float,
                purging: asyncio.subprocess.Process | None = None) -> tuple[Lat, Lat]:
    """A job GET (four) and a job creation (one) in turn, back to back, for `seconds` (or
    until `purging` ends)."""
    gets, creates = Lat(), Lat()
    job_id = await pool.fetchval("SELECT id FROM migration_jobs WHERE status = 'completed' "
                                 "ORDER BY id LIMIT 1")
    account = await pool.fetchval("SELECT account_id FROM migration_jobs WHERE id = $1", job_id)
    ends = time.monotonic() + seconds
    n = 0
    async with pool.acquire() as conn:
        while time.monotonic() < ends and (purging is None or purging.returncode is None):
            started = time.perf_counter()
            if n % 5 < 4:
                await conn.fetchrow(q("get_account_legacy_migration"), job_id, account)
                gets.ms.append((time.perf_counter() - started) * 1000)
            else:
                async with conn.transaction():
                    row = await record_job(conn, kind=LEGACY_MIGRATION, account_id=account,
                                           savepoint=False)
                    await conn.execute(q("insert_legacy_migration"), row.id, "org",
                                       "usr", "sandbox", False, None)
                creates.ms.append((time.perf_counter() - started) * 1000)
            n += 1
    return gets, creates


async def main(url: str, args: argparse.Namespace) -> None:
    print(f"seeding {args.jobs:,} finished jobs …", flush=True)
    print(f"seeded in {await seed(url, args.jobs):.0f} s (with VACUUM ANALYZE)")
    conn = await connect(url)
    counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in (
        "migration_jobs", "migration_step_runs", "staging.customers", "target.entities")}
    await conn.close()
    print("rows:", ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    alone, baseline, probed = [await copy(url, f"{NAME}_{s}")
                               for s in ("alone", "bare", "probed")]
    empty = sibling_database(url, f"{NAME}_empty")
    await recreate_database(empty)
    conn = await connect(empty)
    await apply_migrations(conn)
    for sql in ACTIVE:
        await conn.execute(sql)
    await conn.execute("VACUUM ANALYZE")
    await conn.close()
    before, without = await time_queries(alone), await time_queries(empty)

    pool = await create_pool(alone, min_size=1, max_size=2)
    started = time.perf_counter()
    done, passes = await purge_until_done(pool)
    purge_s = time.perf_counter() - started
    idle = await idle_pass(pool)
    await pool.close()
    right_after = await time_queries(alone)
    conn = await connect(alone)
    await conn.execute("VACUUM ANALYZE")
    await conn.close()
    after = await time_queries(alone)
    pool = await create_pool(alone, min_size=1, max_size=2)
    idle_vacuumed = await idle_pass(pool)
    await pool.close()

    conn = await connect(baseline)
    bare: Counter[str] = Counter()
    started = time.perf_counter()
    async with conn.transaction():
        for what, sql in BARE:
            bare[what] += int((await conn.execute(sql)).split()[-1])
    bare_s = time.perf_counter() - started
    await conn.close()

    # alone before and after (their samples together: the same conditions around the
    # purge's), each after a checkpoint, so that no earlier phase's writes are paid here;
    # during the purge back to back (the worst case: several workers at it), then as one
    # worker's sweep runs it (a pass every SWEEP_EVERY_SECONDS, 5 s by default)
    pool = await create_pool(probed, min_size=1, max_size=2)
    await pool.execute("CHECKPOINT")
    quiet = await probe(pool, args.probe_seconds / 4)
    busy = []
    for every in (0.0, Settings().sweep_every_seconds):
        purging = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.retention", "--purge-only", probed,
            "--every", str(every), stdout=asyncio.subprocess.PIPE)
        assert purging.stdout is not None
        await purging.stdout.readline()  # started: its imports' CPU is not the purge's
        busy.append(await probe(pool, args.probe_seconds, purging))
        if purging.returncode is None:
            purging.terminate()
        await purging.wait()
    await pool.execute("CHECKPOINT")
    later = await probe(pool, args.probe_seconds / 4)
    quiet = (Lat(quiet[0].ms + later[0].ms), Lat(quiet[1].ms + later[1].ms))
    await pool.close()

    rows = done["jobs"] + done["step_runs"] + done["staging_rows"]
    bare_rows = sum(bare.values())
    print(f"\n== the purge: {args.jobs:,} finished jobs ({time.strftime('%Y-%m-%d')}) ==")
    print(f"purge (sweep passes back to back): {dict(done)}, {passes} passes, {purge_s:.1f} s, "
          f"{rows / purge_s:,.0f} rows/s")
    print(f"baseline, bare DELETEs in one transaction: {dict(bare)}, {bare_s:.1f} s, "
          f"{bare_rows / bare_s:,.0f} rows/s; purge / baseline = "
          f"{rows / purge_s / (bare_rows / bare_s):.2f}x")
    print(f"the purge's pass once nothing is due: median {idle:.1f} ms right after, "
          f"{idle_vacuumed:.1f} ms after VACUUM ANALYZE")
    print("\nsweep and start-up queries, median ms: with 1M old rows | right after the purge"
          " | after VACUUM ANALYZE | no history at all")
    for name, _ in SWEEP_QUERIES:
        print(f"  {name:<24} {before[name]:8.2f} | {right_after[name]:8.2f} | "
              f"{after[name]:8.2f} | {without[name]:8.2f}")
    print("\na job GET and a job creation beside the purge (in another process), p50/p99 ms:")
    for name, at in (("job GET", 0), ("job creation", 1)):
        base = quiet[at]
        print(f"  {name:<13} alone {base.p(50):.2f}/{base.p(99):.2f}; " + "; ".join(
            f"{label} {lat[at].p(50):.2f}/{lat[at].p(99):.2f} "
            f"({lat[at].p(99) / base.p(99):.2f}x at p99)"
            for label, lat in zip(("back to back", "a pass every 5 s"), busy, strict=True)))
    print("  goal: p99 under 1.5x alone")
    for scratch in (alone, baseline, probed, empty, url):
        await drop_database(scratch)


async def purge_only(url: str, every: float) -> None:
    """The purge alone, a pass every `every` seconds (0: back to back), until nothing is
    due or it is terminated (the probed phases' other process)."""
    pool = await create_pool(url, min_size=1, max_size=2)
    print("purging", flush=True)
    while await purge(pool, Settings()):
        await asyncio.sleep(every)
    await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--probe-seconds", type=float, default=60.0)
    parser.add_argument("--purge-only", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--every", type=float, default=0.0, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.purge_only:
        asyncio.run(purge_only(options.purge_only, options.every))
        sys.exit(0)
    started = time.monotonic()
    asyncio.run(main(find_services(db=NAME).database_url, options))
    print(f"({time.monotonic() - started:.0f} s in all)")
