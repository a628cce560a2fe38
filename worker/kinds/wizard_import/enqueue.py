"""Creating imports: a file is checked and stored, then one import job per sheet (or CSV
file) is queued. The request never parses rows; workers do (worker.kinds.wizard_import).

    provider upload: the FreeAgent workbook → contacts and balances imports now, invoices
                     and bills sheets deferred until the balances are confirmed (Xero's
                     and QuickBooks' files: provider_upload.py);
    upload-deferred: the deferred sheets → invoices and bills imports;
    standalone:      one file → one import, its layout recognised (recognition.py), or a
                     CSV in the wizard's own columns of the type given.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import date

import asyncpg
from arq.connections import ArqRedis

from worker.db.types import Conn
from worker.enqueue import enqueue_created, record_job
from worker.ids import new_id
from worker.kinds.wizard_import.bundles import is_workbook
from worker.kinds.wizard_import.columns import match_sheets, missing_sheets
from worker.kinds.wizard_import.errors import (
    FileTooLarge,
    ImportTypeMismatch,
    InvalidFile,
    MissingSheets,
)
from worker.kinds.wizard_import.file_checks import CFB_MAGIC, MAX_FILE_BYTES, check_workbook
from worker.kinds.wizard_import.kind import WIZARD_IMPORT
from worker.kinds.wizard_import.layouts import layout_named, native_layouts
from worker.kinds.wizard_import.quota import UploadQuota, check_upload_quota
from worker.kinds.wizard_import.reader_child import ReaderFailed
from worker.kinds.wizard_import.recognition import ZIP_MAGIC, Recognised, recognise
from worker.store import audit
from worker.store.audit import Actor
from worker.wizard.errors import (
    BalancesNotConfirmed,
    ProviderNotAutomated,
)
from worker.wizard.migrations import locked_migration, require_editable, save_attachments
from worker.wizard.records import ImportType
from worker.wizard.store import WizardStore

DEFERRED = (ImportType.INVOICES, ImportType.BILLS)
WORKBOOK_LAYOUT = "freeagent.workbook"


@dataclass(frozen=True)
class ProviderUpload:
    """What a provider upload found and started."""

    sheets: list[tuple[str, ImportType | None]]  # every sheet, and the import it feeds
    imports: dict[str, str]  # import type -> the new import's ID


async def store_upload(conn: Conn, *, account_id: str, filename: str, file_format: str,
                       data: bytes, by: Actor, sha256: str | None = None,
                       migration_id: str | None = None) -> str:
    """The file kept (in Postgres, for a worker on any host to read), and recorded in the
    audit log as upload.stored by `by` with its SHA-256; its upload ID. `sha256`: the
    data's digest, when the caller has it already."""
    upload_id = new_id("upl")
    digest = sha256 or hashlib.sha256(data).hexdigest()
    await WizardStore.insert_upload(conn, upload_id, account_id=account_id, filename=filename,
                                    file_format=file_format, content=data, sha256=digest)
    await audit.record(conn, by, "upload.stored", subject=upload_id, account_id=account_id,
                       details={"filename": filename, "format": file_format,
                                "bytes": len(data), "sha256": digest,
                                "migration": migration_id})
    return upload_id


@dataclass(frozen=True)
class ImportSource:
    """One file an import reads: its upload, its layout, the sheet read of a workbook."""

    upload_id: str
    layout: str
    sheet: str | None = None


async def new_import(conn: Conn, *, account_id: str, import_type: ImportType,
                     sources: list[ImportSource], currency: str, cutover: date | None,
                     date_order: str | None) -> tuple[str, str]:
    """A queued import of its files and its job, inside the caller's transaction: (import
    ID, job ID)."""
    import_id = new_id("dimp")
    first = sources[0]

    async def fields(conn: Conn, job_id: str) -> None:
        await WizardStore.insert_import(conn, import_id, account_id=account_id,
                                        import_type=import_type, upload_id=first.upload_id,
                                        sheet=first.sheet, currency=currency, cutover=cutover,
                                        job_id=job_id, layout=first.layout,
                                        date_order=date_order)
        for position, source in enumerate(sources):
            await WizardStore.insert_import_file(conn, import_id, position=position,
                                                 upload_id=source.upload_id,
                                                 layout=source.layout, sheet=source.sheet)

    job = await record_job(conn, kind=WIZARD_IMPORT, account_id=account_id,
                           singleton_key=import_id, fields=fields, id_prefix="job")
    return import_id, job.id


