"""The standalone importers (wizard-api.md): a CSV file of one type becomes an import that a
worker parses; read it, confirm it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from api_stub.auth import Account, State
from api_stub.errors import route_errors
from api_stub.wizard_objects import ImportOut, import_out
from worker.kinds.wizard_import.enqueue import confirm_import, import_csv
from worker.kinds.wizard_import.errors import FileTooLarge, InvalidFile
from worker.wizard.errors import ImportNotConfirmable, ImportNotFound, ImportNotReady
from worker.wizard.records import ImportType
from worker.wizard.store import WizardStore

router = APIRouter(prefix="/imports", tags=["migration wizard"])


async def import_object(state: State, import_id: str, account: str) -> ImportOut:
    found = (await WizardStore.imports(state.pool, [import_id], account)).get(import_id)
    if found is None:
        raise ImportNotFound(f"There is no import {import_id!r} in this account.")
    return import_out(found)


@router.post("", status_code=202, response_model=ImportOut,
             summary="Import a CSV file of contacts, balances, invoices or bills",
             responses=route_errors(InvalidFile, FileTooLarge))
async def create(account: Account, state: State,
                 file: Annotated[UploadFile, File(description="The CSV file (UTF-8).")],
                 type: Annotated[ImportType, Form(description="What the file holds.")],
                 ) -> ImportOut:
    data = await file.read()
    import_id = await import_csv(state.pool, state.redis, account_id=account,
                                 import_type=type, filename=file.filename or "import.csv",
                                 data=data, queue_name=state.settings.queue_name)
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
