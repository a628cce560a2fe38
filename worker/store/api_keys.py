"""API keys: created for accounts or for operators, stored as digests, resolved on each
request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg

from worker.db.queries import q
from worker.db.rows import row_as, rows_as
from worker.db.types import Conn
from worker.ids import KEY_PREFIX, OPERATOR_KEY_PREFIX, new_token
from worker.secrets_box import digest_api_key
from worker.store import audit
from worker.store.audit import Actor


@dataclass(frozen=True)
class ApiKey:
    """What a key may do: act for its accounts, or (an operator's) read and act on every
    account's jobs through /ops."""

    id: int
    operator: bool
    accounts: tuple[str, ...]
    # when it stops working (its expiry, or a rotation's grace end), so that a cached key
    # is not trusted past it
    valid_until: datetime | None = None
    # what names it in the audit log: its visible prefix and label
    prefix: str = ""
    label: str | None = None


@dataclass(frozen=True)
class KeyRefused:
    """A key that exists but no longer works: revoked (a rotation's grace period ended
    counts as revoked) or expired, and since when."""

    id: int
    reason: Literal["revoked", "expired"]
    at: datetime
    rotated: bool = False


@dataclass(frozen=True, slots=True)
class KeyLookupRow:
    """A key found by its digest, with its accounts and whether it has stopped working."""

    id: int
    operator: bool
    key_prefix: str
    label: str | None
    revoked_at: datetime | None
    expires_at: datetime | None
    rotated_at: datetime | None
    revoked: bool | None  # revoked_at <= now(): None when revoked_at is None
    expired: bool | None  # likewise for expires_at
    accounts: list[str]


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    """A key as operators list it: never its digest."""

    id: int
    key_prefix: str
    operator: bool
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_at: datetime | None
    replaced_by: int | None
    accounts: list[str]


@dataclass(frozen=True, slots=True)
class NamedKeyRow:
    """A key an operator named (by ID or prefix) to revoke or rotate."""

    id: int
    key_prefix: str
    operator: bool
    label: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_at: datetime | None
    replaced_by: int | None
    revoked: bool | None  # revoked_at <= now(): None when revoked_at is None
    accounts: list[str]


async def create_api_key(pool: asyncpg.Pool, account_ids: list[str], *, by: Actor,
                         operator: bool = False, label: str | None = None,
                         expires_at: datetime | None = None) -> str:
    """A new key with access to these accounts (created if new), or an operator's key (no
    account); returns the key itself, which is shown once and never stored."""
    if operator == bool(account_ids):
        raise ValueError("a key is either an operator's (no account) or an account key "
                         "(at least one account)")
    key = new_token(OPERATOR_KEY_PREFIX if operator else KEY_PREFIX)
    async with pool.acquire() as conn, conn.transaction():
        key_id = await insert_api_key(conn, key, account_ids, operator=operator,
                                      label=label, expires_at=expires_at)
        await audit.record(
            conn, by, "key.created", subject=str(key_id),
            account_id=account_ids[0] if len(account_ids) == 1 else None,
            details={"key_prefix": key[:10], "label": label, "operator": operator,
                     "accounts": list(account_ids),
                     "expires_at": expires_at.isoformat() if expires_at else None})
    return key


async def insert_api_key(conn: Conn, key: str, account_ids: Sequence[str], *,
                         operator: bool, label: str | None,
                         expires_at: datetime | None) -> int:
    """Store `key` (its digest and visible prefix only) in the caller's transaction."""
    key_id: int = await conn.fetchval(q("insert_api_key"), digest_api_key(key), key[:10],
                                      operator, label, expires_at)
    for account_id in account_ids:
        await conn.execute(q("insert_account"), account_id)
        await conn.execute(q("grant_api_key_account"), key_id, account_id)
    return key_id


async def find_api_key(pool: asyncpg.Pool, api_key: str) -> ApiKey | KeyRefused | None:
    """The key; KeyRefused when it was revoked or has expired; None when it is unknown."""
    record = await pool.fetchrow(q("api_key_of_digest"), digest_api_key(api_key))
    if record is None:
        return None
    row = row_as(KeyLookupRow, record)
    if row.revoked and row.revoked_at is not None:
        return KeyRefused(row.id, "revoked", row.revoked_at,
                          rotated=row.rotated_at is not None)
    if row.expired and row.expires_at is not None:
        return KeyRefused(row.id, "expired", row.expires_at)
    ends = [t for t in (row.revoked_at, row.expires_at) if t is not None]
    return ApiKey(row.id, row.operator, tuple(row.accounts),
                  valid_until=min(ends) if ends else None, prefix=row.key_prefix,
                  label=row.label)


async def all_api_keys(pool: asyncpg.Pool) -> list[ApiKeyRow]:
    """Every key, by ID."""
    return rows_as(ApiKeyRow, await pool.fetch(q("api_keys_listed")))


async def api_keys_named(conn: Conn, ident: str) -> list[NamedKeyRow]:
    """The keys with this ID or visible prefix: several when a prefix is ambiguous."""
    return rows_as(NamedKeyRow, await conn.fetch(q("api_keys_matching"), ident))
