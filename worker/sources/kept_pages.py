"""A job's pages of a source, kept as the API sent them (staging.source_pages, unlogged)
with the count read beside them, to be read again instead of asked for twice; each is
forgotten in the checkpoint that stages it.

Kept pages are a shortcut, never a source of truth: a reader goes back to the API wherever
they stop (a page missing, from another page size, or lost with an unlogged table in a
Postgres crash), and converts and checks every record either way.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from worker.db.queries import q
from worker.db.types import Conn
from worker.sources.http import parse_json
from worker.sources.pages import cancel_all

# Kept pages in flight: this one and the next. They are local, so one ahead is enough to
# overlap the parse with the COPY; each parsed page is several MB of the worker's memory.
KEPT_READ_AHEAD = 2

# the source's pages from a skip on, where the kept ones stop
SourcePages = Callable[[int], AsyncIterator[tuple[int, list[Any]]]]


@dataclass(frozen=True)
class KeptPages:
    """One job's kept pages, written under its lease (`owner`), of `page_size` records."""

    pool: asyncpg.Pool
    job_id: str
    owner: str
    page_size: int
    bad_page: Callable[[str], Exception]  # the source's error for a kept page not a list

    async def keep(self, resource: str, skip: int, body: bytes) -> None:
        """Keep one page (a later read of the same page replaces it)."""
        await self.pool.execute(q("keep_source_page"), self.job_id, resource, self.page_size,
                                skip, body, self.owner)

    async def keep_count(self, resource: str, count: int) -> None:
        await self.pool.execute(q("keep_source_count"), self.job_id, resource, count)

    async def count(self, resource: str) -> int | None:
        """The count read with the kept pages (None: none was kept)."""
        kept = await self.pool.fetchval(q("kept_source_count"), self.job_id, resource)
        return None if kept is None else int(kept)

    async def _kept(self, resource: str, skip: int) -> list[Any] | None:
        """One kept page, parsed (None when it is not kept)."""
        body = await self.pool.fetchval(q("kept_source_page"), self.job_id, resource,
                                        self.page_size, skip)
        if body is None:
            return None
        rows = parse_json(body)
        if not isinstance(rows, list):
            raise self.bad_page(f"a kept {resource} page is not a list")
        return rows

    async def pages(self, resource: str, start: int, then: SourcePages
                    ) -> AsyncIterator[tuple[int, list[Any]]]:
        """(skip, records) from `start` on, in order: the kept pages while they follow one
        another, then `then(skip)`'s (the API's) from where they stop. The next kept page
        is read and parsed while the caller stages this one."""
        ahead: collections.deque[tuple[int, asyncio.Future[list[Any] | None]]] = (
            collections.deque())
        following = resume_at = start

        def read_more() -> None:
            nonlocal following
            while len(ahead) < KEPT_READ_AHEAD:
                ahead.append((following,
                              asyncio.ensure_future(self._kept(resource, following))))
                following += self.page_size

        try:
            read_more()
            while ahead:
                skip, pending = ahead.popleft()
                rows = await pending
                if rows is None:  # not kept: the API's, from here
                    resume_at = skip
                    break
                last = len(rows) < self.page_size
                if not last:
                    read_more()
                yield skip, rows
                if last:
                    return
        finally:
            await cancel_all(ahead)
        async for skip, rows in then(resume_at):
            yield skip, rows

    @staticmethod
    async def forget(conn: Conn, job_id: str, resource: str, done: int) -> None:
        """Within a page's checkpoint: the kept pages before `done` are staged."""
        await conn.execute(q("forget_source_pages"), job_id, resource, done)
