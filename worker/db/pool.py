"""The asyncpg connection pool, with JSON codecs set on every connection."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

_JSONB_VERSION = b"\x01"


def _encode_jsonb(value: Any) -> bytes:
    return _JSONB_VERSION + orjson.dumps(value)


def _decode_jsonb(data: bytes) -> Any:
    return orjson.loads(data[1:])


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Binary codecs, so that COPY (always binary in asyncpg) can carry json values too.
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb,
        schema="pg_catalog", format="binary",
    )
    await conn.set_type_codec(
        "json", encoder=orjson.dumps, decoder=orjson.loads,
        schema="pg_catalog", format="binary",
    )


async def _reset_if_needed(conn: asyncpg.Connection) -> None:
    """Before a connection goes back to the pool: roll back what its user left open.
    asyncpg's default also resets session state (RESET ALL, UNLISTEN *, advisory locks),
    one more round trip per query; nothing here sets session state on a pool's connection
    (settings are SET LOCAL, locks transaction-scoped, LISTEN on a connection of its own)."""
    if conn.is_in_transaction():
        await conn.reset()


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10,
                      application_name: str = "migration-service") -> asyncpg.Pool:
    """A pool whose connections encode and decode json/jsonb with orjson.

    `application_name` shows in pg_stat_activity, so that an operator (or a test) can
    tell the workers' connections from the API's.
    """
    pool: asyncpg.Pool | None = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection,
        reset=_reset_if_needed, server_settings={"application_name": application_name},
    )
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    """One connection, set up like the pool's."""
    conn: Any = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn  # type: ignore[no-any-return]
