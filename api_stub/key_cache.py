"""Keys resolved recently, kept for API_KEY_CACHE_SECONDS: a client polling a job sends
the same key many times a second, and its lookup was a query on every request.

Only keys that were found are kept (an unknown key is looked up each time, so that guessing
cannot fill memory), by digest, never the key itself; at most MAX_KEYS, the oldest dropped.
A key revoked or rotated is dropped at once: the statement that revokes it NOTIFYs
`api_key_revoked` (sql/queries/accounts.sql), which every web process LISTENs to on its change
feed (api_stub/changes.py), so it is refused everywhere within a second, not at the end of
API_KEY_CACHE_SECONDS; when that connection was lost, the whole cache is dropped instead.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from worker.store.api_keys import ApiKey

MAX_KEYS = 10_000


class KeyCache:
    """Found keys by digest, each for `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._keys: OrderedDict[bytes, tuple[float, ApiKey]] = OrderedDict()

    def get(self, digest: bytes) -> ApiKey | None:
        found = self._keys.get(digest)
        if found is None:
            return None
        if found[0] < time.monotonic():
            del self._keys[digest]
            return None
        return found[1]

    def put(self, digest: bytes, key: ApiKey) -> None:
        if self.seconds <= 0:
            return
        self._keys[digest] = (time.monotonic() + self.seconds, key)
        self._keys.move_to_end(digest)
        while len(self._keys) > MAX_KEYS:
            self._keys.popitem(last=False)

    def revoked(self, key_id: str | None) -> None:
        """A notification of api_key_revoked: forget that key (its ID), or every key when
        notifications may have been missed (None). A scan, but revocations are rare."""
        if key_id is None:
            self._keys.clear()
            return
        for digest in [d for d, (_, k) in self._keys.items() if str(k.id) == key_id]:
            del self._keys[digest]
