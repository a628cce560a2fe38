"""The audit log as operators read it (GET /ops/audit, the dashboard, `ops audit`): entries
newest first, filtered, a page at a time. The entries are written by the actions themselves,
in their own transactions (worker/store/audit.py)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from worker.store.audit import AuditEntryRow, AuditFilter, entries

__all__ = ["AuditEntryRow", "AuditFilter", "AuditPage", "audit_page"]


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntryRow]
    has_more: bool
    next_before: int | None  # the ID to read on from: the last entry's, when more follow


async def audit_page(pool: asyncpg.Pool, where: AuditFilter, *, before: int | None,
                     limit: int) -> AuditPage:
    """Up to `limit` entries matching `where`, older than entry `before` if given."""
    rows = await entries(pool, where, before_id=before, limit=limit + 1)
    more = len(rows) > limit
    return AuditPage(rows[:limit], more, rows[limit - 1].id if more else None)
