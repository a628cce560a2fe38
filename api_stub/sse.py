"""Server-Sent Events for one object: what was missed first, then each change as it
commits, keep-alive comments while nothing happens, the end after a terminal state.

A `Source` says what there is to send after the last event a client has; this module only
drives it (changes.py says when to ask again) and writes the wire format.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from fastapi.responses import StreamingResponse

from api_stub.changes import ChangeFeed
from api_stub.stream_slots import StreamSlot
from worker.settings import Settings

# The client's reconnection delay, sent once (the `retry:` field).
RETRY_MILLISECONDS = 1000


@dataclass(frozen=True)
class Event:
    """One `event: job` message: the object as its GET answers, at version `id`."""

    id: int
    data: str
    terminal: bool


class Source(Protocol):
    """An object's events for one stream; it keeps the stream's place."""

    async def first(self, last_event_id: int | None) -> list[Event]:
        """The snapshot, or what followed `last_event_id` for a client resuming."""

    async def next(self) -> list[Event]:
        """The changes since the last events returned (none when nothing changed)."""

    def watched(self) -> set[str]:
        """The IDs whose notifications should wake this stream."""


def last_event_id(header: str | None) -> int | None:
    """The Last-Event-ID a resuming client sends; None when absent or not ours."""
    if header is None or not header.strip().isdigit():
        return None
    return int(header.strip())


def format_event(event: Event) -> str:
    return f"event: job\nid: {event.id}\ndata: {event.data}\n\n"


async def _messages(source: Source, first: list[Event], feed: ChangeFeed,
                    settings: Settings) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    quiet_since = time.monotonic()
    with feed.watch() as watch:
        batch = first
        while True:
            for event in batch:
                yield format_event(event)
                quiet_since = time.monotonic()
                if event.terminal:
                    return
            watch.follow(source.watched())
            await watch.wait(min(settings.events_reread_seconds,
                                 settings.events_keepalive_seconds))
            batch = await source.next()
            if not batch and time.monotonic() - quiet_since >= settings.events_keepalive_seconds:
                yield ": keep-alive\n\n"
                quiet_since = time.monotonic()


async def event_stream(source: Source, resume_from: int | None, feed: ChangeFeed,
                       settings: Settings, slot: StreamSlot | None = None
                       ) -> StreamingResponse:
    """The response; the first read happens now, so that a missing object is a plain 404.
    The stream holds `slot` (the cap on a key's open streams) until it ends."""
    try:
        first = await source.first(resume_from)
    except BaseException:
        if slot is not None:
            await slot.release()
        raise
    messages = _messages(source, first, feed, settings)
    return StreamingResponse(
        slot.hold(messages) if slot is not None else messages,
        media_type="text/event-stream",
        # proxies must pass each event on at once
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
