"""The retention purge (spec/security.md "Retention"; README "Retention"), run by every
worker's sweep (process.sweep) after its repairs.

What is due, by the RETENTION_* settings (days; 0 keeps that data for ever):

- an uploaded file's **bytes**, RETENTION_UPLOAD_DAYS after every migration using it
  completed or was abandoned (a file no migration uses: after its upload), unless an import
  reading it waits or runs. The row stays: name, size, SHA-256 (the proof names files by it);
- the **staging of failed and cancelled jobs**, RETENTION_FAILED_STAGING_DAYS after they
  ended (those not yet due for deletion: the jobs part clears the rest). A failed job's
  step runs go with it, so that a retry starts again at step 1;
- **finished jobs** and their step runs (events and kind's row by cascade), with whatever
  they still staged, RETENTION_JOB_DAYS after they ended, unless something points at them:
  an import's job or a job that created a target entity is kept for good (marked, or never
  read: a job with an entity_id), a migration's execute job while the migration names it;
- **audit entries**, RETENTION_AUDIT_DAYS after they were written, through the audit log's
  own function (migration 0021).

Never touched: a pending or running job, a migration in progress (anything but completed or
abandoned) and its files, any `target.*` row. Each batch is one short transaction of at
most RETENTION_BATCH rows, taken with FOR UPDATE SKIP LOCKED (the audit log's under an
advisory lock tried, not waited for), so several workers sweeping at once share the work
without waiting for each other, and a retry of a job being purged waits for the batch. It
locks no migration row: an execute (which holds its migration's row, `locked_migration`,
then completes it) never waits for it, and a migration's files become due only once it is
completed or abandoned, read in the batch's own statement. What a batch removed is counted
in `migration_retention_purged_total` and written as one `retention.purged` audit entry, in
the batch's own transaction (a batch lost to a crash loses both, and is done again). Running
it again removes nothing more: it is idempotent.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import structlog

from worker import metrics
from worker.db.types import Conn
from worker.engine.transient import TRANSIENT_ERRORS
from worker.settings import Settings
from worker.store import audit
from worker.store import metrics as metrics_store
from worker.store import retention as store

log = structlog.get_logger(__name__)

# The time one sweep gives the purge, shared by its parts; a backlog is worked through over
# the following sweeps (and by every worker at once).
PASS_SECONDS = 2.0
# Bytes of uploaded files one batch drops at most (the first file whatever its size).
UPLOAD_BATCH_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Cutoffs:
    """What ended (or was uploaded, or written) before these times is due; None: kept."""

    uploads: datetime | None
    staging: datetime | None
    jobs: datetime | None
    audit: datetime | None


def cutoffs(settings: Settings, now: datetime) -> Cutoffs:
    """The settings' retention as times."""
    def before(days: int) -> datetime | None:
        return now - timedelta(days=days) if days > 0 else None

    return Cutoffs(uploads=before(settings.retention_upload_days),
                   staging=before(settings.retention_failed_staging_days),
                   jobs=before(settings.retention_job_days),
                   audit=before(settings.retention_audit_days))


@dataclass
class Batch:
    """What one batch removed, by what, and whether it did anything (removed or marked):
    a part runs batches until one does nothing."""

    removed: dict[str, int] = field(default_factory=dict)
    progressed: bool = False


@asynccontextmanager
async def _batch(pool: asyncpg.Pool) -> AsyncIterator[Conn]:
    """One batch's connection and short transaction."""
    async with pool.acquire() as conn, conn.transaction():
        await store.begin_batch(conn)
        yield conn


async def _account(conn: Conn, part: str, before: datetime, removed: dict[str, int],
                   **details: Any) -> None:
    """In the batch's transaction, when it removed something: the metric and the audit
    entry (the service's own action)."""
    if not any(removed.values()):
        return
    await metrics_store.add(conn, metrics.retention_purged(removed))
    await audit.record(conn, audit.SERVICE, "retention.purged", details={
        "part": part, **removed, "before": before.isoformat(), **details})


async def uploads_batch(pool: asyncpg.Pool, before: datetime, size: int,
                        jobs_before: datetime | None = None) -> Batch:
    async with _batch(pool) as conn:
        purged = await store.purge_uploads(conn, before, size, UPLOAD_BATCH_BYTES)
        removed = {"uploads": len(purged.ids)}
        await _account(conn, "uploads", before, removed, bytes=purged.bytes,
                       upload_ids=purged.ids)
    return Batch(removed, bool(purged.ids))


