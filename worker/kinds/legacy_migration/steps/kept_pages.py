"""Legacy pages read once: step 1 must read every document to find unsupported data, so it
keeps each page as the legacy API sent it (staging.source_pages, unlogged), with the count
it read; step 5 reads them back instead of asking the legacy API again, and forgets each in
the checkpoint that stages it.

Kept pages are a shortcut, never a source of truth: step 5 reads from the legacy API
wherever they stop (a page missing, from another page size, or lost with an unlogged
table in a Postgres crash), and converts and checks every document either way.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator
from typing import Any

from worker.db.queries import q
from worker.db.types import Conn
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.source.client import parse_json
from worker.kinds.legacy_migration.source.errors import LegacyBadResponse

# Kept pages in flight: this one and the next. They are local, so one ahead is enough to
# overlap the parse with the COPY; each parsed page is several MB of the worker's memory.
KEPT_READ_AHEAD = 2


async def keep_page(ctx: LegacyContext, resource: str, skip: int, body: bytes) -> None:
    """Keep one page, under the job's lease (a later read of the same page replaces it)."""
    await ctx.run.pool.execute(q("keep_source_page"), ctx.run.job_id, resource,
                               ctx.run.settings.legacy_page_size, skip, body, ctx.run.owner)


async def keep_count(ctx: LegacyContext, resource: str, count: int) -> None:
    await ctx.run.pool.execute(q("keep_source_count"), ctx.run.job_id, resource, count)


async def count(ctx: LegacyContext, resource: str) -> int:
    """The count read with the kept pages, else the legacy API's count now."""
    kept = await ctx.run.pool.fetchval(q("kept_source_count"), ctx.run.job_id, resource)
    if kept is not None:
        return int(kept)
    return await ctx.legacy.count(ctx.legacy_org_id, resource)


async def _kept(ctx: LegacyContext, resource: str, skip: int) -> list[Any] | None:
    """One kept page, parsed (None when it is not kept)."""
    body = await ctx.run.pool.fetchval(q("kept_source_page"), ctx.run.job_id, resource,
                                       ctx.run.settings.legacy_page_size, skip)
    if body is None:
        return None
    rows = parse_json(body)
    if not isinstance(rows, list):
        raise LegacyBadResponse(f"a kept {resource} page is not a list")
    return rows


async def pages(ctx: LegacyContext, resource: str, start: int
                ) -> AsyncIterator[tuple[int, list[Any]]]:
    """(skip, records) from `start` on, in order: the kept pages while they follow one
    another, then the legacy API's from where they stop. The next kept page is read and
    parsed while the caller stages this one (its COPY is Postgres's work; the parse is the
    worker's)."""
    page_size = ctx.run.settings.legacy_page_size
    ahead: collections.deque[tuple[int, asyncio.Future[list[Any] | None]]] = (
        collections.deque())
    following = resume_at = start

    def read_more() -> None:
        nonlocal following
        while len(ahead) < KEPT_READ_AHEAD:
            ahead.append((following, asyncio.ensure_future(_kept(ctx, resource, following))))
            following += page_size

    try:
        read_more()
        while ahead:
            skip, pending = ahead.popleft()
            rows = await pending
            if rows is None:  # not kept: the legacy API's, from here
                resume_at = skip
                break
            last = len(rows) < page_size
            if not last:
                read_more()
            yield skip, rows
            if last:
                return
    finally:
        for _, pending in ahead:
            pending.cancel()
        await asyncio.gather(*(p for _, p in ahead), return_exceptions=True)
    async for skip, rows in ctx.legacy.pages(ctx.legacy_org_id, resource, start=resume_at,
                                             page_size=page_size):
        yield skip, rows


async def forget(conn: Conn, job_id: str, resource: str, done: int) -> None:
    """Within a page's checkpoint: the kept pages before `done` are staged."""
    await conn.execute(q("forget_source_pages"), job_id, resource, done)
