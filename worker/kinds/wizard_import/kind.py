"""An import as a job kind: step 1 reads the file's rows (streaming; one checkpoint per
page of rows, so a worker killed mid-file resumes at the first row not staged and stages
none twice), step 2 checks the import as a whole (duplicates of what the account already
has, a trial balance that must balance) and marks it ready for review in the engine's final
transaction."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from worker.db.queries import q
from worker.engine.context import JobRun
from worker.engine.kind import JobKind, Step
from worker.errors import StepFailed
from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, ReadOutcome, check_rows
from worker.kinds.wizard_import.csv_checked import iter_csv_checked
from worker.kinds.wizard_import.csv_rows import CsvSource, iter_csv_rows, open_csv
from worker.kinds.wizard_import.errors import InvalidFile
from worker.kinds.wizard_import.layouts import layout_named
from worker.kinds.wizard_import.reader_child import ReaderFailed, ReaderStopped
from worker.kinds.wizard_import.reading import read_rows
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_checked, sheet_of
from worker.services import Services
from worker.store.jobs import JobRow
from worker.wizard.ledger import check_trial_balance
from worker.wizard.records import BalanceRecord, ImportType, record_from_json
from worker.wizard.store import ImportJobRow, WizardStore

NAME = "wizard_import"

_SKIP_IN_TARGET = {
    ImportType.CONTACTS: ("skip_contacts_in_target", ()),
    ImportType.INVOICES: ("skip_documents_in_target", ("invoice",)),
    ImportType.BILLS: ("skip_documents_in_target", ("bill",)),
}


# an import's later files stage their rows at row numbers this far apart (import_files)
FILE_ROW_OFFSET = 100_000_000


@dataclass(frozen=True)
class ImportFile:
    """One file an import reads."""

    name: str  # as named in errors: the sheet read, or the file's name
    layout: str
    file_format: str  # "xlsx" or "csv"
    content: bytes
    filename: str = ""  # the uploaded file's name


@dataclass
class ImportContext:
    """One run of an import: the engine's run, the import's row, its files."""

    run: JobRun
    row: ImportJobRow
    files: list[ImportFile]

    @property
    def import_id(self) -> str:
        return self.row.id

    @property
    def import_type(self) -> ImportType:
        return self.row.type


def _balances_summary(balances: list[BalanceRecord], currency: str) -> tuple[list[str],
                                                                           dict[str, Any]]:
    check = check_trial_balance(balances, currency)
    return list(check.errors), {"totalDebits": check.total_debits_minor,
                                "totalCredits": check.total_credits_minor,
                                "roundingMinor": check.rounding_minor,
                                "currency": currency}


async def check_import(ctx: ImportContext) -> None:
    """Step 2: duplicates of the account's target are skipped, the counts are final, a trial
    balance is checked; then the import needs review, with the job's completion."""
    run = ctx.run.step_run
    await ctx.run.progress("Checking the import")
    async with ctx.run.final_transaction("Checking the import: done") as conn:
        if ctx.import_type is ImportType.CONTACTS and len(ctx.files) > 1:
            await conn.execute(q("skip_contacts_in_earlier_files"), ctx.import_id,
                               FILE_ROW_OFFSET)
        skip = _SKIP_IN_TARGET.get(ctx.import_type)
        if skip is not None:
            await conn.execute(q(skip[0]), ctx.import_id, ctx.row.account_id, *skip[1])
        counts = await WizardStore.import_row_counts(conn, ctx.import_id)
        created, skipped = counts.created, counts.skipped
        blockers: list[str] = []
        summary: dict[str, Any] = {}
        if ctx.import_type is ImportType.BALANCES:
            staged = await WizardStore.import_rows(conn, ctx.import_id)
            balances: list[Any] = [record_from_json(ImportType.BALANCES, record)
                                   for record, why in zip(staged.records, staged.skipped,
                                                          strict=True) if why is None]
            blockers, summary = _balances_summary(balances, ctx.row.currency)
        await WizardStore.finish_import(conn, ctx.import_id, created=created, skipped=skipped,
                                        blockers=blockers, summary=summary)
        # the import's final counts, for the records metric too (its type is the import's)
        run.created_count, run.skipped_count = created, skipped
        run.error_count = counts.errors
        run.source_count = created + skipped + run.error_count
        ctx.run.record_types[run.number] = ctx.import_type.value
        run.checks = {"blockers": blockers, **summary}
        ctx.run.complete_with(
            f"Import ready for review: {created} to create, {skipped} skipped"
            + (f"; blocked: {' '.join(blockers)}" if blockers else "."))


