"""Step 1 of an import: every row of the file read once, each error collected, the records
staged page by page.

Each page is one checkpoint transaction: its records, the import's counts and first errors,
and the step's cursor (the last row number handled) together. A run resumed after a crash
reads the file again from the top (the header and the duplicates seen must be found again)
but stages and counts only the rows after the cursor, so no row is staged or counted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from worker.errors import StepFailed
from worker.kinds.wizard_import.rows import RowParser
from worker.staging.copy import copy_rows
from worker.wizard.proof import contact_key
from worker.wizard.records import BalanceRecord, ContactRecord, Record, RowError, record_to_json
from worker.wizard.store import WizardStore

if TYPE_CHECKING:
    from worker.kinds.wizard_import.kind import ImportContext

PAGE_ROWS = 5000
READ_BATCH = 2000
FIRST_ERRORS = 100
STAGED_COLUMNS = ("import_id", "row_number", "skipped", "record")


def _identity(record: Record) -> str:
    """What makes two records the same: a contact's name, an account's code, a document's
    reference."""
    if isinstance(record, ContactRecord):
        return contact_key(record.name)
    if isinstance(record, BalanceRecord):
        return record.code.strip()
    return record.reference.strip()


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


async def _batches(rows: Iterator[tuple[int, Sequence[object]]]
                   ) -> AsyncIterator[list[tuple[int, Sequence[object]]]]:
    """The rows in batches, each read in a thread: a reader blocks (a workbook's sheet is
    loaded before its first row), and the event loop must keep the heartbeats going. The
    next batch is read while the caller parses this one."""
    def read() -> list[tuple[int, Sequence[object]]]:
        return list(itertools.islice(rows, READ_BATCH))

    upcoming = asyncio.ensure_future(asyncio.to_thread(read))
    try:
        while batch := await upcoming:
            upcoming = asyncio.ensure_future(asyncio.to_thread(read))
            yield batch
    finally:
        # the reading thread must be done with the rows before anyone closes them
        with contextlib.suppress(Exception):
            await asyncio.shield(upcoming)


class _Reader:
    """The state of one read of the file: the parser, the duplicates seen, the page being
    filled, the first errors."""

    def __init__(self, ctx: ImportContext) -> None:
        row = ctx.row
        self.ctx = ctx
        self.sheet = row["sheet"] or row["filename"]
        self.parser = RowParser(ctx.import_type, self.sheet, currency=row["currency"],
                                cutover=row["cutover_date"])
        self.cursor = ctx.run.step_run.cursor
        self.first_errors: list[dict[str, Any]] = list(row["errors"])
        self.seen: dict[str, int] = {}
        self.page = _Page()
        # the page being staged while the next is parsed (one at a time, in order)
        self.staging: asyncio.Task[None] | None = None

    def _checked(self, number: int, record: Record | None,
                 errors: list[RowError]) -> tuple[Record | None, list[RowError], str | None]:
        """(the record, its errors, why it is skipped) once duplicates are looked for."""
        if record is None:
            return None, errors, None
        key = _identity(record)
        first = self.seen.setdefault(key, number)
        if first == number:
            return record, errors, None
        if isinstance(record, BalanceRecord):  # two balances of one account: ambiguous
            return None, [*errors, RowError(
                self.sheet, number, None, f"account code {key} appears again (first on row "
                f"{first}); a trial balance has one row per account")], None
        return record, errors, f"duplicate of row {first}"

    async def add(self, number: int, cells: Sequence[object]) -> None:
        data_rows = self.parser.data_rows  # title, header and blank rows are not data
        parsed, parse_errors = self.parser.parse(number, cells)
        if self.parser.data_rows == data_rows:
            return
        record, errors, skipped = self._checked(number, parsed, parse_errors)
        if number <= self.cursor:
            return  # staged and counted by an earlier run
        page = self.page
        page.data_rows += 1
        page.last_row = number
        if errors or record is None:
            page.error_rows += 1
            page.errors.extend(errors)
        else:
            page.rows.append((self.ctx.import_id, number, skipped, record_to_json(record)))
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


async def read_rows(ctx: ImportContext, rows: Iterator[tuple[int, Sequence[object]]]
                    ) -> None:
    """Parse every row; stage what is after the step's cursor, a page at a time."""
    reader = _Reader(ctx)
    try:
        async for batch in _batches(rows):
            for number, cells in batch:
                await reader.add(number, cells)
        await reader.flush()
        await reader.staged()
    except BaseException:
        await reader.abandon()
        raise
    missing = reader.parser.missing_header()
    if missing is not None:
        raise StepFailed(missing, code="HEADER_NOT_FOUND")
