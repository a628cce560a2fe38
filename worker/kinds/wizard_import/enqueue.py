"""Creating imports: a file is checked and stored, then one import job per sheet (or CSV
file) is queued. The request never parses rows; workers do (worker.kinds.wizard_import).

    provider upload: the FreeAgent workbook → contacts and balances imports now, invoices
                     and bills sheets deferred until the balances are confirmed;
    upload-deferred: the deferred sheets → invoices and bills imports;
    standalone:      one CSV file → one import of the given type.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
from arq.connections import ArqRedis

from worker.db.types import Conn
from worker.enqueue import enqueue_created, record_job
from worker.ids import new_id
from worker.kinds.wizard_import.columns import match_sheets, missing_sheets
from worker.kinds.wizard_import.csv_rows import iter_csv_rows
from worker.kinds.wizard_import.errors import FileTooLarge, InvalidFile, MissingSheets
from worker.kinds.wizard_import.file_checks import MAX_FILE_BYTES, check_workbook
from worker.kinds.wizard_import.kind import WIZARD_IMPORT
from worker.kinds.wizard_import.rows import RowParser
from worker.wizard.errors import (
    BalancesNotConfirmed,
    ImportNotConfirmable,
    ImportNotFound,
    ImportNotReady,
    ProviderNotAutomated,
)
from worker.wizard.migrations import locked_migration, require_editable, save_attachments
from worker.wizard.records import ImportType
from worker.wizard.store import WizardStore

DEFERRED = (ImportType.INVOICES, ImportType.BILLS)


@dataclass(frozen=True)
class ProviderUpload:
    """What a provider upload found and started."""

    sheets: list[tuple[str, ImportType | None]]  # every sheet, and the import it feeds
    imports: dict[str, str]  # import type -> the new import's ID


async def _store_upload(conn: Conn, *, account_id: str, filename: str, file_format: str,
                        data: bytes) -> str:
    upload_id = new_id("upl")
    await WizardStore.insert_upload(conn, upload_id, account_id=account_id, filename=filename,
                                    file_format=file_format, content=data,
                                    sha256=hashlib.sha256(data).hexdigest())
    return upload_id


async def _new_import(conn: Conn, *, account_id: str, import_type: ImportType,
                      upload_id: str, sheet: str | None, currency: str,
                      cutover: date | None) -> tuple[str, str]:
    """A queued import and its job, inside the caller's transaction: (import ID, job ID)."""
    import_id = new_id("dimp")

    async def fields(conn: Conn, job_id: str) -> None:
        await WizardStore.insert_import(conn, import_id, account_id=account_id,
                                        import_type=import_type, upload_id=upload_id,
                                        sheet=sheet, currency=currency, cutover=cutover,
                                        job_id=job_id)

    job = await record_job(conn, kind=WIZARD_IMPORT, account_id=account_id,
                           singleton_key=import_id, fields=fields, id_prefix="job")
    return import_id, job["id"]


