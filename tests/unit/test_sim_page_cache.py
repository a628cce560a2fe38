"""The simulator's cache of rendered pages: what was put comes back, bounded by bytes,
least recently used dropped first."""

from __future__ import annotations

from legacy_sim.page_cache import PageCache


def test_a_page_comes_back_as_it_was_put() -> None:
    cache = PageCache(100)
    cache.put(("org", "documents", 0, 10), b"[1,2]")
    assert cache.get(("org", "documents", 0, 10)) == b"[1,2]"
    assert cache.get(("org", "documents", 10, 10)) is None


def test_the_least_recently_used_pages_go_beyond_the_bound() -> None:
    cache = PageCache(10)
    cache.put(("o", "r", 0, 1), b"aaaa")
    cache.put(("o", "r", 1, 1), b"bbbb")
    assert cache.get(("o", "r", 0, 1)) == b"aaaa"  # now the most recent
    cache.put(("o", "r", 2, 1), b"cccc")  # 12 bytes: the least recent (b) goes
    assert cache.get(("o", "r", 1, 1)) is None
    assert cache.get(("o", "r", 0, 1)) == b"aaaa"
    assert cache.get(("o", "r", 2, 1)) == b"cccc"
    cache.put(("o", "r", 3, 1), b"x" * 11)  # larger than the whole cache: not kept
    assert cache.get(("o", "r", 3, 1)) is None
