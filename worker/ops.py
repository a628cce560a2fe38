"""What operators do to jobs, whatever asks (/ops, the dashboard, the ops CLI through the
API): find jobs across accounts, read one with its step timeline, retry or cancel one job
as its account would (the enqueue layer), or every job matching a filter. Each job acted on
is an entry of the audit log, and a bulk action one more with its filter and counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg
import structlog
from arq.connections import ArqRedis

from worker.engine.kind import JobKind
from worker.enqueue import cancel_job, retry_job
from worker.errors import FilterRequired, JobNotFailed, JobNotFound, KindNotRunHere, ServiceError
from worker.ids import new_id
from worker.store import audit
from worker.store import ops as ops_store
from worker.store.audit import Actor
from worker.store.jobs import JobRow
from worker.store.ops import JobFilter
from worker.store.steps import StepStore
from worker.timeline import StepLine, timeline

__all__ = ["BULK_LIMIT", "Action", "BulkOutcome", "JobFilter", "JobRow", "OperatorActions"]

log = structlog.get_logger(__name__)

Action = Literal["retry", "cancel"]
BULK_LIMIT = 1000
REFUSALS_SHOWN = 20
_PAST = {"retry": "retried", "cancel": "cancelled"}


@dataclass
class BulkOutcome:
    """How a bulk action went: jobs matching, acted on, and the first refused (and why)."""

    matched: int = 0
    acted: int = 0
    refusals: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)


class OperatorActions:
    """Retry and cancel for operators, over every account's jobs."""

    def __init__(self, pool: asyncpg.Pool, redis: ArqRedis,
                 kinds: Mapping[str, JobKind[Any]], queue_name: str) -> None:
        self.pool, self.redis, self.kinds, self.queue_name = pool, redis, kinds, queue_name

    async def find(self, where: JobFilter, *, starting_after: str | None, limit: int
                   ) -> tuple[list[JobRow], bool]:
        """A page of the jobs matching `where`, newest first, and whether more follow."""
        rows = await ops_store.find_jobs(self.pool, where, starting_after=starting_after,
                                         limit=limit + 1)
        return rows[:limit], len(rows) > limit

    async def job(self, job_id: str) -> JobRow:
        """The job, any account's; JobNotFound."""
        row = None if "\x00" in job_id else await ops_store.job(self.pool, job_id)
        if row is None:
            raise JobNotFound.named(job_id)
        return row

    async def timeline(self, row: JobRow) -> list[StepLine]:
        """The job's steps in its kind's order (a kind this service does not run: the steps
        it has run, unnamed)."""
        runs = await StepStore(self.pool).report(row.id)
        kind = self.kinds.get(row.kind)
        names = kind.step_names() if kind else {r.step_number: "" for r in runs}
        return timeline(row.status, names, runs)

    async def act(self, action: Action, row: JobRow, by: Actor,
                  bulk: str | None = None) -> None:
        """Retry or cancel one job (a row of ops_store), recorded as `by`'s (and as part of
        the bulk action `bulk`)."""
        kind = self.kinds.get(row.kind)
        if kind is None:
            raise KindNotRunHere(f"This service does not know jobs of kind {row.kind}.")
        note = {"bulk": bulk} if bulk else None
        if action == "retry":
            if not kind.operator_retry:
                raise JobNotFailed(f"Jobs of kind {kind.name} are retried by their owner "
                                   "(for a wizard execute: POST /migrations/{id}/execute).")
            await retry_job(self.pool, self.redis, kind=kind, job_id=row.id,
                            account_id=row.account_id, queue_name=self.queue_name, by=by,
                            note=note)
        else:
            await cancel_job(self.pool, kind=kind, job_id=row.id,
                             account_id=row.account_id, by=by, note=note)

    async def one(self, action: Action, job_id: str, by: Actor) -> JobRow:
        """Act on one job; the job after it."""
        row = await self.job(job_id)
        try:
            await self.act(action, row, by)
        except ServiceError:
            _log(by, action, {"ids": [job_id]}, 1, 0)
            raise
        _log(by, action, {"ids": [job_id]}, 1, 1)
        return await self.job(job_id)

    async def bulk(self, action: Action, where: JobFilter, given: Mapping[str, Any],
                   by: Actor) -> BulkOutcome:
        """Act on every job matching `where` (up to BULK_LIMIT); `given` is the filter as
        asked, for the audit log. FilterRequired when nothing narrows it."""
        if not given:
            raise FilterRequired()
        outcome = BulkOutcome(matched=await ops_store.count_jobs(self.pool, where))
        bulk = new_id("bulk")  # each job's own entry names the bulk action it was part of
        for row in await ops_store.find_jobs(self.pool, where, starting_after=None,
                                             limit=BULK_LIMIT):
            try:
                await self.act(action, row, by, bulk)
                outcome.acted += 1
            except ServiceError as exc:
                outcome.refusals += 1
                if len(outcome.refused) < REFUSALS_SHOWN:
                    outcome.refused.append({"id": row.id, "code": exc.code,
                                            "message": exc.message})
        _log(by, action, dict(given), outcome.matched, outcome.acted)
        if outcome.acted:  # after the jobs' own entries; none when nothing was done
            await audit.record(
                self.pool, by, f"jobs.bulk_{_PAST[action]}", subject=bulk,
                account_id=given.get("account"),
                details={"filter": dict(given), "matched": outcome.matched,
                         "acted": outcome.acted, "refused": outcome.refusals})
        return outcome


def _log(by: Actor, action: str, where: dict[str, Any], matched: int, acted: int) -> None:
    log.info("operator action", operator_key=by.key_id, action=action, filter=where,
             matched=matched, acted=acted)
