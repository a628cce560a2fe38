"""Key usage is noted in memory and written in one statement per flush, never per request."""

from __future__ import annotations

from typing import Any

import pytest

from api_stub.key_usage import KeyUsage


class FakePool:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail = fail

    async def execute(self, *args: Any) -> None:
        self.calls.append(args)
        if self.fail:
            raise OSError("Postgres away")


async def test_many_uses_make_one_write_per_flush() -> None:
    pool = FakePool()
    usage = KeyUsage(pool, 60)  # type: ignore[arg-type]
    for _ in range(1000):
        usage.note(1)
        usage.note(2)
    assert pool.calls == []
    await usage.flush()
    assert len(pool.calls) == 1
    assert sorted(pool.calls[0][1]) == [1, 2]
    await usage.flush()  # nothing used since: nothing written
    assert len(pool.calls) == 1


async def test_a_failed_write_is_kept_for_the_next_flush() -> None:
    pool = FakePool(fail=True)
    usage = KeyUsage(pool, 60)  # type: ignore[arg-type]
    usage.note(7)
    with pytest.raises(OSError, match="away"):
        await usage.flush()
    pool.fail = False
    await usage.flush()
    assert pool.calls[-1][1] == [7]
