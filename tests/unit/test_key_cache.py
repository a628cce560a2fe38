"""The web process's cache of keys it has looked up: kept for its seconds, bounded."""

from __future__ import annotations

import time

from api_stub import key_cache
from api_stub.key_cache import KeyCache
from worker.store.api_keys import ApiKey

KEY = ApiKey(1, False, ("acc_1",))


def test_a_key_is_kept_for_its_seconds_then_forgotten() -> None:
    cache = KeyCache(0.05)
    cache.put(b"d", KEY)
    assert cache.get(b"d") == KEY
    time.sleep(0.06)
    assert cache.get(b"d") is None


def test_nothing_is_kept_when_caching_is_off() -> None:
    cache = KeyCache(0)
    cache.put(b"d", KEY)
    assert cache.get(b"d") is None


def test_the_oldest_keys_go_first_beyond_the_bound() -> None:
    cache = KeyCache(60)
    for n in range(key_cache.MAX_KEYS + 5):
        cache.put(n.to_bytes(4, "big"), KEY)
    assert cache.get((0).to_bytes(4, "big")) is None
    assert cache.get((4).to_bytes(4, "big")) is None
    assert cache.get((5).to_bytes(4, "big")) == KEY
    assert cache.get((key_cache.MAX_KEYS + 4).to_bytes(4, "big")) == KEY


def test_a_revoked_key_is_dropped_at_once_and_a_lost_feed_drops_all() -> None:
    cache = KeyCache(60)
    other = ApiKey(2, False, ("acc_2",))
    cache.put(b"one", KEY)
    cache.put(b"two", other)
    cache.revoked(str(KEY.id))
    assert cache.get(b"one") is None
    assert cache.get(b"two") == other
    cache.revoked(None)
    assert cache.get(b"two") is None