async def upload_provider_workbook(
    pool: asyncpg.Pool, redis: ArqRedis, *, migration_id: str, account_id: str,
    filename: str, data: bytes, queue_name: str, quota: UploadQuota, by: Actor,
    date_order: str | None = None,
) -> ProviderUpload:
    """POST /migrations/{id}/upload-provider for FreeAgent: check and store the workbook,
    queue the contacts and balances imports, attach them; the invoice and bill sheets
    wait. `date_order`, when given, overrides the migration's."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge()
    await check_upload_quota(pool, account_id, quota, files=1, size=len(data))
    # parsing its parts takes a while: not on the event loop, nor under the row lock
    names = await asyncio.to_thread(check_workbook, data, filename)
    async with pool.acquire() as conn, conn.transaction():
        migration = await locked_migration(conn, migration_id, account_id)
        if migration.provider != "freeagent":
            raise ProviderNotAutomated()
        require_editable(migration, "uploading a workbook")
        missing = missing_sheets(names)
        if missing:
            raise MissingSheets(
                f"The workbook has no {' and no '.join(missing)} sheet (it has: "
                f"{', '.join(names) or 'no sheets'}). Export them from FreeAgent, or rename "
                "the sheets, and upload again.")
        found = match_sheets(names)
        await check_upload_quota(conn, account_id, quota, files=1, size=len(data), lock=True)
        upload_id = await store_upload(conn, account_id=account_id, filename=filename,
                                       file_format="xlsx", data=data, by=by,
                                       migration_id=migration_id)
        order = date_order or migration.date_order
        created, jobs = {}, []
        for import_type in (ImportType.CONTACTS, ImportType.BALANCES):
            import_id, job_id = await new_import(
                conn, account_id=account_id, import_type=import_type,
                sources=[ImportSource(upload_id, WORKBOOK_LAYOUT, found[import_type])],
                currency=migration.currency, cutover=migration.cutover_date,
                date_order=order)
            created[import_type.value] = import_id
            jobs.append(job_id)
        deferred = {t.value: found[t] for t in DEFERRED if t in found}
        # a new workbook replaces what an earlier one attached, deferred sheets included
        await save_attachments(conn, migration, {**created, "invoices": None, "bills": None},
                               provider_upload_id=upload_id, deferred=deferred)
        if date_order is not None:  # stated with the upload: the migration's from now on
            await WizardStore.set_date_order(conn, migration_id, date_order)
    await enqueue_created(redis, jobs, queue_name)
    by_name = {name: t for t, name in found.items()}
    return ProviderUpload([(name, by_name.get(name)) for name in names], created)


async def upload_deferred(pool: asyncpg.Pool, redis: ArqRedis, *, migration_id: str,
                          account_id: str, queue_name: str) -> dict[str, str]:
    """POST /migrations/{id}/upload-deferred: queue the deferred invoice and bill imports
    once the balances are confirmed; {type: import ID} ({} when nothing was deferred)."""
    async with pool.acquire() as conn, conn.transaction():
        migration = await locked_migration(conn, migration_id, account_id)
        require_editable(migration, "processing deferred sheets")
        balances_id = migration.balances_import_id
        balances = (await WizardStore.imports(conn, [balances_id], account_id)).get(
            balances_id) if balances_id else None
        if balances is None or balances.confirmed_at is None:
            raise BalancesNotConfirmed()
        deferred = dict(migration.deferred_sheets)
        if not deferred:
            return {}
        workbook = migration.provider_upload_id
        assert workbook is not None  # sheets are deferred only with their workbook's upload
        created, jobs = {}, []
        for type_name, sheet in deferred.items():
            import_id, job_id = await new_import(
                conn, account_id=account_id, import_type=ImportType(type_name),
                sources=[ImportSource(workbook, WORKBOOK_LAYOUT, sheet)],
                currency=migration.currency, cutover=migration.cutover_date,
                date_order=migration.date_order)
            created[type_name] = import_id
            jobs.append(job_id)
        await save_attachments(conn, migration, created, deferred={})
    await enqueue_created(redis, jobs, queue_name)
    return created


async def import_file(pool: asyncpg.Pool, redis: ArqRedis, *, account_id: str,
                      import_type: ImportType | None, filename: str, data: bytes,
                      queue_name: str, quota: UploadQuota, by: Actor,
                      date_order: str | None = None) -> str:
    """POST /imports: a standalone import of one file, a provider's own export (any
    provider's native layout, recognised by its content) or a CSV in the wizard's own
    columns (its `import_type` given); its ID. The account's active migration, if any,
    gives the currency, the cutover date its rows are checked against and, unless given
    here, the date order."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge()
    await check_upload_quota(pool, account_id, quota, files=1, size=len(data))
    found = await asyncio.to_thread(_recognise_standalone, filename, data, import_type)
    store = WizardStore(pool)
    active = await store.active_migration(account_id)
    async with pool.acquire() as conn, conn.transaction():
        await check_upload_quota(conn, account_id, quota, files=1, size=len(data), lock=True)
        upload_id = await store_upload(conn, account_id=account_id, filename=filename,
                                       file_format=found.file_format, data=data,
                                       sha256=found.sha256, by=by)
        import_id, job_id = await new_import(
            conn, account_id=account_id, import_type=found.import_type,
            sources=[ImportSource(upload_id, found.layout.name, found.sheet)],
            currency=active.currency if active else "GBP",
            cutover=active.cutover_date if active else None,
            date_order=date_order or (active.date_order if active else None))
    await enqueue_created(redis, [job_id], queue_name)
    return import_id


