"""When each API key was last used (api_keys.last_used_at), recorded cheaply: a request only
notes its key's ID in memory; a background task of the web process writes what it noted
every API_KEY_USED_FLUSH_SECONDS (a minute by default), one UPDATE for all the keys, so a key
costs at most one write a minute per web process however often it is used, and none per
request."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from api_stub.flush_loop import FlushLoop
from worker.db.queries import q


class KeyUsage:
    """Keys used since the last flush, by ID, with when they were last used."""

    def __init__(self, pool: asyncpg.Pool, flush_seconds: float) -> None:
        self.pool = pool
        self.flush_seconds = flush_seconds
        self._used: dict[int, datetime] = {}
        # started and stopped by the app's lifespan
        self.loop = FlushLoop("key-usage", flush_seconds, self.flush)

    def note(self, key_id: int) -> None:
        """This key was used now (a dict write: no I/O on the request's path)."""
        self._used[key_id] = datetime.now(UTC)

    async def flush(self) -> None:
        """Write what was noted; kept for the next flush if the write fails."""
        if not self._used:
            return
        used, self._used = self._used, {}
        try:
            await self.pool.execute(q("touch_api_keys"), list(used), list(used.values()))
        except Exception:
            for key_id, at in used.items():  # newer notes since win
                self._used.setdefault(key_id, at)
            raise
