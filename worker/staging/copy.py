"""Bulk loads into staging with COPY, idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from worker.db.types import Conn
from worker.target.records import STAGING_TABLES


async def copy_rows(
    conn: Conn, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> int:
    """COPY `rows` into staging.`table`; returns how many were new.

    The fast path is a plain COPY. If the page overlaps rows already staged (a source
    that shifted under offset paging, or a take-over mid-page), it falls back to a
    temporary table merged with ON CONFLICT DO NOTHING: nothing is ever staged twice.
    """
    if not rows:
        return 0
    try:
        async with conn.transaction():  # a savepoint: a conflict undoes only this COPY
            await conn.copy_records_to_table(
                table, schema_name="staging", columns=list(columns), records=rows
            )
        return len(rows)
    except asyncpg.UniqueViolationError:
        pass
    temp = f"incoming_{table}"
    await conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {temp} "
        f"(LIKE staging.{table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    await conn.execute(f"TRUNCATE {temp}")
    await conn.copy_records_to_table(temp, columns=list(columns), records=rows)
    cols = ", ".join(columns)
    status = await conn.execute(
        f"INSERT INTO staging.{table} ({cols}) SELECT {cols} FROM {temp} ON CONFLICT DO NOTHING"
    )
    return int(status.rsplit(" ", 1)[-1])


async def copy_records(conn: Conn, record_type: type[tuple[Any, ...]],
                       records: Sequence[tuple[Any, ...]]) -> int:
    """Stage the target's canonical records (worker/target/records.py) of one type, as
    `copy_rows` does; returns how many were new."""
    return await copy_rows(conn, STAGING_TABLES[record_type],
                           record_type._fields,  # type: ignore[attr-defined]
                           records)