def _recognise_standalone(filename: str, data: bytes, import_type: ImportType | None
                          ) -> Recognised:
    """The file's layout: a provider's export, else (with a type) the wizard's columns."""
    try:
        found = recognise(filename, data, native_layouts())
    except ReaderFailed:  # the file crashed its reader, or needed more than its caps
        raise
    except InvalidFile as native:
        if is_workbook(data):
            raise _unplaced_workbook(filename, data, native) from None
        if data.startswith(ZIP_MAGIC) or data[:8] == CFB_MAGIC:
            raise  # no text: said as what it is, and no type makes it a CSV
        if import_type is None:
            raise InvalidFile(f"{native.message} Or, for a CSV file in the wizard's own "
                              "columns, give its type (contacts, balances, invoices or "
                              "bills).") from None
        return recognise(filename, data, [layout_named("generic.csv")], import_type)
    if import_type is not None and import_type is not found.import_type:
        raise ImportTypeMismatch(
            f"{filename} is a {found.layout.title} ({found.layout.name}), which holds "
            f"{found.import_type.value}, but the upload's type is {import_type.value}. Leave "
            "type out, or upload the file that holds "
            f"{import_type.value}.")
    return found


def _unplaced_workbook(filename: str, data: bytes, native: InvalidFile) -> InvalidFile:
    """An .xlsx POST /imports does not read (it reads a workbook only as a Xero or
    QuickBooks export): said as a workbook, and where it goes."""
    try:
        sheets = check_workbook(data, filename)
    except InvalidFile:
        return native  # the workbook's own problem (macros, damage, ...), said as it is
    if not missing_sheets(sheets):
        found = ", ".join(match_sheets(sheets).values())
        return InvalidFile(
            f"{filename} is a FreeAgent export workbook (sheets {found}), which POST "
            "/imports does not read: upload it to POST /migrations/{id}/upload-provider of "
            "a FreeAgent migration, which imports each sheet.")
    return InvalidFile(
        f"{native.message} {filename} is an Excel workbook: POST /imports reads a workbook "
        "only when it is a Xero or QuickBooks export. A FreeAgent export workbook goes to "
        "POST /migrations/{id}/upload-provider; a file in the wizard's own columns must be a "
        "CSV (in Excel: File > Save As > CSV UTF-8), sent with its type.")