async def upload_provider_workbook(
    pool: asyncpg.Pool, redis: ArqRedis, *, migration_id: str, account_id: str,
    filename: str, data: bytes, queue_name: str,
) -> ProviderUpload:
    """POST /migrations/{id}/upload-provider: check and store the workbook, queue the
    contacts and balances imports, attach them; the invoice and bill sheets wait."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge()
    async with pool.acquire() as conn, conn.transaction():
        migration = await locked_migration(conn, migration_id, account_id)
        if migration["provider"] != "freeagent":
            raise ProviderNotAutomated()
        require_editable(migration, "uploading a workbook")
        names = check_workbook(data, filename)
        missing = missing_sheets(names)
        if missing:
            raise MissingSheets(
                f"The workbook has no {' and no '.join(missing)} sheet (it has: "
                f"{', '.join(names) or 'no sheets'}). Export them from FreeAgent, or rename "
                "the sheets, and upload again.")
        found = match_sheets(names)
        upload_id = await _store_upload(conn, account_id=account_id, filename=filename,
                                        file_format="xlsx", data=data)
        created, jobs = {}, []
        for import_type in (ImportType.CONTACTS, ImportType.BALANCES):
            import_id, job_id = await _new_import(
                conn, account_id=account_id, import_type=import_type, upload_id=upload_id,
                sheet=found[import_type], currency=migration["currency"],
                cutover=migration["cutover_date"])
            created[import_type.value] = import_id
            jobs.append(job_id)
        deferred = {t.value: found[t] for t in DEFERRED if t in found}
        # a new workbook replaces what an earlier one attached, deferred sheets included
        await save_attachments(conn, migration, {**created, "invoices": None, "bills": None},
                               provider_upload_id=upload_id, deferred=deferred)
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
        balances_id = migration["balances_import_id"]
        balances = (await WizardStore.imports(conn, [balances_id], account_id)).get(
            balances_id) if balances_id else None
        if balances is None or balances["confirmed_at"] is None:
            raise BalancesNotConfirmed()
        deferred: dict[str, str] = dict(migration["deferred_sheets"])
        if not deferred:
            return {}
        created, jobs = {}, []
        for type_name, sheet in deferred.items():
            import_id, job_id = await _new_import(
                conn, account_id=account_id, import_type=ImportType(type_name),
                upload_id=migration["provider_upload_id"], sheet=sheet,
                currency=migration["currency"], cutover=migration["cutover_date"])
            created[type_name] = import_id
            jobs.append(job_id)
        await save_attachments(conn, migration, created, deferred={})
    await enqueue_created(redis, jobs, queue_name)
    return created


async def import_csv(pool: asyncpg.Pool, redis: ArqRedis, *, account_id: str,
                     import_type: ImportType, filename: str, data: bytes,
                     queue_name: str) -> str:
    """POST /imports: a standalone import of one CSV file; its ID. The account's active
    migration, if any, gives the currency and the cutover date its rows are checked
    against."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InvalidFile(
            f"The file is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} is not "
            "valid UTF-8. Save it as 'CSV UTF-8' and upload it again.") from None
    _check_csv_header(data, import_type, filename)
    store = WizardStore(pool)
    active = await store.active_migration(account_id)
    async with pool.acquire() as conn, conn.transaction():
        upload_id = await _store_upload(conn, account_id=account_id, filename=filename,
                                        file_format="csv", data=data)
        import_id, job_id = await _new_import(
            conn, account_id=account_id, import_type=import_type, upload_id=upload_id,
            sheet=None, currency=active["currency"] if active else "GBP",
            cutover=active["cutover_date"] if active else None)
    await enqueue_created(redis, [job_id], queue_name)
    return import_id


def _check_csv_header(data: bytes, import_type: ImportType, filename: str) -> None:
    """The header is a CSV file's first line (freeagent-workbook.md): check it now, so that a
    file of the wrong type or without a header is refused before anything is stored."""
    parser = RowParser(import_type, filename)
    for number, cells in iter_csv_rows(data):
        parser.parse(number, cells)
        break
    if not parser.header_found:
        raise InvalidFile(
            f"The first line of {filename} is not a header with the columns of a "
            f"{import_type.value} import: {parser.missing_header()}")


async def confirm_import(pool: asyncpg.Pool, *, import_id: str, account_id: str) -> None:
    """needs_review → confirmed, unless something blocks it (its blockers say what)."""
    store = WizardStore(pool)
    if await store.confirm_import(import_id, account_id):
        return
    found: Any = (await WizardStore.imports(pool, [import_id], account_id)).get(import_id)
    if found is None:
        raise ImportNotFound(f"There is no import {import_id!r} in this account.")
    if found["confirmed_at"] is not None:
        raise ImportNotReady(f"Import {import_id} is already confirmed.")
    if found["job_status"] != "completed":
        state = {"pending": "queued", "running": "still processing"}.get(
            found["job_status"], "failed")
        raise ImportNotReady(f"Import {import_id} is {state}: only an import that needs "
                             "review can be confirmed.")
    raise ImportNotConfirmable(f"Import {import_id} cannot be confirmed: "
                               + " ".join(found["blockers"]))
