"""Offset pages of a source, read ahead of whoever consumes them."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

Page = tuple[list[Any], bytes]  # the records, and the body as the API sent it


async def pages_read_ahead(fetch: Callable[[int], Awaitable[Page]], *, start: int, page_size: int,
                     ahead: int) -> AsyncGenerator[tuple[int, list[Any], bytes], None]:
    """(skip, records, body) page by page from `start`, in order, while up to `ahead` next
    pages are fetched concurrently (at most that many more pages in memory): a remote API's
    latency is paid once per `ahead` pages, not per page. `fetch(skip)` reads one page; a
    short page is the last. Whoever consumes them keeps its checkpoints in order."""
    pending: collections.deque[tuple[int, asyncio.Future[Page]]] = collections.deque()
    following = start
    # one page first, then twice as many ahead after each page up to `ahead` (a small
    # resource asks for nothing past its end, and the first page is staged as early)
    window = 1

    def fetch_more() -> None:
        nonlocal following
        while len(pending) < window:
            pending.append((following, asyncio.ensure_future(fetch(following))))
            following += page_size

    try:
        fetch_more()
        while pending:
            skip, page = pending.popleft()
            rows, body = await page
            if not rows:
                return
            if len(rows) == page_size:
                window = min(window * 2, max(1, ahead))
                fetch_more()
            else:  # the last page: what was asked for beyond it is empty
                await cancel_all(pending)
            yield skip, rows, body
    finally:
        await cancel_all(pending)


async def cancel_all(pending: collections.deque[tuple[int, asyncio.Future[Any]]]) -> None:
    """Stop the reads still in flight, and forget them."""
    for _, future in pending:
        future.cancel()
    await asyncio.gather(*(f for _, f in pending), return_exceptions=True)
    pending.clear()
