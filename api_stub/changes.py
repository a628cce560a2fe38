"""What changed, as Postgres announces it: one LISTEN connection per web process, waking
the event streams that watch the job, import or migration named by each notification.

Workers on any host write progress in transactions that NOTIFY `object_changes` (a
trigger, migration 0009), so notifications arrive only for committed changes, in commit
order. A stream that misses one (the connection was lost) still converges: streams also
re-read every EVENTS_REREAD_SECONDS, and every stream is woken when the connection is back.

The same connection listens on other channels given to it (`also`): e.g. the key cache's
revocations. Their callbacks get each payload, and None when the connection is back (some
may have been missed).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

import asyncpg
import structlog

from worker.background import Periodic
from worker.db.pool import connect
from worker.store.events import CHANNEL

log = structlog.get_logger(__name__)
RECONNECT_SECONDS = 1.0


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    return lambda _conn: event.set()


def _relay(callback: Callable[[str | None], None]) -> Callable[..., None]:
    return lambda _conn, _pid, _channel, payload: callback(str(payload))


class Watch:
    """A stream's interest in some objects: `changed` is set when any of them changes."""

    def __init__(self, feed: ChangeFeed) -> None:
        self.feed = feed
        self.keys: frozenset[str] = frozenset()
        self.changed = asyncio.Event()

    def follow(self, keys: Iterable[str]) -> None:
        """Watch exactly these objects from now on."""
        new = frozenset(keys)
        for key in self.keys - new:
            self.feed.waiters[key].discard(self)
            if not self.feed.waiters[key]:
                del self.feed.waiters[key]
        for key in new - self.keys:
            self.feed.waiters[key].add(self)
        self.keys = new

    async def wait(self, seconds: float) -> None:
        """Until a change or `seconds`; then ready for the next."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.changed.wait(), seconds)
        self.changed.clear()


class ChangeFeed:
    """The process's LISTEN connection and the watches it wakes."""

    def __init__(self, database_url: str,
                 also: dict[str, Callable[[str | None], None]] | None = None) -> None:
        self.database_url = database_url
        self.also = also or {}
        self.waiters: defaultdict[str, set[Watch]] = defaultdict(set)
        # listen until the connection is lost; again a moment later
        self._loop = Periodic("change-feed", RECONNECT_SECONDS, self._listen, at_once=True)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    @contextlib.contextmanager
    def watch(self) -> Iterator[Watch]:
        """A watch, forgotten when the stream ends."""
        watch = Watch(self)
        try:
            yield watch
        finally:
            watch.follow(())

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        for watch in self.waiters.get(str(payload), ()):
            watch.changed.set()

    def _wake_all(self) -> None:
        for watches in self.waiters.values():
            for watch in watches:
                watch.changed.set()

    async def _listen(self) -> None:
        conn: asyncpg.Connection | None = None
        try:
            conn = await connect(self.database_url)
            lost = asyncio.Event()
            conn.add_termination_listener(_setter(lost))
            for channel, callback in self.also.items():
                await conn.add_listener(channel, _relay(callback))
            # last: the connection's last statement names object_changes (tests and
            # operators find it in pg_stat_activity by that)
            await conn.add_listener(CHANNEL, self._notified)
            self._wake_all()  # whatever happened while there was no connection
            for callback in self.also.values():
                callback(None)
            await lost.wait()
            log.warning("change feed lost its connection; streams re-read until it is back")
        except Exception as exc:  # whatever it is, the feed must keep trying
            log.warning("change feed cannot listen; streams re-read until it can",
                        error=type(exc).__name__)
        finally:
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)
