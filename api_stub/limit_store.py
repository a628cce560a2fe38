"""Where the web tier's limits keep their counters: Redis, shared by every web process, asked
through one Lua script per check (one round trip), each call bounded by a short timeout.

A Redis that is down or slow must not stall requests, nor be asked by every request while it
is: after a failure, the store answers "unknown" at once for PAUSE_SECONDS. Whether unknown
means "let it through" (fail open) or "refuse it" (fail closed) is the caller's decision.

The store has its own small connection pool, without the queue client's retries (arq's
client retries a lost connection for seconds, right for an enqueue, wrong for a check that
every request waits on).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import structlog
from redis.asyncio import BlockingConnectionPool, Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

# A check on a local Redis takes well under a millisecond; past this, Redis is "down". Not
# less: the time is the event loop's too, and a busy web process on a loaded host can take
# a few hundred milliseconds to come back to a reply that was there (taken for an outage,
# it refused legacy logins with 503).
TIMEOUT_SECONDS = 1.0
# How long the store answers "unknown" without asking, after a failure.
PAUSE_SECONDS = 1.0
# Connections per web process: a check holds one for well under a millisecond.
MAX_CONNECTIONS = 32
# At most one warning this often while Redis stays down.
WARN_EVERY_SECONDS = 30.0


class LimitStore:
    """Runs the limits' Lua scripts on Redis; None when Redis does not answer in time."""

    def __init__(self, url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        pool = BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=timeout, socket_timeout=timeout,
            socket_connect_timeout=timeout)
        self.redis = Redis(connection_pool=pool)
        self._scripts: dict[str, AsyncScript] = {}
        self._paused_until = 0.0
        self._warned_at = -WARN_EVERY_SECONDS

    async def run(self, lua: str, keys: Sequence[str], args: Sequence[str | int | float]
                  ) -> list[int] | None:
        """The script's answer (a list of integers), or None when Redis is unavailable."""
        if time.monotonic() < self._paused_until:
            return None
        script = self._scripts.get(lua)
        if script is None:
            script = self._scripts[lua] = self.redis.register_script(lua)
        try:
            async with asyncio.timeout(self.timeout):
                try:
                    answer = await script(keys=list(keys), args=list(args))
                except (ConnectionError, RedisConnectionError):
                    # a connection dropped (a Redis restart, a failover, CLIENT KILL) is
                    # not an outage: once more, on a new connection, within the same time
                    answer = await script(keys=list(keys), args=list(args))
        except (RedisError, OSError, TimeoutError) as exc:
            self._unavailable(exc)
            return None
        return [int(v) for v in answer]

    def _unavailable(self, exc: BaseException) -> None:
        now = time.monotonic()
        self._paused_until = now + PAUSE_SECONDS
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("limits: Redis does not answer; open routes are served without "
                        "their limits, closed routes refused", error=type(exc).__name__,
                        pause_seconds=PAUSE_SECONDS)

    async def aclose(self) -> None:
        await self.redis.aclose()
        await self.redis.connection_pool.disconnect()
