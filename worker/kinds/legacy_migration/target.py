"""Writes a job's staged data to the target, set-wise, inside the caller's transaction."""

from __future__ import annotations

import asyncpg

from worker.db.queries import q
from worker.db.types import Conn

# Order matters: each kind's source IDs are mapped to target IDs by joining kinds
# written before it.
COMMIT_ORDER = ("taxes", "tax_rates", "customers", "items", "documents", "document_lines",
                "payments")


class CommitMismatch(RuntimeError):
    """The target did not receive exactly what was staged (the commit rolls back)."""


class LiveAlreadyExists(RuntimeError):
    """The legacy organisation already has a live entity."""


async def write_entity(conn: Conn, job_id: str, entity_id: str,
                       environment: str) -> None:
    try:
        created = await conn.fetchval(q("insert_entity"), job_id, entity_id, environment)
    except asyncpg.UniqueViolationError as exc:
        if "entities_one_live_per_legacy_org" in str(exc):
            raise LiveAlreadyExists(job_id) from None
        raise
    if created is None:
        raise CommitMismatch("the legacy organisation was not staged (step 1)")


async def write_records(conn: Conn, job_id: str, entity_id: str) -> dict[str, int]:
    """Insert every staged kind; returns rows written per kind, checked against staging."""
    counts = await conn.fetchrow(q("staged_row_counts"), job_id)
    assert counts is not None
    staged = dict(counts)
    written: dict[str, int] = {}
    for kind in COMMIT_ORDER:
        status = await conn.execute(q(f"commit_{kind}"), job_id, entity_id)
        written[kind] = int(status.rsplit(" ", 1)[-1])
        if written[kind] != staged[kind]:
            raise CommitMismatch(f"{kind}: staged {staged[kind]}, written {written[kind]}")
    return written
