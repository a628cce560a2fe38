"""One run of one job by one worker under one lease: what every step works with,
whatever its kind (checkpoints, progress, the step's counts), beside the kind's own
context."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog

from worker import metrics
from worker.db.types import Conn, Executor
from worker.engine.stops import JobCancelled, LeaseLost, WorkerStopping
from worker.settings import Settings
from worker.store import metrics as metrics_store
from worker.store.jobs import JobStore
from worker.store.metrics import Increment
from worker.store.steps import StepRun, StepStore


def _stop_unless_held(job_id: str, cancel: bool | None) -> None:
    """After a checkpoint: LeaseLost when it found the lease lost (None), JobCancelled
    when cancellation was requested."""
    if cancel is None:
        raise LeaseLost(job_id)
    if cancel:
        raise JobCancelled(job_id)


@dataclass
class Completion:
    """What a completed job shows: its final progress text and, if it made one, the
    entity it created."""

    detail: str = "Completed."
    entity_id: str | None = None


@dataclass
class JobRun:
    """One run of one job by one worker (one lease)."""

    job_id: str
    kind: str
    owner: str
    pool: asyncpg.Pool
    settings: Settings
    job_store: JobStore
    step_store: StepStore
    step_names: dict[int, str]
    # the type of record each step moves, for the records metric (a step may set its own)
    record_types: dict[int, str | None]
    # the kind's statements that commit with the job's end (JobKind.on_end)
    on_end: Callable[[Conn, str], Awaitable[None]]
    # set when the worker shuts down: the next checkpoint hands the job on
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    step_run: StepRun = field(init=False)
    detail: str = ""
    completion: Completion = field(default_factory=Completion)
    completed: bool = False
    step_clock: float = 0.0  # when the current step's attempt began (time.monotonic)
    log: Any = field(default_factory=lambda: structlog.get_logger("worker.engine"))

    @property
    def step_name(self) -> str:
        return self.step_names[self.step_run.number]

    @property
    def step_started(self) -> bool:
        """Whether a step has started in this run (`step_run` is set)."""
        return "step_run" in self.__dict__

    async def _guard(self, conn: Executor, number: int, detail: str) -> None:
        """Write progress under the lease; stop if the lease is lost or the job cancelled."""
        self.detail = detail
        cancel = await self.job_store.checkpoint(conn, self.job_id, self.owner,
                                                 self.step_names[number], number, detail)
        _stop_unless_held(self.job_id, cancel)

    async def _save(self, conn: Executor, detail: str) -> None:
        """Progress under the lease and the step's counts and cursor, in one statement;
        stop if the lease is lost or the job cancelled."""
        self.detail = detail
        cancel = await self.step_run.checkpoint(conn, self.owner, self.step_name, detail)
        _stop_unless_held(self.job_id, cancel)

    async def start_step(self, number: int) -> StepRun:
        """The step's run, one attempt more: its first checkpoint (the job shows the step,
        its name as progress), in one statement."""
        name = self.step_names[number]
        started = await self.step_store.start(self.job_id, number, self.owner, name, name)
        if started is None:
            raise LeaseLost(self.job_id)
        self.step_run, cancel = started
        self.detail = name
        _stop_unless_held(self.job_id, cancel)
        return self.step_run

    @asynccontextmanager
    async def page(self, detail: str) -> AsyncIterator[Conn]:
        """A checkpoint transaction: lets the caller stage a page, then checks lease and
        cancellation, writes `detail` and saves the step's counts and cursor, atomically
        (a lost lease or a cancellation rolls the page back). The job row is locked only
        at the end, so that heartbeats are not held up while the page is staged."""
        if self.stopping.is_set():
            raise WorkerStopping(self.job_id)
        async with (self.pool.acquire() as conn, self._lease_checked_on_failure(),
                    conn.transaction()):
            yield conn
            await self._save(conn, detail)

    @asynccontextmanager
    async def _lease_checked_on_failure(self) -> AsyncIterator[None]:
        """Around a transaction whose lease is checked at its end: if what it wrote failed
        first (a key another worker wrote meanwhile), a lost lease is what that means."""
        try:
            yield
        except (LeaseLost, JobCancelled, WorkerStopping):
            raise
        except Exception as exc:
            if not await self.job_store.holds_lease(self.job_id, self.owner):
                raise LeaseLost(self.job_id) from exc
            raise

    async def progress(self, detail: str) -> None:
        """A checkpoint with nothing staged: progress text, counts and cursor, lease and
        cancellation check; one statement, no transaction of its own."""
        if self.stopping.is_set():
            raise WorkerStopping(self.job_id)
        await self._save(self.pool, detail)

    def complete_with(self, detail: str, entity_id: str | None = None) -> None:
        """What the job shows once completed (set by a step before the job completes)."""
        self.completion = Completion(detail, entity_id)

    def step_metrics(self) -> list[Increment]:
        """What finishing the current step adds to the fleet's metrics."""
        run = self.step_run
        return metrics.step_finished(self.kind, run.number, time.monotonic() - self.step_clock,
                                     self.record_types.get(run.number), run.created_count,
                                     run.skipped_count, run.error_count)

    async def finish_step(self, conn: Executor, number: int) -> None:
        """The step done, and counted, in one statement (inside the caller's transaction
        when `conn` is one; the pool otherwise)."""
        await self.step_store.finish(self.job_id, number, conn, self.step_metrics())

    async def _complete(self, conn: Conn) -> None:
        if not await self.job_store.complete(conn, self.job_id, self.owner,
                                             entity_id=self.completion.entity_id,
                                             detail=self.completion.detail):
            raise LeaseLost(self.job_id)
        await self.on_end(conn, self.job_id)
        await metrics_store.add(conn, metrics.job_finished(self.kind, "completed"))
        self.completed = True

    @asynccontextmanager
    async def final_transaction(self, detail: str) -> AsyncIterator[Conn]:
        """For a step that finishes the job: one transaction in which the step writes its
        results. On leaving it, the lease and the cancel flag are checked (the job row is
        locked only now, so that heartbeats are not held up meanwhile), and the step's
        counts, the step's end and the job's completion are written: all of it commits
        together, or nothing does. A shutdown does not stop it: the work is done."""
        async with (self.pool.acquire() as conn, self._lease_checked_on_failure(),
                    conn.transaction()):
            yield conn
            await self._save(conn, detail)
            await self.finish_step(conn, self.step_run.number)
            await self._complete(conn)

    async def complete_job(self, last_step: int | None) -> None:
        """Complete the job, unless it was cancelled meanwhile, and finish `last_step` in
        the same transaction (so that no crash leaves every step done and the job not)."""
        number = last_step or max(self.step_names)
        async with self.pool.acquire() as conn, conn.transaction():
            await self._guard(conn, number, self.completion.detail)
            if last_step is not None:
                await self.finish_step(conn, last_step)
            await self._complete(conn)

    async def cancel_job(self, detail: str) -> None:
        """The job cancelled, with the kind's end statements, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            if await self.job_store.cancel_now(conn, self.job_id, self.owner, detail):
                await self.on_end(conn, self.job_id)
                await metrics_store.add(conn, metrics.job_finished(self.kind, "cancelled"))

    async def on_source_retry(self, reason: str, wait: float, retry: int, *,
                              label: str = "other") -> None:
        """A source is retried after a transient fault: shown to the user, counted on the
        step (`reason` says what failed, e.g. "source API rate limited (429)"; `label`, one
        of metrics.RETRY_LABELS, is what the metrics count)."""
        base = self.detail.split(" — ")[0] or self.step_name
        self.log.warning("source retry", reason=reason, wait_seconds=round(wait, 2),
                         retry=retry)
        await self.step_store.count_retry(self.job_id, self.step_run.number)
        await metrics_store.add(self.pool, metrics.step_retried(
            self.kind, self.step_run.number, label))
        # progress only, not the step's counts: a page may be half staged meanwhile (the
        # retried request is a read ahead of it), and its counts must commit with it
        if self.stopping.is_set():
            raise WorkerStopping(self.job_id)
        await self._guard(self.pool, self.step_run.number,
                          f"{base} — {reason}; retrying in {wait:.1f} s (retry {retry})")
        self.detail = base
