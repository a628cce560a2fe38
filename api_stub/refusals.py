"""Counts of what the web processes refuse before a route runs (a connection beyond a cap,
a request beyond a rate limit, a stalled request), for /metrics.

Counting must cost nothing where it happens (an asyncio protocol's callback, a middleware),
so each process counts in memory and adds its counts to one Redis hash every
FLUSH_SECONDS; /metrics on any web process then shows the whole web tier's figures. Counts
not yet flushed when a process dies are lost: these are operators' figures, not records.
"""

from __future__ import annotations

from collections import Counter

from redis.asyncio import Redis

from api_stub.flush_loop import FlushLoop
from worker.redis_keys import PREFIX

REFUSALS_KEY = PREFIX + "web-refusals"
FLUSH_SECONDS = 1.0
# `what` values: each names one place that refuses, `reason` says why
CONNECTION = "connection"
REQUEST = "request"

_pending: Counter[tuple[str, str]] = Counter()


def count(what: str, reason: str) -> None:
    """One refusal of `what` (CONNECTION or REQUEST) for `reason` (e.g. "per_address")."""
    _pending[(what, reason)] += 1


async def flush(redis: Redis) -> None:
    """Add this process's counts to the shared hash (kept for a retry if Redis fails)."""
    if not _pending:
        return
    taken = dict(_pending)
    _pending.clear()
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for (what, reason), n in taken.items():
                pipe.hincrby(REFUSALS_KEY, f"{what}:{reason}", n)
            await pipe.execute()
    except Exception:
        _pending.update(taken)
        raise


async def read(redis: Redis) -> dict[tuple[str, str], int]:
    """Every web process's refusals so far, by (what, reason)."""
    # redis-py types hgetall as sync-or-async; on an asyncio client it is a coroutine
    raw: dict[bytes | str, bytes | str] = await redis.hgetall(REFUSALS_KEY)  # type: ignore[misc]
    totals: dict[tuple[str, str], int] = {}
    for field, value in raw.items():
        name = field.decode() if isinstance(field, bytes) else str(field)
        what, _, reason = name.partition(":")
        totals[(what, reason)] = int(value)  # bytes and str both parse
    return totals


def flusher(redis: Redis) -> FlushLoop:
    """flush() every FLUSH_SECONDS in the background of a web process, and once at stop."""
    return FlushLoop("refusals", FLUSH_SECONDS, lambda: flush(redis))
