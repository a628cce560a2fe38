"""Waiting, in tests, for something another process does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T | None]], what: str,
                     timeout: float = 60.0) -> T:
    """Poll `check` until it returns something truthy; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"still not true after {timeout} s: {what}")
        await asyncio.sleep(0.05)
