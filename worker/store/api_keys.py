"""API keys: created for accounts or for operators, stored as digests, resolved on each
request."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from worker.db.queries import q
from worker.ids import new_token
from worker.secrets_box import digest_api_key

KEY_PREFIX = "mwk_"
OPERATOR_KEY_PREFIX = "mwo_"


@dataclass(frozen=True)
class ApiKey:
    """What a key may do: act for its accounts, or (an operator's) read and act on every
    account's jobs through /ops."""

    id: int
    operator: bool
    accounts: tuple[str, ...]


async def create_api_key(pool: asyncpg.Pool, account_ids: list[str], *,
                         operator: bool = False) -> str:
    """A new key with access to these accounts (created if new), or an operator's key (no
    account); returns the key itself, which is shown once and never stored."""
    if operator == bool(account_ids):
        raise ValueError("a key is either an operator's (no account) or an account key "
                         "(at least one account)")
    key = new_token(OPERATOR_KEY_PREFIX if operator else KEY_PREFIX)
    async with pool.acquire() as conn, conn.transaction():
        key_id = await conn.fetchval(q("insert_api_key"), digest_api_key(key), key[:10],
                                     operator)
        for account_id in account_ids:
            await conn.execute(q("insert_account"), account_id)
            await conn.execute(q("grant_api_key_account"), key_id, account_id)
    return key


async def find_api_key(pool: asyncpg.Pool, api_key: str) -> ApiKey | None:
    """The key, or None when it is unknown or revoked."""
    row = await pool.fetchrow(q("api_key_of_digest"), digest_api_key(api_key))
    if row is None:
        return None
    return ApiKey(row["id"], row["operator"], tuple(row["accounts"]))
