"""A step that streams a paged source, one page per checkpoint.

Each page is written in one checkpoint transaction together with the step's counts and
cursor, so a step resumed after a crash starts at the first record not yet written and
writes nothing twice. A kind brings the pages (from the step's cursor) and what to do with
each; the loop, the counts and the progress text are the same for every kind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from worker.db.types import Conn
from worker.engine.context import JobRun


@dataclass
class PageOutcome:
    """What one page did."""

    created: int = 0
    skipped: int = 0
    errors: int = 0
    # per-currency sums in minor units, of what the source sent (for a step's checks)
    totals: dict[str, int] = field(default_factory=dict)

    def add_total(self, currency: str, amount: int) -> None:
        self.totals[currency] = self.totals.get(currency, 0) + amount


# a page's records, written inside the page's checkpoint
PageWriter = Callable[[Conn, list[Any]], Awaitable[PageOutcome]]
# then, in the same transaction, with the cursor after the page
AfterPage = Callable[[Conn, int], Awaitable[None]]


async def stream_pages(run: JobRun, *, label: str, count: int,
                       pages: AsyncIterator[tuple[int, list[Any]]], write_page: PageWriter,
                       after_page: AfterPage | None = None) -> None:
    """Each (skip, records) of `pages` written by `write_page` in its own checkpoint, which
    shows "`label`: n of `count`" and saves the cursor after the page."""
    step = run.step_run
    step.source_count = count
    # the step's start showed its name; each page's checkpoint shows "n of total" and saves
    # the count with the page: no checkpoint of its own before the first page, unless the
    # step resumes, when where it resumed is worth showing at once
    if step.cursor:
        await run.progress(f"{label}: {step.cursor} of {count}")
    any_page = False
    async for skip, rows in pages:
        any_page = True
        done = skip + len(rows)
        async with run.page(f"{label}: {done} of {count}") as conn:
            outcome = await write_page(conn, rows)
            step.created_count += outcome.created
            step.skipped_count += outcome.skipped
            step.error_count += outcome.errors
            step.add_totals(outcome.totals)
            step.cursor = done
            if after_page is not None:
                await after_page(conn, done)
        run.log.debug("page written", label=label, skip=skip, rows=len(rows))
    if not any_page:  # nothing (more) to read: the source's count must still be saved
        await run.progress(f"{label}: {step.cursor} of {count}")
