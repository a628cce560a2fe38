"""The fleet history of bench/ops.py: a million finished jobs inserted set-wise, and the
background snapshot's queries (api_stub/metrics.py `FleetMetrics.read`) timed against it.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from worker.db.queries import q

ACCOUNTS = 50
PENDING = 20

# One statement: `legacy`, the status and the timings drawn per row. Created over the last
# 30 days, uniformly (about 1,400 jobs an hour for a million); 90 % completed, 7 % failed
# (a few error codes), 3 % cancelled, the last PENDING rows pending (created over the last
# five minutes). Finished jobs are cleaned up, as their worker would have done.
SEED_JOBS = """
WITH base AS (
    SELECT i, random() < 0.7 AS legacy, random() AS u, random() AS v, random() AS w,
           CASE WHEN i > $1 - $3 THEN now() - make_interval(secs => ($1 - i) * 15.0)
                ELSE now() - make_interval(secs => random() * 30 * 86400) END AS created_at
    FROM generate_series(1, $1) AS i
), shaped AS (
    SELECT *,
           CASE WHEN i > $1 - $3 THEN 'pending' WHEN u < 0.90 THEN 'completed'
                WHEN u < 0.97 THEN 'failed' ELSE 'cancelled' END AS status,
           CASE WHEN legacy THEN 8 ELSE 2 END AS total_steps,
           created_at + make_interval(secs => 0.01 + v * 2) AS started,
           CASE WHEN legacy THEN 20 + w * 100 ELSE 2 + w * 28 END AS seconds
    FROM base
), stepped AS (
    SELECT *,
           CASE status WHEN 'completed' THEN total_steps WHEN 'pending' THEN 0
                WHEN 'failed' THEN 1 + floor(v * total_steps)::int
                ELSE floor(v * total_steps)::int END AS step_number
    FROM shaped
), timed AS (
    SELECT *, least(now(), started + make_interval(
               secs => seconds * greatest(step_number, 1) / total_steps)) AS finished
    FROM stepped
)
INSERT INTO migration_jobs (id, kind, account_id, singleton_key, status, step, step_number,
                            total_steps, progress_detail, error, error_code, entity_id,
                            attempts, created_at, started_at, completed_at, updated_at,
                            cleaned_up_at)
SELECT CASE WHEN legacy THEN 'mig_' ELSE 'job_' END || left(md5(i::text), 24),
       CASE WHEN legacy THEN 'legacy_migration' ELSE 'wizard_import' END,
       'acc_ops_' || lpad((i % $2)::text, 2, '0'),
       CASE WHEN legacy THEN 'f' || lpad(to_hex(i), 23, '0') END,
       status,
       CASE status WHEN 'completed' THEN 'Completed' WHEN 'pending' THEN 'Queued'
            ELSE 'Step ' || step_number END,
       step_number, total_steps,
       CASE status WHEN 'completed' THEN 'Done.' WHEN 'pending' THEN 'Waiting for a worker.'
            WHEN 'failed' THEN 'Stopped at a failure.' ELSE 'Cancelled by the user.' END,
       CASE WHEN status = 'failed' THEN 'The step could not finish.' END,
       CASE WHEN status <> 'failed' THEN NULL
            WHEN legacy THEN (ARRAY['INFRASTRUCTURE_UNAVAILABLE', 'UNSUPPORTED_DATA',
                                    'LEGACY_SESSION_MISSING'])[1 + i % 3]
            ELSE (ARRAY['HEADER_NOT_FOUND', 'VALIDATION_FAILED'])[1 + i % 2] END,
       CASE WHEN status = 'completed' AND legacy THEN 'ent_' || left(md5(i::text), 12) END,
       CASE WHEN status = 'pending' THEN 0 WHEN w < 0.05 THEN 2 ELSE 1 END,
       created_at,
       CASE WHEN status <> 'pending' THEN started END,
       CASE WHEN status = 'completed' THEN finished END,
       CASE WHEN status = 'pending' THEN created_at ELSE finished END,
       CASE WHEN status IN ('completed', 'cancelled') THEN finished END
FROM timed
"""

SEED_LEGACY = """
INSERT INTO legacy_migration_jobs (job_id, legacy_org_id, legacy_user_id, environment)
SELECT id, singleton_key, 'usr_' || right(singleton_key, 8),
       CASE WHEN hashtext(id) % 5 = 0 THEN 'live' ELSE 'sandbox' END
FROM migration_jobs WHERE kind = 'legacy_migration' AND account_id LIKE 'acc_ops_%'
"""

# Every step of the jobs that finished in the last day (what the last hour's step timings
# read, and a day of history around them); older step runs are left out.
SEED_STEPS = """
INSERT INTO migration_step_runs (job_id, step_number, status, started_at, finished_at,
                                 source_count, created_count, cursor)
