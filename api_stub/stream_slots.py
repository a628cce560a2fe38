"""Open event streams (…/events) per API key: at most MAX_EVENT_STREAMS_PER_KEY across every
web process; one more is 429 RATE_LIMITED with Retry-After.

Each open stream holds a slot: a member of a sorted set in Redis, scored by the end of its
lease. A stream renews its lease as it sends (keep-alive comments are sent at least every
EVENTS_KEEPALIVE_SECONDS, so a live stream always renews in time) and gives its slot back
when it ends; a web process that dies leaves slots that lapse at their lease's end.

When Redis does not answer, a stream opens without a slot (fail open: a stream only reads,
and the per-process connection caps still hold).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import anyio
from fastapi import Request

from api_stub import refusals
from api_stub.auth import request_key
from api_stub.errors import RateLimited
from api_stub.limit_store import LimitStore
from worker.redis_keys import event_streams_key
from worker.settings import Settings

# A refused client may retry this much later (a slot frees when another stream ends: there
# is no telling when).
RETRY_SECONDS = 5
MIN_LEASE_SECONDS = 60.0

# KEYS[1]: the key's streams; ARGV: stream ID, lease (ms), the cap.
# Answers {1, open} with the stream counted, or {0, open} when `open` is at the cap.
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local open = redis.call('ZCARD', KEYS[1])
if open >= tonumber(ARGV[3]) then return {0, open} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, open + 1}
"""
# The same arguments: the stream's lease starts again now (unless it has lapsed).
RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
if renewed > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {renewed}
"""
RELEASE = """
return {redis.call('ZREM', KEYS[1], ARGV[1])}
"""


def lease_seconds(settings: Settings) -> float:
    """How long a slot lives unless renewed: several of the longest silences of a stream."""
    return max(MIN_LEASE_SECONDS,
               4 * (settings.events_keepalive_seconds + settings.events_reread_seconds))


class StreamSlot:
    """One open stream's slot."""

    def __init__(self, store: LimitStore, key_id: int, lease: float) -> None:
        self.store, self.key = store, event_streams_key(key_id)
        self.id = uuid.uuid4().hex
        self.lease_ms = int(lease * 1000)
        self._renewed_at = time.monotonic()

    async def acquire(self, cap: int) -> int | None:
        """Count this stream: None when it is counted (or cannot be: Redis does not answer),
        else the streams open, at the cap."""
        answer = await self.store.run(ACQUIRE, [self.key], [self.id, self.lease_ms, cap])
        self._renewed_at = time.monotonic()
        if answer is None or answer[0]:
            return None
        return answer[1]

    async def renew_if_due(self) -> None:
        if time.monotonic() - self._renewed_at >= self.lease_ms / 3000:
            self._renewed_at = time.monotonic()
            await self.store.run(RENEW, [self.key], [self.id, self.lease_ms])

    async def release(self) -> None:
        # shielded: a stream ends by cancellation when its client goes away, and the cancel
        # scope would cancel this call too (it is bounded by the store's timeout)
        with anyio.CancelScope(shield=True):
            await self.store.run(RELEASE, [self.key], [self.id])

    async def hold(self, messages: AsyncIterator[str]) -> AsyncIterator[str]:
        """`messages`, with the slot renewed as they are sent and released at their end."""
        try:
            async for message in messages:
                yield message
                await self.renew_if_due()
        finally:
            await self.release()


async def open_slot(request: Request, settings: Settings) -> StreamSlot:
    """A slot for a new stream of the request's API key; RateLimited at the cap."""
    store: LimitStore = request.state.limit_store
    slot = StreamSlot(store, request_key(request).id, lease_seconds(settings))
    cap = settings.max_event_streams_per_key
    open_now = await slot.acquire(cap)
    if open_now is not None:
        refusals.count(refusals.REQUEST, "streams")
        raise RateLimited(
            f"This API key has {open_now} event streams open, as many as it may "
            f"(MAX_EVENT_STREAMS_PER_KEY {cap}); close one, or retry in {RETRY_SECONDS} s "
            "(Retry-After).", retry_after=RETRY_SECONDS)
    return slot
