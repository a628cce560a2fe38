"""The loop shared by steps 2-6: stream a legacy resource page by page into staging.

Each page is staged in one checkpoint transaction together with the step's counts and
cursor, so a step resumed after a crash starts at the first record not yet staged and
stages nothing twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from worker.db.types import Conn
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.steps import kept_pages


@dataclass
class PageOutcome:
    """What staging one page did."""

    created: int = 0
    skipped: int = 0
    errors: int = 0
    # per-currency sums in minor units, of what the source sent (for step 7's checks)
    totals: dict[str, int] = field(default_factory=dict)

    def add_total(self, currency: str, amount: int) -> None:
        self.totals[currency] = self.totals.get(currency, 0) + amount


StagePage = Callable[[LegacyContext, Conn, list[dict[str, Any]]],
                     Awaitable[PageOutcome]]


async def stage_resource(
    ctx: LegacyContext, *, resource: str, label: str, stage_page: StagePage,
    kept: bool = False,
) -> None:
    """Stream `resource` from the step's cursor, staging each page with `stage_page`; with
    `kept`, from the pages step 1 kept where it kept them (kept_pages.py)."""
    run = ctx.run.step_run
    run.source_count = await (kept_pages.count(ctx, resource) if kept
                              else ctx.legacy.count(ctx.legacy_org_id, resource))
    # the step's start showed its name; each page's checkpoint shows "n of total" and saves
    # the count with the page: no checkpoint of its own before the first page, unless the
    # step resumes, when where it resumed is worth showing at once
    if run.cursor:
        await ctx.run.progress(f"Migrating {label}: {run.cursor} of {run.source_count}")
    staged_any = False
    source = (kept_pages.pages(ctx, resource, run.cursor) if kept else ctx.legacy.pages(
        ctx.legacy_org_id, resource, start=run.cursor, page_size=ctx.run.settings.legacy_page_size
    ))
    async for skip, rows in source:
        staged_any = True
        done = skip + len(rows)
        async with ctx.run.page(f"Migrating {label}: {done} of {run.source_count}") as conn:
            outcome = await stage_page(ctx, conn, rows)
            run.created_count += outcome.created
            run.skipped_count += outcome.skipped
            run.error_count += outcome.errors
            run.add_totals(outcome.totals)
            run.cursor = done
            if kept:
                await kept_pages.forget(conn, ctx.run.job_id, resource, done)
        ctx.run.log.debug("page staged", resource=resource, skip=skip, rows=len(rows))
    if not staged_any:  # nothing (more) to read: the source's count must still be saved
        await ctx.run.progress(f"Migrating {label}: {run.cursor} of {run.source_count}")
