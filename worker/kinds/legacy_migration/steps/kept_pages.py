"""Legacy pages read once: step 1 must read every document to find unsupported data, so it
keeps each page as the legacy API sent it (staging.source_pages, unlogged), with the count
it read; step 5 reads them back instead of asking the legacy API again, and forgets each in
the checkpoint that stages it.

Kept pages are a shortcut, never a source of truth: step 5 reads from the legacy API
wherever they stop (a page missing, from another page size, or lost with an unlogged
table in a Postgres crash), and converts and checks every document either way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from worker.db.queries import q
from worker.db.types import Conn
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.source.client import parse_json
from worker.kinds.legacy_migration.source.errors import LegacyBadResponse

# kept pages read from Postgres at a time (each about 1 MB for 1,000 documents)
READ_PAGES = 4


async def keep_page(ctx: LegacyContext, resource: str, skip: int, body: bytes) -> None:
    """Keep one page (a later read of the same page replaces it)."""
    await ctx.run.pool.execute(q("keep_source_page"), ctx.run.job_id, resource,
                               ctx.run.settings.legacy_page_size, skip, body)


async def keep_count(ctx: LegacyContext, resource: str, count: int) -> None:
    await ctx.run.pool.execute(q("keep_source_count"), ctx.run.job_id, resource, count)


async def count(ctx: LegacyContext, resource: str) -> int:
    """The count read with the kept pages, else the legacy API's count now."""
    kept = await ctx.run.pool.fetchval(q("kept_source_count"), ctx.run.job_id, resource)
    if kept is not None:
        return int(kept)
    return await ctx.legacy.count(ctx.legacy_org_id, resource)


async def pages(ctx: LegacyContext, resource: str, start: int
                ) -> AsyncIterator[tuple[int, list[Any]]]:
    """(skip, records) from `start` on, in order: the kept pages while they follow one
    another, then the legacy API's from where they stop."""
    page_size = ctx.run.settings.legacy_page_size
    following = start
    while True:
        kept = await ctx.run.pool.fetch(q("kept_source_pages"), ctx.run.job_id, resource,
                                        page_size, following, READ_PAGES)
        for row in kept:
            if row["skip"] != following:
                break
            rows = parse_json(row["body"])
            if not isinstance(rows, list):
                raise LegacyBadResponse(f"a kept {resource} page is not a list")
            yield following, rows
            if len(rows) < page_size:
                return  # the last page
            following += page_size
        else:
            if len(kept) == READ_PAGES:
                continue  # more may be kept
        break
    async for skip, rows in ctx.legacy.pages(ctx.legacy_org_id, resource, start=following,
                                             page_size=page_size):
        yield skip, rows


async def forget(conn: Conn, job_id: str, resource: str, done: int) -> None:
    """Within a page's checkpoint: the kept pages before `done` are staged."""
    await conn.execute(q("forget_source_pages"), job_id, resource, done)
