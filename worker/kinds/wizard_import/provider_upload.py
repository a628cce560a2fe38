"""POST /migrations/{id}/upload-provider for Xero and QuickBooks (provider-imports.md,
"Uploading"): one or more export files, or one .zip of them, each recognised by its content
as one of the provider's layouts; one import per import type (contacts from a customer and
a vendor list make one import), all queued at once and attached, each replacing what an
earlier upload attached of its type. One file refused refuses the whole request: nothing
is stored or attached, and the refusal names the file.

Unlike FreeAgent's workbook, nothing is deferred: the provider's invoices and bills are
separate files the user chose to upload, and their imports only stage rows; confirming
them, and the gates, still come after the balances."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg
from arq.connections import ArqRedis

from worker.enqueue import enqueue_created
from worker.kinds.wizard_import.bundles import BundleFile, is_workbook, is_zip, unpack_bundle
from worker.kinds.wizard_import.enqueue import ImportSource, new_import, store_upload
from worker.kinds.wizard_import.errors import FilesConflict, FileTooLarge, InvalidFile
from worker.kinds.wizard_import.file_checks import MAX_FILE_BYTES
from worker.kinds.wizard_import.layouts import NATIVE_PROVIDERS, native_layouts
from worker.kinds.wizard_import.quota import UploadQuota, check_upload_quota
from worker.kinds.wizard_import.recognition import Recognised, recognise
from worker.store.audit import Actor
from worker.wizard.errors import MigrationNotFound, ProviderNotAutomated
from worker.wizard.migrations import locked_migration, require_editable, save_attachments
from worker.wizard.records import ImportType
from worker.wizard.store import WizardStore

MAX_FILES = 20


@dataclass(frozen=True)
class NativeUpload:
    """What an upload of a provider's files found and started."""

    files: list[Recognised]
    imports: dict[str, str]  # import type -> the new import's ID


def _files(uploaded: list[BundleFile]) -> list[BundleFile]:
    """The files of the request: as sent, or the members of the one .zip sent."""
    if not uploaded:
        raise InvalidFile("The upload has no file: send each export file in a field named "
                          "'file', or one .zip of them.")
    if len(uploaded) > MAX_FILES:
        raise InvalidFile(f"The upload has {len(uploaded)} files; at most {MAX_FILES} can be "
                          "sent at once.")
    for file in uploaded:
        if len(file.data) > MAX_FILE_BYTES:
            raise FileTooLarge(
                f"{file.name} is {len(file.data) / 1024 / 1024:.1f} MB; the limit is 10 MB a "
                "file. Send a larger export inside a .zip (its files may be up to 100 MB "
                "each).")
    if len(uploaded) == 1 and is_zip(uploaded[0].data) and not is_workbook(uploaded[0].data):
        return unpack_bundle(uploaded[0].data, uploaded[0].name)
    for file in uploaded:
        if is_zip(file.data) and not is_workbook(file.data):
            raise InvalidFile(f"{file.name} is a .zip sent beside other files: send the "
                              "export files themselves, or one .zip holding them all.")
    return uploaded


def recognise_files(provider: str, uploaded: list[BundleFile]) -> list[Recognised]:
    """Every file recognised as one of the provider's layouts, or the first refusal; and
    no two files giving the same records (contacts lists aside, which join)."""
    layouts = native_layouts(provider)
    found = [recognise(file.name, file.data, layouts) for file in _files(uploaded)]
    by_type: dict[ImportType, list[Recognised]] = {}
    for file in found:
        by_type.setdefault(file.import_type, []).append(file)
    for import_type, files in by_type.items():
        if len(files) < 2:
            continue
        layouts_seen = [f.layout.name for f in files]
        if import_type is ImportType.CONTACTS and len(set(layouts_seen)) == len(files):
            continue  # a customer and a vendor list: one contacts import of both
        first, second = files[0], files[1]
        raise FilesConflict(
            f"{first.name} ({first.layout.name}) and {second.name} ({second.layout.name}) "
            f"both give {import_type.value}: reading both would count the same "
            f"{import_type.value} twice or leave it unclear which is right. Upload one of "
            "them.")
    return found


async def upload_provider_files(
    pool: asyncpg.Pool, redis: ArqRedis, *, migration_id: str, account_id: str,
    uploaded: list[BundleFile], queue_name: str, quota: UploadQuota, by: Actor,
    date_order: str | None = None,
) -> NativeUpload:
    """Recognise, store and queue the provider's files; attach their imports."""
    asked = await WizardStore(pool).migration(migration_id, account_id)
    if asked is None:
        raise MigrationNotFound.named(migration_id)
    provider = asked.provider
    if provider not in NATIVE_PROVIDERS:
        raise ProviderNotAutomated()
    # the request's size first (a .zip counts as sent), before anything is parsed; then
    # the files to be stored (a .zip's members, inflated)
    await check_upload_quota(pool, account_id, quota, files=len(uploaded),
                             size=sum(len(f.data) for f in uploaded))
    found = await asyncio.to_thread(recognise_files, provider, uploaded)
    async with pool.acquire() as conn, conn.transaction():
        migration = await locked_migration(conn, migration_id, account_id)
        require_editable(migration, "uploading files")
        await check_upload_quota(conn, account_id, quota, files=len(found),
                                 size=sum(len(f.data) for f in found), lock=True)
        order = date_order or migration.date_order
        sources: dict[ImportType, list[ImportSource]] = {}
        for file in found:
            upload_id = await store_upload(conn, account_id=account_id, filename=file.name,
                                           file_format=file.file_format, data=file.data,
                                           sha256=file.sha256, by=by,
                                           migration_id=migration_id)
            sources.setdefault(file.import_type, []).append(
                ImportSource(upload_id, file.layout.name, file.sheet))
        created, jobs = {}, []
        for import_type, files in sources.items():
            import_id, job_id = await new_import(
                conn, account_id=account_id, import_type=import_type, sources=files,
                currency=migration.currency, cutover=migration.cutover_date,
                date_order=order)
            created[import_type.value] = import_id
            jobs.append(job_id)
        # what this upload gives replaces what an earlier one attached of the same types;
        # the others stay (a trial balance sent after the contacts does not drop them)
        await save_attachments(conn, migration, created, deferred={})
        if date_order is not None:  # stated with the upload: the migration's from now on
            await WizardStore.set_date_order(conn, migration_id, date_order)
    await enqueue_created(redis, jobs, queue_name)
    return NativeUpload(found, created)
