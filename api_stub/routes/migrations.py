"""The migration wizard's migrations (wizard-api.md): create, read, attach imports, upload
the provider workbook and its deferred sheets, validate, execute (and its dry run), abandon,
history."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from api_stub.auth import Account, State, actor
from api_stub.errors import BODY_ERRORS, InvalidUpload, route_errors
from api_stub.request_text import form_text
from api_stub.wizard_objects import (
    AttachImports,
    CreateMigration,
    DateOrder,
    DryRunOut,
    ExecuteOut,
    MigrationHistory,
    MigrationOut,
    ProviderUploadOut,
    SheetOut,
    UploadedFileOut,
    ValidationOut,
    import_out,
    migration_out,
)
from worker.kinds.wizard_execute.enqueue import execute_migration
from worker.kinds.wizard_execute.rehearsal import dry_run
from worker.kinds.wizard_import.bundles import BundleFile
from worker.kinds.wizard_import.enqueue import upload_deferred, upload_provider_workbook
from worker.kinds.wizard_import.errors import (
    FileTooLarge,
    InvalidFile,
    MissingSheets,
    UploadQuotaExceeded,
    UploadRateExceeded,
)
from worker.kinds.wizard_import.layouts import NATIVE_PROVIDERS
from worker.kinds.wizard_import.provider_upload import upload_provider_files
from worker.kinds.wizard_import.quota import UploadQuota
from worker.services import Services
from worker.wizard import reads
from worker.wizard.errors import (
    BalancesNotConfirmed,
    CashVatNotSupported,
    ExecuteFailed,
    InvalidCutoverDate,
    InvalidImport,
    InvalidTransition,
    MigrationNotFound,
    MigrationSingletonViolation,
    ProviderNotAutomated,
)
from worker.wizard.gates import GatesFailed, validate_migration
from worker.wizard.migrations import (
    HISTORY_LIMIT,
    abandon_migration,
    attach_imports,
    attachments,
    create_migration,
)

router = APIRouter(prefix="/migrations", tags=["migration wizard"])

DEFAULT_WAIT_SECONDS = 30.0


async def migration_object(state: Services, migration_id: str, account: str,
                           row: reads.MigrationWithJob | None = None) -> MigrationOut:
    """The migration as the API shows it, with its imports."""
    row = row or await reads.migration(state.pool, migration_id, account)
    wanted = [i for i in attachments(row).values() if i]
    return migration_out(row, await reads.imports(state.pool, wanted, account))


@router.post("", status_code=201, response_model=MigrationOut, summary="Start a migration",
             responses=route_errors(BODY_ERRORS, MigrationSingletonViolation,
                                    CashVatNotSupported, InvalidCutoverDate))
async def create(body: CreateMigration, account: Account, state: State,
                 request: Request) -> MigrationOut:
    row = await create_migration(state.pool, account_id=account, provider=body.provider,
                                 cutover=body.cutover_date, today=datetime.now(UTC).date(),
                                 currency=body.currency, date_order=body.date_order,
                                 by=actor(request, account))
    return await migration_object(state, row.id, account, row)


@router.get("/active", response_model=MigrationOut | None,
            summary="The account's active migration, or null", responses=route_errors())
async def active(account: Account, state: State) -> MigrationOut | None:
    row = await reads.active_migration(state.pool, account)
    return None if row is None else await migration_object(state, row.id, account, row)


@router.get("/history", response_model=MigrationHistory,
            summary=f"Up to {HISTORY_LIMIT} migrations, newest first", responses=route_errors())
async def history(account: Account, state: State) -> MigrationHistory:
    rows = await reads.history(state.pool, account, HISTORY_LIMIT)
    return MigrationHistory(data=[await migration_object(state, r.id, account, r)
                                  for r in rows])


@router.get("/{migration_id}", response_model=MigrationOut, summary="A migration",
            responses=route_errors(MigrationNotFound))
async def get(migration_id: str, account: Account, state: State) -> MigrationOut:
    return await migration_object(state, migration_id, account)


@router.delete("/{migration_id}", response_model=MigrationOut,
               summary="Abandon a migration (releases the one-active-migration rule)",
               responses=route_errors(MigrationNotFound, InvalidTransition))
async def abandon(migration_id: str, account: Account, state: State,
                  request: Request) -> MigrationOut:
    row = await abandon_migration(state.pool, migration_id=migration_id, account_id=account,
                                  by=actor(request, account))
    return await migration_object(state, migration_id, account, row)


@router.post("/{migration_id}/upload-provider", status_code=202,
             response_model=ProviderUploadOut,
             summary="Upload the provider's export: FreeAgent's .xlsx, or Xero's or "
                     "QuickBooks' files (or one .zip of them); workers import them",
             responses=route_errors(MigrationNotFound, InvalidUpload, InvalidFile, MissingSheets,
                                    FileTooLarge, InvalidTransition, ProviderNotAutomated,
                                    UploadQuotaExceeded, UploadRateExceeded))
async def upload_provider(
    migration_id: str, account: Account, state: State, request: Request,
    file: Annotated[list[UploadFile], File(description=(
        "FreeAgent: the .xlsx export. Xero, QuickBooks: each export file (repeat the "
        "field), or one .zip of them."))],
    date_order: Annotated[DateOrder, Form(alias="dateOrder", description=(
        "DMY or MDY, for dates that read either way; kept as the migration's."))
    ] = None,  # type: ignore[assignment]
) -> ProviderUploadOut:
    files = [BundleFile(form_text(f.filename or f"file-{i + 1}", "file"), await f.read())
             for i, f in enumerate(file)]
    provider = await _provider(state, migration_id, account)
    if provider in NATIVE_PROVIDERS:
        native = await upload_provider_files(
            state.pool, state.redis, migration_id=migration_id, account_id=account,
            uploaded=files, queue_name=state.settings.queue_name,
            quota=UploadQuota.of(state.settings), date_order=date_order,
            by=actor(request, account))
        imports_found, sheets = native.imports, []
        shown = [UploadedFileOut(name=f.name, sha256=f.sha256, layout=f.layout.name,
                                 type=f.import_type.value) for f in native.files]
    elif provider != "freeagent":
        raise ProviderNotAutomated()
    else:
        if len(files) != 1:
            raise InvalidFile(f"A FreeAgent migration takes one file, the .xlsx export; "
                              f"{len(files)} were sent.")
        (workbook,) = files
        found = await upload_provider_workbook(
            state.pool, state.redis, migration_id=migration_id, account_id=account,
            filename=workbook.name, data=workbook.data,
            queue_name=state.settings.queue_name, quota=UploadQuota.of(state.settings),
            date_order=date_order, by=actor(request, account))
        imports_found = found.imports
        sheets = [SheetOut(name=name, type=t.value if t else None) for name, t in found.sheets]
        shown = [UploadedFileOut(name=workbook.name,
                                 sha256=hashlib.sha256(workbook.data).hexdigest(),
                                 layout="freeagent.workbook", type=None)]
    migration = await migration_object(state, migration_id, account)
    imports = await reads.imports(state.pool, list(imports_found.values()), account)
    return ProviderUploadOut(
        migration=migration, files=shown, sheets=sheets,
        uploads={t: import_out(imports[i]) for t, i in imports_found.items()})


async def _provider(state: Services, migration_id: str, account: str) -> str:
    return (await reads.migration(state.pool, migration_id, account)).provider


@router.post("/{migration_id}/upload-deferred", response_model=ProviderUploadOut,
             summary="Import the deferred invoice and bill sheets (balances confirmed first)",
             responses={202: {"model": ProviderUploadOut, "description": "Imports queued."},
                        **route_errors(MigrationNotFound, BalancesNotConfirmed,
                                       InvalidTransition)})
async def deferred(migration_id: str, account: Account, state: State) -> JSONResponse:
    created = await upload_deferred(state.pool, state.redis, migration_id=migration_id,
                                    account_id=account, queue_name=state.settings.queue_name)
    migration = await migration_object(state, migration_id, account)
    imports = await reads.imports(state.pool, list(created.values()), account)
    body = ProviderUploadOut(migration=migration, files=[], sheets=[],
                             uploads={t: import_out(imports[i]) for t, i in created.items()})
    return JSONResponse(body.model_dump(mode="json"), status_code=202 if created else 200)


@router.post("/{migration_id}/upload", response_model=MigrationOut,
             summary="Attach (an ID) or detach (null) imports",
             responses=route_errors(BODY_ERRORS, MigrationNotFound, InvalidImport,
                                    InvalidTransition))
async def attach(migration_id: str, body: AttachImports, account: Account,
                 state: State) -> MigrationOut:
    changes = {name.removesuffix("_import_id"): getattr(body, name)
               for name in body.model_fields_set}
    row = await attach_imports(state.pool, migration_id=migration_id, account_id=account,
                               changes=changes)
    return await migration_object(state, migration_id, account, row)


@router.post("/{migration_id}/validate", response_model=ValidationOut,
             summary="Run the gates; all passing moves the migration to ready_to_execute",
             responses=route_errors(MigrationNotFound, InvalidTransition, CashVatNotSupported))
async def validate(migration_id: str, account: Account, state: State) -> ValidationOut:
    status, gates = await validate_migration(state.pool, migration_id=migration_id,
                                             account_id=account)
    return ValidationOut.model_validate({
        "ready": all(g.passed for g in gates), "status": status,
        "gates": [{"code": g.code, "passed": g.passed, "message": g.message} for g in gates]})


@router.post("/{migration_id}/execute", response_model=ExecuteOut | DryRunOut,
             summary="Execute (or, with dryRun, rehearse) the migration atomically",
             responses={202: {"model": MigrationOut, "description": "Still executing."},
                        **route_errors(MigrationNotFound, InvalidTransition, ExecuteFailed,
                                       GatesFailed, CashVatNotSupported)})
async def execute(
    migration_id: str, account: Account, state: State, request: Request,
    wait: Annotated[float, Query(ge=0, le=120, description="Seconds to wait for it.")] =
        DEFAULT_WAIT_SECONDS,
    dry_run_: Annotated[bool, Query(alias="dryRun")] = False,
) -> Any:
    if dry_run_:
        journal, proof = await dry_run(state.pool, migration_id=migration_id,
                                       account_id=account)
        return DryRunOut(migration_id=migration_id, dry_run=True, journal=journal,
                         reconciliation=proof)
    outcome = await execute_migration(state.pool, state.redis, migration_id=migration_id,
                                      account_id=account, wait_seconds=wait,
                                      queue_name=state.settings.queue_name,
                                      by=actor(request, account))
    if outcome is None:  # still executing
        migration = await migration_object(state, migration_id, account)
        return JSONResponse(migration.model_dump(mode="json"), status_code=202)
    return ExecuteOut(migration_id=migration_id, status="completed", reconciliation=outcome)
