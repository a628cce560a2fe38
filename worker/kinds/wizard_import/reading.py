"""Step 1 of an import: every row of the file read once, each error collected, the records
staged page by page.

The rows arrive checked (checking.py: parsed, duplicates found), in batches: from the
reading child for a workbook, from a thread here for a CSV file. Each page is one checkpoint
transaction: its records, the import's counts and first errors, and the step's cursor (the
last row number handled) together. A run resumed after a crash reads the file again from
the top (the header and the duplicates seen must be found again) but stages and counts only
the rows after the cursor, so no row is staged or counted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import orjson

from worker.kinds.wizard_import.checking import CheckedRow
from worker.staging.copy import copy_rows
from worker.wizard.records import RowError
from worker.wizard.store import WizardStore

if TYPE_CHECKING:
    from worker.kinds.wizard_import.kind import ImportContext

PAGE_ROWS = 5000
FIRST_ERRORS = 100
STAGED_COLUMNS = ("import_id", "row_number", "skipped", "record")


@dataclasses.dataclass
class _Page:
    rows: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)
    errors: list[RowError] = dataclasses.field(default_factory=list)
    last_row: int = 0
    data_rows: int = 0
    error_rows: int = 0


async def _stage(ctx: ImportContext, page: _Page, first_errors: list[dict[str, Any]]) -> None:
    run = ctx.run.step_run
    room = FIRST_ERRORS - len(first_errors)
    first_errors.extend(dataclasses.asdict(e) for e in page.errors[:max(room, 0)])
    total = run.source_count + page.data_rows
    async with ctx.run.page(f"Reading rows: {total} rows read") as conn:
        staged = await copy_rows(conn, "import_rows", STAGED_COLUMNS, page.rows)
        run.source_count = total
        run.error_count += page.error_rows
        run.created_count += sum(1 for r in page.rows if r[2] is None)
        run.skipped_count += sum(1 for r in page.rows if r[2] is not None)
        run.cursor = page.last_row
        await WizardStore.save_import_progress(
            conn, ctx.import_id, total=run.source_count, created=run.created_count,
            skipped=run.skipped_count, errors=run.error_count, first_errors=first_errors)
    ctx.run.log.debug("rows staged", rows=staged, last_row=page.last_row)


async def _batches(batches: Iterator[list[CheckedRow]]) -> AsyncIterator[list[CheckedRow]]:
    """The batches, each taken in a thread: a reader blocks (a workbook's sheet is loaded
    before its first row), and the event loop must keep the heartbeats going. The next
    batch is taken while the caller stages this one."""
    def take() -> list[CheckedRow]:
        return next(batches, [])

    upcoming = asyncio.ensure_future(asyncio.to_thread(take))
    try:
        while batch := await upcoming:
            upcoming = asyncio.ensure_future(asyncio.to_thread(take))
            yield batch
    finally:
        # the reading thread must be done with the rows before anyone closes them
        with contextlib.suppress(Exception):
            await asyncio.shield(upcoming)


class _Reader:
    """The state of one read of the file: the page being filled, the first errors."""

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.cursor = ctx.run.step_run.cursor
        self.first_errors: list[dict[str, Any]] = list(ctx.row.errors)
        self.page = _Page()
        # the page being staged while the next is filled (one at a time, in order)
        self.staging: asyncio.Task[None] | None = None

    async def add(self, batch: list[CheckedRow]) -> None:
        import_id, cursor, fragment = self.ctx.import_id, self.cursor, orjson.Fragment
        for number, skipped, record, errors in batch:
            if number <= cursor:
                continue  # staged and counted by an earlier run
            page = self.page
            page.data_rows += 1
            page.last_row = number
            if record is None:
                page.error_rows += 1
                page.errors.extend(errors)
            else:  # the record's JSON text goes to the jsonb column as it is
                page.rows.append((import_id, number, skipped, fragment(record)))
            if page.data_rows >= PAGE_ROWS:
                await self.flush()

    async def flush(self) -> None:
        """Stage the page in the background, once the page before it is staged."""
        await self.staged()
        if self.page.data_rows:
            self.staging = asyncio.create_task(
                _stage(self.ctx, self.page, self.first_errors))
            self.page = _Page()

    async def staged(self) -> None:
        """Until the page being staged is (its failure raised here)."""
        if self.staging is not None:
            staging, self.staging = self.staging, None
            await staging

    async def abandon(self) -> None:
        """Stop staging: the read failed or was cancelled; its transaction rolls back."""
        if self.staging is not None and not self.staging.done():
            self.staging.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.staging


async def read_rows(ctx: ImportContext, batches: Iterator[list[CheckedRow]]) -> None:
    """Stage every checked row after the step's cursor, a page at a time."""
    reader = _Reader(ctx)
    try:
        async for batch in _batches(batches):
            await reader.add(batch)
        await reader.flush()
        await reader.staged()
    except BaseException:
        await reader.abandon()
        raise
