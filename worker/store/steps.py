"""Every read and write of `migration_step_runs`: each step of each job, with its
attempts, counts, resume cursor and checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from worker.db.queries import q
from worker.db.rows import row_as, rows_as
from worker.db.types import Executor
from worker.models import StepStatus
from worker.store import metrics as metrics_store
from worker.store.metrics import Increment


@dataclass(frozen=True, slots=True)
class StepRunRow:
    """A step run as `migration_step_runs` holds it."""

    job_id: str
    step_number: int
    status: StepStatus
    attempts: int
    retries: int
    started_at: datetime
    finished_at: datetime | None
    source_count: int
    created_count: int
    skipped_count: int
    error_count: int
    cursor: int
    source_totals: dict[str, int]
    checks: Any


@dataclass
class StepRun:
    """A step's progress as the engine keeps it between checkpoints."""

    job_id: str
    number: int
    attempts: int = 1
    source_count: int = 0
    created_count: int = 0
    skipped_count: int = 0
    error_count: int = 0
    cursor: int = 0
    source_totals: dict[str, int] = field(default_factory=dict)
    checks: Any = None

    @classmethod
    def from_row(cls, row: StepRunRow) -> StepRun:
        return cls(
            job_id=row.job_id, number=row.step_number, attempts=row.attempts,
            source_count=row.source_count, created_count=row.created_count,
            skipped_count=row.skipped_count, error_count=row.error_count,
            cursor=row.cursor, source_totals=dict(row.source_totals),
            checks=row.checks,
        )

    def add_totals(self, totals: dict[str, int]) -> None:
        for currency, amount in totals.items():
            self.source_totals[currency] = self.source_totals.get(currency, 0) + amount

    async def save(self, conn: Executor) -> None:
        """Persist counts and cursor (inside the caller's checkpoint transaction)."""
        await conn.execute(
            q("save_step_progress"), self.job_id, self.number, self.source_count,
            self.created_count, self.skipped_count, self.error_count, self.cursor,
            self.source_totals, self.checks,
        )

    async def checkpoint(self, conn: Executor, owner: str, step: str,
                         detail: str) -> bool | None:
        """The job's progress under the lease `owner` and these counts and cursor, in one
        statement. Whether cancellation was requested; None: the lease is lost."""
        row = await conn.fetchrow(
            q("checkpoint_step"), self.job_id, owner, step, self.number, detail,
            self.source_count, self.created_count, self.skipped_count, self.error_count,
            self.cursor, self.source_totals, self.checks,
        )
        return None if row is None else bool(row["cancel_requested"])


class StepStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def start(self, job_id: str, number: int, owner: str, step: str,
                    detail: str) -> tuple[StepRun, bool] | None:
        """The step's run, one attempt more, and whether cancellation was requested; the
        job shows `step` with `detail` from now on. None when the lease is lost."""
        row = await self.pool.fetchrow(q("start_step"), job_id, number, owner, step, detail)
        if row is None:
            return None
        return StepRun.from_row(row_as(StepRunRow, row)), bool(row["cancel_requested"])

    async def finish(self, job_id: str, number: int, conn: Executor | None = None,
                     increments: list[Increment] | None = None) -> None:
        """The step is done, with `increments` added to the metrics in the same statement
        (inside `conn`'s transaction when given)."""
        executor = conn or self.pool
        if increments:
            await executor.execute(q("finish_step_counted"), job_id, number,
                                   *metrics_store.columns(increments))
        else:
            await executor.execute(q("finish_step"), job_id, number)

    async def fail(self, conn: Executor, job_id: str, number: int, owner: str) -> None:
        """The step failed (under the lease `owner`)."""
        await conn.execute(q("fail_step"), job_id, number, owner)

    async def count_retry(self, job_id: str, number: int) -> None:
        await self.pool.execute(q("count_step_retry"), job_id, number)

    async def report(self, job_id: str) -> list[StepRunRow]:
        """The job's step runs, by step number."""
        return rows_as(StepRunRow, await self.pool.fetch(q("step_report"), job_id))
