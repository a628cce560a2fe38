"""The standalone importers (wizard-api.md, provider-imports.md): one file, a provider's own
export or a CSV in the wizard's columns, becomes an import that a worker reads; read it,
confirm it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from api_stub.auth import Account, State, actor
from api_stub.errors import InvalidUpload, route_errors
from api_stub.request_text import form_text
from api_stub.wizard_objects import DateOrder, ImportOut, import_out
from worker.kinds.wizard_import.enqueue import import_file
from worker.kinds.wizard_import.errors import (
    FileTooLarge,
    ImportTypeMismatch,
    InvalidFile,
    UploadQuotaExceeded,
    UploadRateExceeded,
)
from worker.kinds.wizard_import.quota import UploadQuota
from worker.wizard import reads
from worker.wizard.confirm import confirm_import
from worker.wizard.errors import ImportNotConfirmable, ImportNotFound, ImportNotReady
from worker.wizard.records import ImportType

router = APIRouter(prefix="/imports", tags=["migration wizard"])


async def import_object(state: State, import_id: str, account: str) -> ImportOut:
    return import_out(await reads.one_import(state.pool, import_id, account))


@router.post("", status_code=202, response_model=ImportOut,
             summary="Import one file: a provider's own export (recognised by its content), "
                     "or a CSV of contacts, balances, invoices or bills in the wizard's columns",
             responses=route_errors(InvalidUpload, InvalidFile, FileTooLarge,
                                    ImportTypeMismatch, UploadQuotaExceeded,
                                    UploadRateExceeded))
async def create(
    account: Account, state: State, request: Request,
    file: Annotated[UploadFile, File(description="The file: CSV or .xlsx.")],
    # not `| None`: a form field cannot be null, and the OpenAPI document should not say so
    type: Annotated[ImportType, Form(description=(
        "What the file holds; needed for a CSV in the wizard's own columns, and must agree "
        "with a provider export's."))] = None,  # type: ignore[assignment]
    date_order: Annotated[DateOrder, Form(alias="dateOrder", description=(
        "DMY or MDY, for dates that read either way."))] = None,  # type: ignore[assignment]
) -> ImportOut:
    data = await file.read()
    filename = form_text(file.filename or "import.csv", "file")
    import_id = await import_file(state.pool, state.redis, account_id=account,
                                  import_type=type, filename=filename,
                                  data=data, queue_name=state.settings.queue_name,
                                  quota=UploadQuota.of(state.settings), date_order=date_order,
                                  by=actor(request, account))
    return await import_object(state, import_id, account)


@router.get("/{import_id}", response_model=ImportOut, summary="An import, its counts and errors",
            responses=route_errors(ImportNotFound))
async def get(import_id: str, account: Account, state: State) -> ImportOut:
    return await import_object(state, import_id, account)


@router.post("/{import_id}/confirm", response_model=ImportOut,
             summary="Confirm an import that needs review",
             responses=route_errors(ImportNotFound, ImportNotReady, ImportNotConfirmable))
async def confirm(import_id: str, account: Account, state: State) -> ImportOut:
    await confirm_import(state.pool, import_id=import_id, account_id=account)
    return await import_object(state, import_id, account)
