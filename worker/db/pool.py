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


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10,
                      application_name: str = "migration-service") -> asyncpg.Pool:
    """A pool whose connections encode and decode json/jsonb with orjson.

    `application_name` shows in pg_stat_activity, so that an operator (or a test) can
    tell the workers' connections from the API's.
    """
    pool: asyncpg.Pool | None = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection,
        server_settings={"application_name": application_name},
    )
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    """One connection, set up like the pool's."""
    conn: Any = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn  # type: ignore[no-any-return]
