"""The target's one writer (worker/target/writer.py): from memory, every record written in
order with its references mapped, and a reference that does not resolve refusing the whole
write; a staged write leaving the transaction's planner settings as it found them; a
legacy organisation's live entity refused a second time. (A staged line whose document
was not staged: test_staging_copy.py.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg
import pytest

from worker.db.types import Conn
from worker.target.errors import CommitMismatch, LiveAlreadyExists
from worker.target.records import (
    Books,
    Customer,
    Document,
    Entity,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from worker.target.writer import create_entity, write_records, write_staged

ENTITY = "ent_writer_test"


def _books(line_account: str = "1200") -> Books:
    customer = Customer("k", "acme", "Acme Ltd", None, None, None, None, None, None, None,
                        None, None, None, None, None, "contact")
    return Books(
        ledger_accounts=[LedgerAccount("1200", "Debtors", "asset"),
                         LedgerAccount("3000", "Opening balances", "equity")],
        customers=[customer],
        documents=[Document("k", "INV-1", "invoice", "INV-1", date(2026, 1, 5), None, "GBP",
                            False, False, "acme", {"name": "Acme Ltd"}, 1000, 1200, 0, 1200,
                            Decimal(0), False),
                   Document("k", "INV-2", "invoice", "INV-2", date(2026, 1, 6), None, "GBP",
                            False, False, "nobody", None, 500, 600, 0, 600, Decimal(0),
                            False)],
        journal_entries=[JournalEntry("invoice", "INV-1", date(2026, 1, 5), "INV-1"),
                         JournalEntry("invoice", "INV-2", date(2026, 1, 6), "INV-2")],
        journal_lines=[JournalLine("invoice", "INV-1", line_account, "GBP", 1200, 0),
                       JournalLine("invoice", "INV-1", "3000", "GBP", 0, 1200),
                       JournalLine("invoice", "INV-2", "1200", "GBP", 600, 0),
                       JournalLine("invoice", "INV-2", "3000", "GBP", 0, 600)])


async def _entity(conn: Conn) -> None:
    await create_entity(conn, Entity(ENTITY, "sandbox", "Writer test", "GBP", None))


async def test_records_in_memory_are_written_with_their_references(db: asyncpg.Pool) -> None:
    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await _entity(conn)
            written = await write_records(conn, ENTITY, _books())
            assert written == {"ledger_accounts": 2, "customers": 1, "documents": 2,
                               "journal_entries": 2, "journal_lines": 4}
            documents = await conn.fetch(
                "SELECT d.legacy_id, c.name FROM target.documents d "
                "LEFT JOIN target.customers c ON c.id = d.customer_id "
                "WHERE d.entity_id = $1 ORDER BY d.id", ENTITY)
            # a document whose contact is not among the records has none, as when staged
            assert [tuple(r) for r in documents] == [("INV-1", "Acme Ltd"), ("INV-2", None)]
            entries = await conn.fetch("SELECT legacy_id FROM target.journal_entries "
                                       "WHERE entity_id = $1 ORDER BY id", ENTITY)
            assert [r[0] for r in entries] == ["INV-1", "INV-2"]  # the journal's order
            await conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every entry balances
        finally:
            await transaction.rollback()


async def test_a_line_naming_an_unknown_account_refuses_the_write(db: asyncpg.Pool) -> None:
    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await _entity(conn)
            with pytest.raises(CommitMismatch) as refused:
                await write_records(conn, ENTITY, _books(line_account="9999"))
            assert refused.value.code == "COMMIT_MISMATCH"
            assert refused.value.message == (
                "The write was rolled back, nothing was written: ledger account '9999' is "
                "not among the records written.")
        finally:
            await transaction.rollback()
    assert await db.fetchval("SELECT count(*) FROM target.entities WHERE id = $1",
                             ENTITY) == 0


async def test_a_staged_write_hash_joins_and_then_plans_as_before(db: asyncpg.Pool) -> None:
    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await _entity(conn)
            assert await write_staged(conn, "job_nothing_staged", ENTITY) == {
                "taxes": 0, "tax_rates": 0, "customers": 0, "items": 0, "documents": 0,
                "document_lines": 0, "payments": 0}
            assert await conn.fetchval("SHOW enable_nestloop") == "on"
        finally:
            await transaction.rollback()


async def test_a_legacy_organisation_reaches_live_once(db: asyncpg.Pool) -> None:
    def live(n: int) -> Entity:
        return Entity(f"{ENTITY}_{n}", "live", "Books", "EUR", None,
                      legacy_org_id="org_writer_test")

    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await create_entity(conn, live(1))
            with pytest.raises(LiveAlreadyExists) as refused:
                await create_entity(conn, live(2))
            assert (refused.value.code, refused.value.message) == (
                "ALREADY_MIGRATED", "This legacy organisation was already migrated to live by "
                "another job; nothing was written. Use a sandbox migration to try again.")
        finally:
            await transaction.rollback()
