"""The operators' keys (/ops/keys): list every API key, revoke one, rotate one (a new key,
the old one working for a grace period). Operator keys only. A key is named by its ID or
its visible prefix: only digests are stored, so no answer ever holds a key except the new
one a rotation returns, once."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api_stub.auth import Operator, State, actor
from api_stub.errors import BODY_ERRORS, route_errors
from api_stub.schemas import Strict
from worker import key_lifecycle
from worker.key_lifecycle import ApiKeyRow, KeyAlreadyRevoked, KeyAlreadyRotated, KeyNotFound
from worker.models import iso_millis

router = APIRouter(prefix="/ops/keys", tags=["operators"])

# a path segment: a key's ID or its prefix (mwk_ or mwo_ and six hex digits)
KEY_REF = r"^(\d{1,18}|mw[ko]_[0-9a-f]{1,40})$"


class KeyOut(BaseModel):
    id: int
    prefix: str = Field(description="The key's first characters: how to recognise it.")
    operator: bool
    accounts: list[str]
    label: str | None
    created_at: str | None
    last_used_at: str | None = Field(description="Written by each web process at most once "
                                                 "a minute (API_KEY_USED_FLUSH_SECONDS).")
    expires_at: str | None
    revoked_at: str | None = Field(description="When it stopped (or, in a rotation's grace "
                                               "period, will stop) working.")
    rotated_at: str | None
    replaced_by: int | None


class KeyList(BaseModel):
    keys: list[KeyOut]


class Revoked(BaseModel):
    id: int
    revoked_at: str | None


class RotateBody(Strict):
    grace_seconds: int = Field(86400, ge=0, le=30 * 86400,
                               description="How long the old key keeps working (default a "
                                           "day; at most 30 days).")


class Rotated(BaseModel):
    id: int = Field(description="The old key's ID.")
    key: str = Field(description="The new key: shown this once, stored only as a digest.")
    old_key_works_until: str | None


def _out(row: ApiKeyRow) -> KeyOut:
    return KeyOut(id=row.id, prefix=row.key_prefix, operator=row.operator,
                  accounts=list(row.accounts), label=row.label,
                  created_at=iso_millis(row.created_at),
                  last_used_at=iso_millis(row.last_used_at),
                  expires_at=iso_millis(row.expires_at),
                  revoked_at=iso_millis(row.revoked_at),
                  rotated_at=iso_millis(row.rotated_at), replaced_by=row.replaced_by)


@router.get("", response_model=KeyList, summary="Every API key (never the key itself)",
            responses=route_errors())
async def list_keys(state: State, _: Operator) -> KeyList:
    return KeyList(keys=[_out(r) for r in await key_lifecycle.list_api_keys(state.pool)])


@router.post("/{key}/revoke", response_model=Revoked,
             summary="Revoke a key now: refused by every web process within a second",
             responses=route_errors(KeyNotFound))
async def revoke(key: str, request: Request, state: State, _: Operator) -> Revoked:
    key_id, at = await key_lifecycle.revoke_api_key(state.pool, _checked(key),
                                                    by=actor(request))
    return Revoked(id=key_id, revoked_at=iso_millis(at))


@router.post("/{key}/rotate", response_model=Rotated,
             summary="A new key with the same access; the old one works for the grace period",
             responses=route_errors(KeyNotFound, KeyAlreadyRevoked, KeyAlreadyRotated,
                                    *BODY_ERRORS))
async def rotate(key: str, request: Request, state: State, _: Operator,
                 body: RotateBody | None = None) -> Rotated:
    grace = timedelta(seconds=(body or RotateBody()).grace_seconds)
    new_key, old_id, ends = await key_lifecycle.rotate_api_key(state.pool, _checked(key),
                                                               grace, by=actor(request))
    return Rotated(id=old_id, key=new_key, old_key_works_until=iso_millis(ends))


def _checked(key: str) -> str:
    """An ID or a prefix; anything else names no key (and never reaches a query as text
    that could be a whole key)."""
    if re.match(KEY_REF, key) is None:  # not echoed: it might be a whole key
        raise KeyNotFound("Name a key by its ID or its prefix (e.g. mwk_1a2b3c), as GET "
                          "/ops/keys lists them.")
    return key