async def _clear_staging(conn: Conn, job_ids: list[str], size: int,
                         removed: dict[str, int]) -> tuple[bool, dict[str, int]]:
    """At most `size` rows of each staging table of the jobs; whether that was all of it
    (no table had more), and how many rows went from each table."""
    cleared = await store.clear_staging(conn, job_ids, size) if job_ids else {}
    removed["staging_rows"] = sum(cleared.values())
    return max(cleared.values(), default=0) < size, {t: n for t, n in cleared.items() if n}


async def staging_batch(pool: asyncpg.Pool, before: datetime, size: int,
                        jobs_before: datetime | None) -> Batch:
    async with _batch(pool) as conn:
        due = await store.staging_due(conn, before, size, jobs_before)
        if not due.job_ids:
            return Batch()
        removed = {"step_runs": await store.forget_steps(conn, due.failed)}
        done, tables = await _clear_staging(conn, due.job_ids, size, removed)
        if done:
            await store.staging_cleared(conn, due.job_ids)
        await _account(conn, "staging", before, removed, of_jobs=len(due.job_ids),
                       tables=tables)
    return Batch(removed, True)


async def jobs_batch(pool: asyncpg.Pool, before: datetime, size: int,
                     jobs_before: datetime | None = None) -> Batch:
    """Jobs go with whatever they still staged: their staging first, at most `size` rows of
    each table a batch (the next batch takes the same jobs again, until it is all gone)."""
    async with _batch(pool) as conn:
        due = await store.jobs_due(conn, before, size)
        removed: dict[str, int] = {}
        done, tables = await _clear_staging(conn, due.staged, size, removed)
        if done:
            # a kept job that failed loses its step runs with its staging, as in the
            # staging part: a retry starts again at step 1
            kept_failed = [j for j in due.to_keep if j in due.staged and j in due.failed]
            await store.keep_jobs(conn, due.to_keep, set(due.staged))
            removed["step_runs"] = await store.forget_steps(conn, [*due.to_delete,
                                                                   *kept_failed])
            removed["jobs"] = await store.delete_jobs(conn, due.to_delete)
        await _account(conn, "jobs", before, removed, kept=len(due.to_keep) if done else 0,
                       tables=tables)
    return Batch(removed, bool(due.to_delete or due.to_keep))


async def audit_batch(pool: asyncpg.Pool, before: datetime, size: int,
                      jobs_before: datetime | None = None) -> Batch:
    async with _batch(pool) as conn:
        if not await store.lock_audit(conn):  # another sweep is at it
            return Batch()
        n = await store.purge_audit(conn, before, size)
        removed = {"audit_entries": n}
        await _account(conn, "audit", before, removed)
    return Batch(removed, n > 0)


BatchFn = Callable[[asyncpg.Pool, datetime, int, datetime | None], Awaitable[Batch]]
PARTS: tuple[tuple[str, BatchFn], ...] = (
    ("uploads", uploads_batch), ("staging", staging_batch), ("jobs", jobs_batch),
    ("audit", audit_batch))


async def purge(pool: asyncpg.Pool, settings: Settings, *, now: datetime | None = None,
                seconds: float | None = PASS_SECONDS) -> Counter[str]:
    """One pass: each part's batches until one does nothing or the part's share of
    `seconds` is spent (None: until nothing is due); what was removed, by what. As of `now`
    (default: the clock). A part that fails is logged, counted as `failed` and left for the
    next pass; the others still run."""
    limits = cutoffs(settings, now or datetime.now(UTC))
    parts = [(name, run, before) for name, run in PARTS
             if (before := getattr(limits, name)) is not None]
    done: Counter[str] = Counter()
    ends = None if seconds is None else time.monotonic() + seconds
    for at, (name, run, before) in enumerate(parts):
        # the time left, shared by the parts left: what one leaves unused goes to the next
        share_ends = None if ends is None else (
            time.monotonic() + (ends - time.monotonic()) / (len(parts) - at))
        try:
            while True:
                batch = await run(pool, before, settings.retention_batch, limits.jobs)
                done.update(batch.removed)
                if not batch.progressed or (share_ends and time.monotonic() >= share_ends):
                    break
        except TRANSIENT_ERRORS as exc:
            log.warning("retention purge interrupted; the next sweep goes on", part=name,
                        error=type(exc).__name__)
            done["failed"] += 1
        except Exception:
            log.exception("retention purge failed; the next sweep tries again", part=name)
            done["failed"] += 1
    return +done  # without the zeros
