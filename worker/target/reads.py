"""What a write left in the target, read back: the proof stands on these, not on what was
meant to be written."""

from __future__ import annotations

from dataclasses import dataclass

from worker.db.queries import q
from worker.db.types import Conn


@dataclass(frozen=True)
class AccountTotal:
    """What the journal posted to one account, read back from the target."""

    account_code: str
    account_name: str
    debit_minor: int
    credit_minor: int


async def account_totals(conn: Conn, entity_id: str) -> list[AccountTotal]:
    """Per ledger account of the entity, in code order: its debits and credits."""
    return [AccountTotal(**dict(r)) for r in await conn.fetch(q("account_totals"), entity_id)]
