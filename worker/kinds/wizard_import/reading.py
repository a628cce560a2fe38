"""Step 1 of an import: every row of the file read once, each error collected, the records
staged page by page.

Each page is one checkpoint transaction: its records, the import's counts and first errors,
and the step's cursor (the last row number handled) together. A run resumed after a crash
reads the file again from the top (the header and the duplicates seen must be found again)
but stages and counts only the rows after the cursor, so no row is staged or counted twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from worker.errors import StepFailed
from worker.kinds.wizard_import.rows import RowParser
from worker.staging.copy import copy_rows
from worker.wizard.proof import contact_key
from worker.wizard.records import BalanceRecord, ContactRecord, Record, RowError, record_to_json
from worker.wizard.store import WizardStore

if TYPE_CHECKING:
    from worker.kinds.wizard_import.kind import ImportContext

PAGE_ROWS = 1000
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


async def read_rows(ctx: ImportContext, rows: Iterable[tuple[int, list[object]]]) -> None:
    """Parse every row; stage what is after the step's cursor, a page at a time."""
    row = ctx.row
    sheet = row["sheet"] or row["filename"]
    parser = RowParser(ctx.import_type, sheet, currency=row["currency"],
                       cutover=row["cutover_date"])
    cursor = ctx.run.step_run.cursor
    first_errors: list[dict[str, Any]] = list(row["errors"])
    seen: dict[str, int] = {}
    page = _Page()
    for number, cells in rows:
        data_rows = parser.data_rows  # title, header and blank rows are not data
        record, errors = parser.parse(number, cells)
        if parser.data_rows == data_rows:
            continue
        skipped = None
        if record is not None:
            key = _identity(record)
            first = seen.setdefault(key, number)
            if first != number:
                if isinstance(record, BalanceRecord):  # two balances of one account: ambiguous
                    errors = [*errors, RowError(sheet, number, None,
                                                f"account code {key} appears again (first "
                                                f"on row {first}); a trial balance has one "
                                                "row per account")]
                    record = None
                else:
                    skipped = f"duplicate of row {first}"
        if number <= cursor:
            continue  # staged and counted by an earlier run
        page.data_rows += 1
        page.last_row = number
        if errors or record is None:
            page.error_rows += 1
            page.errors.extend(errors)
        else:
            page.rows.append((ctx.import_id, number, skipped, record_to_json(record)))
        if page.data_rows >= PAGE_ROWS:
            await _stage(ctx, page, first_errors)
            page = _Page()
    if page.data_rows:
        await _stage(ctx, page, first_errors)
    if not parser.header_found:
        raise StepFailed(parser.missing_header(), code="HEADER_NOT_FOUND")