@asynccontextmanager
async def open_run(run: JobRun, job: JobRow, services: Services) -> AsyncIterator[ImportContext]:
    store = WizardStore(services.pool)
    row = await store.import_of_job(run.job_id)
    files = await store.import_files(row.id) if row else []
    if row is None or not files:
        raise StepFailed("This import job has no import or file.", code="IMPORT_ORPHANED")
    purged = [f.filename for f in files if f.content is None]
    if purged:  # a retry long after: retention took the bytes (their digests remain)
        raise StepFailed(
            f"The uploaded file {', '.join(purged)} is no longer kept (RETENTION_UPLOAD_DAYS"
            "): upload it again in a new import.", code="FILE_PURGED")
    context = ImportContext(run, row, [
        # content is None only when purged, refused above
        ImportFile(f.sheet or f.filename, f.layout, f.format, f.content or b"", f.filename)
        for f in files])
    del files  # the rows hold the contents too: only the context may, so that a CSV's goes
    yield context


def _checked_rows(ctx: ImportContext, outcomes: list[ReadOutcome]
                  ) -> Iterator[list[CheckedRow]]:
    """Every file's checked rows, in order; each file's outcome added to `outcomes`."""
    row = ctx.row
    for position, file in enumerate(ctx.files):
        spec = ParseSpec(ctx.import_type, file.name, row.currency, row.cutover_date,
                         file.layout, row.date_order, position * FILE_ROW_OFFSET)
        outcome = ReadOutcome()
        if file.file_format == "csv":
            # checked whole, decoded as it is read: never held as text
            source = open_csv(file.content, name=file.name,
                              windows_1252=layout_named(file.layout).windows_1252)
            if isinstance(source, CsvSource):  # checked on the other core, as a workbook
                batches = iter_csv_checked(source, spec, outcome)
            else:  # decoded whole (Windows-1252): checked here
                batches = check_rows(iter_csv_rows(source), spec, outcome=outcome,
                                     rows_again=functools.partial(iter_csv_rows, source))
        else:
            batches = _named(iter_sheet_checked(file.content, spec, outcome, file.filename),
                             sheet_of(file.name, file.filename))
        # the file's own counts (the import's are of all its files), read from the top
        rows = {"total": 0, "errors": 0, "skipped": 0}
        for batch in batches:
            rows["total"] += len(batch)
            for checked in batch:
                if checked.record is None:
                    rows["errors"] += 1
                elif checked.skipped is not None:
                    rows["skipped"] += 1
            yield batch
        outcome.summary["rows"] = rows
        outcomes.append(outcome)


def _named(batches: Iterator[list[CheckedRow]], where: str) -> Iterator[list[CheckedRow]]:
    """A workbook's batches, its refusals naming the sheet and the file (a reader that
    crashed or hit its caps names them already)."""
    try:
        yield from batches
    except ReaderFailed:
        raise
    except InvalidFile as exc:
        raise InvalidFile(f"{where}: {exc.message}") from None


async def read(ctx: ImportContext) -> None:
    """Step 1: the rows staged; then what the reading found beside them (blockers, each
    file's summary, the columns read) saved with the step's end."""
    outcomes: list[ReadOutcome] = []
    await read_rows(ctx, _checked_rows(ctx, outcomes))
    files = [{"name": file.name, **outcome.summary}
             for file, outcome in zip(ctx.files, outcomes, strict=True)]
    mapping: dict[str, str] = {}
    for outcome in outcomes:  # several files: each field's columns, as each file names it
        for record_field, column in outcome.mapping.items():
            shown = mapping.get(record_field)
            mapping[record_field] = (column if shown is None or column in shown.split(" / ")
                                     else f"{shown} / {column}")
    async with ctx.run.page("Reading rows: done") as conn:
        await WizardStore.save_import_reading(
            conn, ctx.import_id, blockers=[b for o in outcomes for b in o.blockers],
            summary={"files": files}, mapping=mapping)


WIZARD_IMPORT: JobKind[ImportContext] = JobKind(
    name=NAME,
    steps=(Step(1, "Reading rows", read),
           Step(2, "Checking the import", check_import, finishes_job=True)),
    open=open_run,
    # the reading process killed from outside (not the file's fault): read again; one
    # that crashed on the file, or hit its caps, is an INVALID_FILE (ReaderFailed), at once
    retryable=(ReaderStopped,),
)
