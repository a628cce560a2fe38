"""API keys: created for operators, stored as digests, resolved to account IDs."""

from __future__ import annotations

import asyncpg

from worker.db.queries import q
from worker.ids import new_token
from worker.secrets_box import digest_api_key

KEY_PREFIX = "mwk_"


async def create_api_key(pool: asyncpg.Pool, account_ids: list[str]) -> str:
    """A new key with access to these accounts (created if new); returns the key itself,
    which is shown once and never stored."""
    if not account_ids:
        raise ValueError("an API key needs at least one account")
    key = new_token(KEY_PREFIX)
    async with pool.acquire() as conn, conn.transaction():
        key_id = await conn.fetchval(q("insert_api_key"), digest_api_key(key), key[:10])
        for account_id in account_ids:
            await conn.execute(q("insert_account"), account_id)
            await conn.execute(q("grant_api_key_account"), key_id, account_id)
    return key


async def accounts_of_key(pool: asyncpg.Pool, api_key: str) -> list[str]:
    """The accounts a key may act for; empty for an unknown or revoked key."""
    rows = await pool.fetch(q("accounts_of_api_key"), digest_api_key(api_key))
    return [r["account_id"] for r in rows]