SELECT j.id, s,
       CASE WHEN j.status = 'failed' AND s = j.step_number THEN 'failed' ELSE 'finished' END,
       j.started_at + (j.updated_at - j.started_at) * ((s - 1)::float8 / j.step_number),
       j.started_at + (j.updated_at - j.started_at) * (s::float8 / j.step_number),
       1000, 990, 1000
FROM migration_jobs j CROSS JOIN LATERAL generate_series(1, j.step_number) AS s
WHERE j.status IN ('completed', 'failed', 'cancelled') AND j.step_number > 0
  AND j.updated_at > now() - interval '24 hours' AND j.account_id LIKE 'acc_ops_%'
"""


async def seed(conn: asyncpg.Connection, jobs: int) -> dict[str, float]:
    """Insert `jobs` job rows (with their legacy rows and a day of step runs), then
    VACUUM ANALYZE; returns the rows inserted and the seconds taken."""
    started = time.perf_counter()
    await conn.execute("SELECT setseed(0.42)")
    await conn.execute("INSERT INTO accounts (id) SELECT 'acc_ops_' || lpad(a::text, 2, '0') "
                       "FROM generate_series(0, $1 - 1) AS a ON CONFLICT DO NOTHING",
                       ACCOUNTS)
    async with conn.transaction():
        # the rows are consistent by construction: no foreign key checks, and no job
        # events (a trigger, when the schema has one) for a history that happened before
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(SEED_JOBS, jobs, ACCOUNTS, PENDING)
        legacy = int((await conn.execute(SEED_LEGACY)).split()[-1])
        steps = int((await conn.execute(SEED_STEPS)).split()[-1])
    inserted = time.perf_counter() - started
    await conn.execute("VACUUM ANALYZE migration_jobs, legacy_migration_jobs, "
                       "migration_step_runs")
    return {"jobs": jobs, "legacy": legacy, "steps": steps, "insert_s": inserted,
            "vacuum_s": time.perf_counter() - started - inserted}


async def cancel_pending(conn: asyncpg.Connection) -> int:
    """Cancel the seeded pending jobs, so that a worker runs only what the bench starts."""
    done = await conn.execute(
        "UPDATE migration_jobs SET status = 'cancelled', cleaned_up_at = now(), "
        "updated_at = now() WHERE status = 'pending' AND account_id LIKE 'acc_ops_%'")
    return int(done.split()[-1])


async def polled_jobs(conn: asyncpg.Connection, account: str, n: int) -> list[str]:
    """`n` seeded legacy migration jobs of `account`."""
    rows = await conn.fetch("SELECT id FROM migration_jobs WHERE account_id = $1 AND "
                            "kind = 'legacy_migration' ORDER BY id LIMIT $2", account, n)
    return [r["id"] for r in rows]


# What FleetMetrics.read runs, in its order, with its arguments.
SNAPSHOT: list[tuple[str, tuple[Any, ...]]] = [
    ("metric_totals", ()), ("metric_jobs_by_status", ()), ("metric_queue_gauges", (5.0,)),
    ("ops_throughput", ()), ("ops_step_timings", ()), ("ops_running_by_worker", ()),
    ("list_workers", (["alive"],)),
]
# /ops/jobs and the bulk actions: not in the snapshot, read on each request.
ON_REQUEST: list[tuple[str, str, tuple[Any, ...]]] = [
    ("ops_find_jobs", "newest 51", (None,) * 7 + (51,)),
    ("ops_find_jobs", "failed, one error code, 51",
     (None, "failed", None, "UNSUPPORTED_DATA", None, None, None, 51)),
    ("ops_count_jobs", "failed, one error code (bulk retry's count)",
     (None, "failed", None, "UNSUPPORTED_DATA", None, None)),
]


@dataclass
class Timed:
    name: str
    label: str
    median_ms: float
    max_ms: float
    rows: int


async def time_query(conn: asyncpg.Connection, name: str, args: tuple[Any, ...],
                     label: str = "", repeat: int = 5) -> Timed:
    """The query's median and worst time over `repeat` runs (the first one included)."""
    sql, times, rows = q(name), [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(await conn.fetch(sql, *args))
        times.append((time.perf_counter() - started) * 1000)
    return Timed(name, label, statistics.median(times), max(times), rows)


async def time_snapshot(conn: asyncpg.Connection, repeat: int = 5) -> tuple[float, float]:
    """Median and worst ms of SNAPSHOT's queries as FleetMetrics.read runs them: in turn,
    in one read-only repeatable-read transaction."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            for name, args in SNAPSHOT:
                await conn.fetch(q(name), *args)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


async def explain(conn: asyncpg.Connection, name: str, args: tuple[Any, ...]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the query, one line per plan line."""
    rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + q(name), *args)
    return [r[0] for r in rows]
