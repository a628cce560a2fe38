"""Pushed progress: `GET /legacy-migration/jobs/{id}/events` and
`GET /migrations/{id}/events` (Server-Sent Events, same auth as the objects).

A legacy job's stream replays its job_events (every visible state, in commit order), so a
client resuming with Last-Event-ID misses no step. A migration is made of several rows
(itself, its imports, their jobs): its stream sends the whole object whenever its version,
the greatest of theirs, grows, so a resuming client gets the current state at once.

Each open stream holds one of its API key's MAX_EVENT_STREAMS_PER_KEY slots
(stream_slots.py); beyond them, 429 RATE_LIMITED.
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from api_stub.auth import Account, State
from api_stub.changes import ChangeFeed
from api_stub.errors import route_errors
from api_stub.sse import Event, event_stream, last_event_id
from api_stub.stream_slots import open_slot
from api_stub.wizard_objects import migration_out
from worker.errors import JobNotFound
from worker.kinds.legacy_migration import reads
from worker.kinds.legacy_migration.job import Job
from worker.models import JobStatus
from worker.wizard.errors import MigrationNotFound
from worker.wizard.migrations import migration_snapshot
from worker.wizard.statuses import TERMINAL

router = APIRouter(tags=["pushed progress"])

FINISHED = {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}
REPLAY_PAGE = 500

_STREAM: dict[int | str, dict[str, Any]] = {200: {
    "content": {"text/event-stream": {"schema": {
        "type": "object", "required": ["event", "id", "data"],
        "properties": {"event": {"const": "job"}, "id": {"type": "string"},
                       "data": {"type": "string", "contentMediaType": "application/json"}},
    }}},
    "description": "`event: job`, `id:` (increasing), `data:` the object as its GET "
                   "answers; a first event with the object now, one on each change, the "
                   "stream closing after a terminal status; `: keep-alive` comments while "
                   "nothing changes."}}
LastEventId = Annotated[str | None, Header(
    alias="Last-Event-ID",
    description="The `id:` of the last event received: the stream resumes after it.")]


def _feed(request: Request) -> ChangeFeed:
    feed: ChangeFeed = request.app.state.changes
    return feed


def _job_event(job: Job, event_id: int) -> Event:
    return Event(event_id, job.model_dump_json(), job.status in FINISHED)


class LegacyJobEvents:
    """A legacy migration job's events, as job_events recorded them."""

    def __init__(self, pool: asyncpg.Pool, job_id: str, account: str) -> None:
        self.pool, self.job_id, self.account = pool, job_id, account
        self.cursor = 0

    async def _snapshot(self) -> Event:
        job, event_id = await reads.job_snapshot(self.pool, self.job_id, self.account)
        return _job_event(job, event_id)

    async def first(self, resume_from: int | None) -> list[Event]:
        snapshot = await self._snapshot()
        self.cursor = snapshot.id
        if resume_from is None:
            return [snapshot]
        self.cursor = resume_from
        missed = await self.next()
        if not missed and (snapshot.id > resume_from or snapshot.terminal):
            # its events were pruned, or the client already had the end: the object now
            self.cursor = max(snapshot.id, resume_from)
            return [snapshot]
        return missed

    async def next(self) -> list[Event]:
        found = [_job_event(job, event_id) for job, event_id in await reads.job_events_after(
            self.pool, self.job_id, self.account, self.cursor, REPLAY_PAGE)]
        if found:
            self.cursor = found[-1].id
        return found

    def watched(self) -> set[str]:
        return {self.job_id}


class MigrationEvents:
    """A wizard migration with its imports, sent whole when its version grows."""

    def __init__(self, pool: asyncpg.Pool, migration_id: str, account: str) -> None:
        self.pool, self.migration_id, self.account = pool, migration_id, account
        self.cursor = 0
        self.keys = {migration_id}

    async def _read(self) -> Event:
        now = await migration_snapshot(self.pool, self.migration_id, self.account)
        self.keys = {self.migration_id, *now.imports, *now.jobs}
        out = migration_out(now.row, now.imports)
        return Event(now.version, out.model_dump_json(by_alias=True),
                     out.status in TERMINAL)

    async def first(self, resume_from: int | None) -> list[Event]:
        current = await self._read()
        if resume_from is not None and current.id <= resume_from and not current.terminal:
            self.cursor = resume_from
            return []
        self.cursor = current.id
        return [current]

    async def next(self) -> list[Event]:
        current = await self._read()
        if current.id <= self.cursor:
            return []
        self.cursor = current.id
        return [current]

    def watched(self) -> set[str]:
        return self.keys


@router.get("/legacy-migration/jobs/{job_id}/events", response_class=StreamingResponse,
            summary="A job's status, step and progress, pushed as they change",
            responses={**_STREAM, **route_errors(JobNotFound)})
async def legacy_job_events(job_id: str, request: Request, account: Account, state: State,
                            last_event: LastEventId = None,
                            ) -> StreamingResponse:
    if "\x00" in job_id:
        raise JobNotFound.named(job_id)
    slot = await open_slot(request, state.settings)
    return await event_stream(LegacyJobEvents(state.pool, job_id, account),
                              last_event_id(last_event), _feed(request),
                              state.settings, slot)


@router.get("/migrations/{migration_id}/events", response_class=StreamingResponse,
            summary="A migration and its imports, pushed as they change",
            responses={**_STREAM, **route_errors(MigrationNotFound)})
async def migration_events(migration_id: str, request: Request, account: Account,
                           state: State, last_event: LastEventId = None,
                           ) -> StreamingResponse:
    if "\x00" in migration_id:
        raise MigrationNotFound.named(migration_id)
    slot = await open_slot(request, state.settings)
    return await event_stream(MigrationEvents(state.pool, migration_id, account),
                              last_event_id(last_event), _feed(request),
                              state.settings, slot)
