"""GET and PATCH /account: the account's settings the wizard needs (its VAT scheme)."""

from __future__ import annotations

from fastapi import APIRouter

from api_stub.auth import Account, State
from api_stub.errors import BODY_ERRORS, route_errors
from api_stub.wizard_objects import Account as AccountOut
from api_stub.wizard_objects import AccountPatch
from worker.wizard import reads

router = APIRouter(prefix="/account", tags=["migration wizard"])


@router.get("", response_model=AccountOut, summary="The account's VAT scheme",
            responses=route_errors())
async def get_account(account: Account, state: State) -> AccountOut:
    scheme = await reads.vat_scheme(state.pool, account)
    return AccountOut(account_id=account, vat_scheme=scheme)


@router.patch("", response_model=AccountOut, summary="Set the account's VAT scheme",
              responses=route_errors(BODY_ERRORS))
async def patch_account(body: AccountPatch, account: Account, state: State) -> AccountOut:
    scheme = await reads.set_vat_scheme(state.pool, account, body.vat_scheme)
    return AccountOut(account_id=account, vat_scheme=scheme)
