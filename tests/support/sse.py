"""A small Server-Sent Events reader for tests: the messages of one stream, as sent."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Message:
    """One message: an event (`event`, `id`, `data`), a comment, or a `retry:` field."""

    event: str | None = None
    id: int | None = None
    data: str = ""
    comment: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)


async def messages(response: httpx.Response) -> AsyncIterator[Message]:
    """Each message of an open streaming response, until the server closes it."""
    current = Message()
    async for line in response.aiter_lines():
        if line == "":
            yield current
            current = Message()
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "":
            current.comment = value
        elif field == "event":
            current.event = value
        elif field == "id":
            current.id = int(value)
        elif field == "data":
            current.data += value
        elif field == "retry":
            current.retry = int(value)


async def events(http: httpx.AsyncClient, path: str, *, last_event_id: int | None = None,
                 until: int | None = None) -> list[Message]:
    """The `job` events of a stream until it closes (or after `until` of them)."""
    headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
    found: list[Message] = []
    async with http.stream("GET", path, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        async for message in messages(response):
            if message.event is not None:
                found.append(message)
                if until is not None and len(found) >= until:
                    break
    return found
