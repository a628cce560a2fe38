"""What a step works with: the job, its lease, the legacy client and checkpoints."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog

from worker.config import Settings
from worker.db.types import Conn
from worker.engine.errors import JobCancelled, LeaseLost, WorkerStopping
from worker.models import STEP_NAMES
from worker.sources.legacy.client import LegacyClient
from worker.store.jobs import checkpoint
from worker.store.steps import StepRun, StepStore


@dataclass
class JobContext:
    """One run of one job by one worker (one lease)."""

    job_id: str
    owner: str
    pool: asyncpg.Pool
    settings: Settings
    legacy: LegacyClient
    legacy_org_id: str
    environment: str
    confirm_unsupported_data: bool
    steps: StepStore
    # set when the worker shuts down: the next checkpoint hands the job on
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    run: StepRun = field(init=False)
    detail: str = ""
    log: Any = field(default_factory=lambda: structlog.get_logger("worker.engine"))

    @property
    def step_name(self) -> str:
        return STEP_NAMES[self.run.number]

    async def _checkpoint(self, conn: Conn, detail: str) -> None:
        if self.stopping.is_set():
            raise WorkerStopping(self.job_id)
        self.detail = detail
        cancel = await checkpoint(
            conn, self.job_id, self.owner, self.step_name, self.run.number, detail
        )
        if cancel is None:
            raise LeaseLost(self.job_id)
        if cancel:
            raise JobCancelled(self.job_id)

    @asynccontextmanager
    async def page(self, detail: str) -> AsyncIterator[Conn]:
        """A checkpoint transaction: checks lease and cancellation, writes `detail`, lets the
        caller stage a page, and saves the step's counts and cursor with it, atomically."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self._checkpoint(conn, detail)
            yield conn
            await self.run.save(conn)

    async def progress(self, detail: str) -> None:
        """A checkpoint with nothing staged: progress text, lease and cancellation check."""
        async with self.page(detail):
            pass

    async def on_legacy_retry(self, reason: str, wait: float, retry: int) -> None:
        """Shown to the user while the legacy API is retried; counted on the step."""
        base = self.detail.split(" — ")[0] or self.step_name
        self.log.warning("legacy API retry", reason=reason, wait_seconds=round(wait, 2),
                         retry=retry)
        await self.steps.count_retry(self.job_id, self.run.number)
        async with self.pool.acquire() as conn, conn.transaction():
            await self._checkpoint(
                conn, f"{base} — legacy API {reason}; retrying in {wait:.1f} s (retry {retry})"
            )
        self.detail = base
