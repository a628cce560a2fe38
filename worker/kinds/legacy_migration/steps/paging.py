"""Steps 2-6: a legacy resource, page by page from the step's cursor (step 5's documents
from the pages step 1 kept), staged by the engine's paged loop (worker/engine/paged.py)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from worker.db.types import Conn
from worker.engine.paged import PageOutcome, stream_pages
from worker.kinds.legacy_migration.context import LegacyContext
from worker.sources.kept_pages import KeptPages

__all__ = ["PageOutcome", "StagePage", "stage_resource"]

StagePage = Callable[[LegacyContext, Conn, list[dict[str, Any]]], Awaitable[PageOutcome]]


def _api_pages(ctx: LegacyContext, resource: str
               ) -> Callable[[int], AsyncIterator[tuple[int, list[Any]]]]:
    def pages(start: int) -> AsyncIterator[tuple[int, list[Any]]]:
        return ctx.legacy.pages(ctx.legacy_org_id, resource, start=start,
                                page_size=ctx.kept.page_size)
    return pages


async def stage_resource(
    ctx: LegacyContext, *, resource: str, label: str, stage_page: StagePage,
    kept: bool = False,
) -> None:
    """Stream `resource` from the step's cursor, staging each page with `stage_page`; with
    `kept`, from the pages step 1 kept where it kept them."""
    from_api = _api_pages(ctx, resource)
    count = await ctx.kept.count(resource) if kept else None
    if count is None:
        count = await ctx.legacy.count(ctx.legacy_org_id, resource)
    cursor = ctx.run.step_run.cursor
    pages = ctx.kept.pages(resource, cursor, from_api) if kept else from_api(cursor)

    async def forget(conn: Conn, done: int) -> None:
        await KeptPages.forget(conn, ctx.run.job_id, resource, done)

    await stream_pages(ctx.run, label=f"Migrating {label}", count=count, pages=pages,
                       write_page=functools.partial(stage_page, ctx),
                       after_page=forget if kept else None)
