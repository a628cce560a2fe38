"""Pages the simulator has rendered, kept as the bytes it sent.

Benchmarks migrate the same organisations again and again, and generating a page of
records is most of the simulator's CPU: they must measure the service, not the simulator
(bench/run.py reads every page once before its timed runs). Records are a pure function of
(organisation, index), so a rendered page never goes stale. Bounded by MAX_BYTES, the
least recently used page dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

MAX_BYTES = 512 * 1024 * 1024
Key = tuple[str, str, int, int]


class PageCache:
    """Rendered pages by (organisation, resource, skip, limit)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Key, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # pages are rendered in worker threads

    def get(self, key: Key) -> bytes | None:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def put(self, key: Key, body: bytes) -> None:
        with self._lock:
            if key in self._pages or len(body) > self.max_bytes:
                return
            self._pages[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._size -= len(dropped)
