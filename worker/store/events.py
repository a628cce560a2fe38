"""Pushed progress in Postgres: the events of a job (job_events, written by a trigger in
the transaction of each change, with a NOTIFY on `object_changes`), and their pruning."""

from __future__ import annotations

from worker.db.queries import q
from worker.db.types import Executor

# the NOTIFY channel: its payload is the ID of the job, import or migration that changed
CHANNEL = "object_changes"


async def latest_job_event(executor: Executor, job_ids: list[str]) -> int:
    """The latest event of any of these jobs (0 when none has one)."""
    return int(await executor.fetchval(q("latest_job_events"), job_ids))


async def prune(executor: Executor, keep_seconds: float, batch: int) -> int:
    """Forget up to `batch` events of jobs finished over `keep_seconds` ago."""
    done = await executor.execute(q("prune_job_events"), keep_seconds, batch)
    return int(done.split()[-1])
