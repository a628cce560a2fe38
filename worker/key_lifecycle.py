"""Listing, revoking and rotating API keys (spec/security.md, Keys and audit). A key is
named by its ID or its visible prefix: only its digest is stored, so the key itself can
never be shown again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from worker.db.queries import q
from worker.db.types import Conn
from worker.errors import ServiceError
from worker.ids import KEY_PREFIX, OPERATOR_KEY_PREFIX, new_token
from worker.store import audit
from worker.store.api_keys import (
    ApiKeyRow,
    NamedKeyRow,
    all_api_keys,
    api_keys_named,
    insert_api_key,
)
from worker.store.audit import Actor

__all__ = ["ApiKeyRow", "KeyAlreadyRevoked", "KeyAlreadyRotated", "KeyNotFound",
           "list_api_keys", "revoke_api_key", "rotate_api_key"]


class KeyNotFound(ServiceError):
    """No API key has this ID or prefix (or several share the prefix); see the key list."""

    code = "API_KEY_NOT_FOUND"
    status = 404


class KeyAlreadyRotated(ServiceError):
    """This API key was rotated already: rotate its replacement instead."""

    code = "API_KEY_ALREADY_ROTATED"
    status = 409


class KeyAlreadyRevoked(ServiceError):
    """This API key is revoked: it cannot be rotated; create a new key instead."""

    code = "API_KEY_ALREADY_REVOKED"
    status = 409


async def list_api_keys(pool: asyncpg.Pool) -> list[ApiKeyRow]:
    """Every key: ID, prefix, operator or accounts, label, created, last used, expiry,
    revoked (or rotated, and its grace end)."""
    return await all_api_keys(pool)


async def _one_key(conn: Conn, ident: str) -> NamedKeyRow:
    rows = await api_keys_named(conn, ident.strip())
    if not rows:
        raise KeyNotFound(f"No API key has the ID or prefix {ident!r}; see the key list "
                          "(GET /ops/keys, or `keys list` on a host of the service).")
    if len(rows) > 1:
        ids = ", ".join(str(r.id) for r in rows)
        raise KeyNotFound(f"Several API keys have the prefix {ident!r} (IDs {ids}); "
                          "name one by its ID.")
    return rows[0]


def _key_facts(row: NamedKeyRow) -> dict[str, Any]:
    """What names a key in an audit entry: never the key, nor its digest."""
    return {"key_prefix": row.key_prefix, "label": row.label,
            "operator": row.operator, "accounts": list(row.accounts)}


def _one_account(row: NamedKeyRow) -> str | None:
    """The key's account when it has one (an entry is filed under it); else None."""
    return str(row.accounts[0]) if len(row.accounts) == 1 else None


async def revoke_api_key(pool: asyncpg.Pool, ident: str, *,
                         by: Actor) -> tuple[int, datetime]:
    """Revoke the key now; its ID and when it stopped working."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _one_key(conn, ident)
        at: datetime = await conn.fetchval(q("revoke_api_key"), row.id)
        if not row.revoked:  # revoking a revoked key again changes nothing
            await conn.execute(q("notify_api_key_revoked"), row.id)
            await audit.record(conn, by, "key.revoked", subject=str(row.id),
                               account_id=_one_account(row), details=_key_facts(row))
    return row.id, at


async def rotate_api_key(pool: asyncpg.Pool, ident: str, grace: timedelta, *,
                         by: Actor) -> tuple[str, int, datetime]:
    """A new key with the same accounts, label and expiry; the old one works until the grace
    period ends. Returns the new key (to show once), the old key's ID and its grace end."""
    async with pool.acquire() as conn, conn.transaction():
        old = await _one_key(conn, ident)
        if old.revoked:
            raise KeyAlreadyRevoked(f"API key {old.id} is revoked; create a new one "
                                    "instead.")
        if old.rotated_at is not None:  # two live successors would be one too many
            raise KeyAlreadyRotated(f"API key {old.id} was rotated already (replaced by "
                                    f"key {old.replaced_by}); rotate that one instead.")
        key = new_token(OPERATOR_KEY_PREFIX if old.operator else KEY_PREFIX)
        new_id = await insert_api_key(conn, key, tuple(old.accounts),
                                      operator=old.operator, label=old.label,
                                      expires_at=old.expires_at)
        grace_end = await conn.fetchval("SELECT now() + $1::interval", grace)
        ends: datetime = await conn.fetchval(q("retire_rotated_api_key"), old.id,
                                             grace_end, new_id)
        # caches re-read the old key, and learn when its grace period ends
        await conn.execute(q("notify_api_key_revoked"), old.id)
        await audit.record(conn, by, "key.rotated", subject=str(old.id),
                           account_id=_one_account(old), details={
            **_key_facts(old), "new_key_id": new_id, "new_key_prefix": key[:10],
            "grace_ends": ends.isoformat()})
    return key, old.id, ends
