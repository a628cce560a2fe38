"""The operators' reads of every account's jobs: filtered lists, one job, the last hour's
throughput and step timings, what each worker runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from worker.db.queries import q
from worker.db.rows import row_or_none, rows_as
from worker.db.types import Executor
from worker.models import JobStatus
from worker.store.jobs import JobRow


@dataclass(frozen=True, slots=True)
class FinishedInMinute:
    """How many jobs ended one way in one minute."""

    minute: datetime
    status: JobStatus
    n: int


@dataclass(frozen=True, slots=True)
class StepTimingRow:
    """A kind's step as finished over the last hour: how many runs, how long they took."""

    kind: str
    step_number: int
    n: int
    p50: float
    p95: float


@dataclass(frozen=True)
class JobFilter:
    """Jobs an operator means: each condition optional, all of them together."""

    kind: str | None = None
    status: JobStatus | None = None
    account: str | None = None
    error_code: str | None = None
    since: datetime | None = None
    ids: list[str] | None = None

    def args(self) -> tuple[object, ...]:
        return (self.kind, self.status, self.account, self.error_code, self.since, self.ids)


async def find_jobs(executor: Executor, where: JobFilter, *, starting_after: str | None,
                    limit: int) -> list[JobRow]:
    """Matching jobs, newest first."""
    return rows_as(JobRow, await executor.fetch(q("ops_find_jobs"), *where.args(),
                                                starting_after, limit))


async def count_jobs(executor: Executor, where: JobFilter) -> int:
    return int(await executor.fetchval(q("ops_count_jobs"), *where.args()))


async def job(executor: Executor, job_id: str) -> JobRow | None:
    return row_or_none(JobRow, await executor.fetchrow(q("ops_job"), job_id))


async def throughput(executor: Executor) -> list[FinishedInMinute]:
    return rows_as(FinishedInMinute, await executor.fetch(q("ops_throughput")))


async def step_timings(executor: Executor) -> list[StepTimingRow]:
    return rows_as(StepTimingRow, await executor.fetch(q("ops_step_timings")))


async def running_by_worker(executor: Executor) -> dict[str, list[str]]:
    return {r["worker_id"]: list(r["jobs"])
            for r in await executor.fetch(q("ops_running_by_worker"))}
