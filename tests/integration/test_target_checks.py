"""The target's references and journal balance, checked once per statement (migration
0014): each refusal a foreign key or the per-line trigger made is still made, with the same
error class, and nothing is written."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from worker.db.types import Conn
from worker.ids import new_entity_id

ENTITY_SQL = ("INSERT INTO target.entities (id, environment, name, currency) "
              "VALUES ($1, 'sandbox', 'Checks Ltd', 'GBP')")
CUSTOMER_SQL = ("INSERT INTO target.customers (entity_id, legacy_id, name, legacy_type) "
                "VALUES ($1, $2, 'A customer', 'customer') RETURNING id")
DOCUMENT_SQL = ("INSERT INTO target.documents (entity_id, kind, legacy_id, currency, "
                "customer_id, total_minor, total_with_tax_minor, paid_minor, due_minor) "
                "VALUES ($1, 'invoice', $2, 'GBP', $3, 100, 120, 0, 120) RETURNING id")
ACCOUNT_SQL = ("INSERT INTO target.ledger_accounts (entity_id, code, name) "
               "VALUES ($1, $2, $2) RETURNING id")
ENTRY_SQL = ("INSERT INTO target.journal_entries (entity_id, kind, legacy_id, entry_date) "
             "VALUES ($1, 'manual', $2, '2026-09-30') RETURNING id")
LINES_SQL = ("INSERT INTO target.journal_lines (entry_id, account_id, currency, debit_minor, "
             "credit_minor) SELECT $1, unnest($2::bigint[]), 'GBP', unnest($3::bigint[]), "
             "unnest($4::bigint[])")


@pytest.fixture
async def entity(db: asyncpg.Pool) -> str:
    """A committed entity with a customer `c1` and ledger accounts `1` and `2`."""
    entity_id = new_entity_id()
    async with db.acquire() as conn:
        await conn.execute(ENTITY_SQL, entity_id)
        await conn.execute(CUSTOMER_SQL, entity_id, "c1")
        await conn.execute(ACCOUNT_SQL, entity_id, "1")
        await conn.execute(ACCOUNT_SQL, entity_id, "2")
    return entity_id


async def _one(db: Conn | asyncpg.Pool, sql: str, *args: object) -> int:
    value = await db.fetchval(sql, *args)
    assert isinstance(value, int)
    return value


async def test_a_reference_to_a_missing_row_is_refused(db: asyncpg.Pool, entity: str) -> None:
    customer = await _one(db, "SELECT id FROM target.customers WHERE entity_id = $1", entity)
    with pytest.raises(asyncpg.ForeignKeyViolationError,
                       match=r'"target\.documents" violates its reference to target\.customers'):
        await db.execute(DOCUMENT_SQL, entity, "d1", customer + 1_000_000)
    with pytest.raises(asyncpg.ForeignKeyViolationError, match=r"target\.entities"):
        await db.execute(DOCUMENT_SQL, "ent_nobody", "d1", customer)
    with pytest.raises(asyncpg.ForeignKeyViolationError, match=r"target\.documents"):
        await db.execute("INSERT INTO target.document_lines (document_id, position, quantity, "
                         "unit_price) VALUES (-1, 0, 1, 1)")
    # one bad row among good ones refuses the whole statement
    with pytest.raises(asyncpg.ForeignKeyViolationError, match=r"Key \(customer_id\)=\(-5\)"):
        await db.execute(
            "INSERT INTO target.documents (entity_id, kind, legacy_id, currency, customer_id, "
            "total_minor, total_with_tax_minor, paid_minor, due_minor) "
            "SELECT $1, 'invoice', 'many-' || n, 'GBP', CASE WHEN n = 7 THEN -5 ELSE $2 END, "
            "1, 1, 0, 1 FROM generate_series(1, 10) n", entity, customer)
    assert await db.fetchval("SELECT count(*) FROM target.documents WHERE entity_id = $1",
                             entity) == 0
    # a NULL reference is no reference, as with a foreign key
    await db.execute(DOCUMENT_SQL, entity, "no-customer", None)


async def test_an_update_to_a_missing_row_is_refused(db: asyncpg.Pool, entity: str) -> None:
    customer = await _one(db, "SELECT id FROM target.customers WHERE entity_id = $1", entity)
    document = await _one(db, DOCUMENT_SQL, entity, "d1", customer)
    with pytest.raises(asyncpg.ForeignKeyViolationError, match=r"target\.customers"):
        await db.execute("UPDATE target.documents SET customer_id = -1 WHERE id = $1", document)
    assert await db.fetchval("SELECT customer_id FROM target.documents WHERE id = $1",
                             document) == customer


async def test_a_referenced_row_cannot_be_deleted_or_rekeyed(db: asyncpg.Pool,
                                                             entity: str) -> None:
    customer = await _one(db, "SELECT id FROM target.customers WHERE entity_id = $1", entity)
    await db.execute(DOCUMENT_SQL, entity, "d1", customer)
    with pytest.raises(asyncpg.ForeignKeyViolationError,
                       match=r"is still referenced from table target\.documents"):
        await db.execute("DELETE FROM target.customers WHERE id = $1", customer)
    with pytest.raises(asyncpg.ForeignKeyViolationError, match=r"target\.documents"):
        await db.execute("UPDATE target.customers SET id = DEFAULT WHERE id = $1", customer)
    # an update that keeps the key, and the delete of a row nobody references, go through
    await db.execute("UPDATE target.customers SET name = 'Renamed' WHERE id = $1", customer)
    spare = await _one(db, CUSTOMER_SQL, entity, "c2")
    await db.execute("DELETE FROM target.customers WHERE id = $1", spare)


async def test_a_row_being_referenced_cannot_be_deleted_meanwhile(db: asyncpg.Pool,
                                                                  entity: str) -> None:
    """The insert locks what it references (FOR KEY SHARE): a concurrent delete waits for
    it, then sees the new reference and is refused."""
    spare = await _one(db, CUSTOMER_SQL, entity, "c-race")
    async with db.acquire() as inserter, db.acquire() as deleter:
        transaction = inserter.transaction()
        await transaction.start()
        await inserter.execute(DOCUMENT_SQL, entity, "d-race", spare)
        delete = asyncio.ensure_future(
            deleter.execute("DELETE FROM target.customers WHERE id = $1", spare))
        await asyncio.sleep(0.5)
        assert not delete.done()  # it waits for the inserter's lock
        await transaction.commit()
        with pytest.raises(asyncpg.ForeignKeyViolationError, match=r"target\.documents"):
            await delete
    assert await db.fetchval("SELECT count(*) FROM target.customers WHERE id = $1", spare) == 1


async def test_an_entry_must_balance_at_commit_whatever_wrote_its_lines(
        db: asyncpg.Pool, entity: str) -> None:
    account = "SELECT id FROM target.ledger_accounts WHERE entity_id = $1 AND code = $2"
    debit, credit = await _one(db, account, entity, "1"), await _one(db, account, entity, "2")
    async with db.acquire() as conn:
        # balanced across two statements of one transaction: accepted
        async with conn.transaction():
            entry = await _one(conn, ENTRY_SQL, entity, "e1")
            await conn.execute(LINES_SQL, entry, [debit], [100], [0])
            await conn.execute(LINES_SQL, entry, [credit], [0], [100])
        # a later transaction adds one side only to that entry
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute(LINES_SQL, entry, [debit], [5], [0])
        with pytest.raises(asyncpg.CheckViolationError,
                           match=f"journal entry {entry} does not balance: debits - credits = 5$"):
            await transaction.commit()
        # an update of one side, and a delete of one line: both refused at commit
        for change in ("UPDATE target.journal_lines SET debit_minor = 99 "
                       "WHERE entry_id = $1 AND debit_minor > 0",
                       "DELETE FROM target.journal_lines WHERE entry_id = $1 AND credit_minor > 0"):
            transaction = conn.transaction()
            await transaction.start()
            await conn.execute(change, entry)
            with pytest.raises(asyncpg.CheckViolationError, match=r"does not balance"):
                await transaction.commit()
        # a line moved to another entry unbalances both
        transaction = conn.transaction()
        await transaction.start()
        other = await _one(conn, ENTRY_SQL, entity, "e2")
        await conn.execute("UPDATE target.journal_lines SET entry_id = $2 "
                           "WHERE entry_id = $1 AND debit_minor > 0", entry, other)
        with pytest.raises(asyncpg.CheckViolationError, match=r"does not balance"):
            await transaction.commit()
    lines = await db.fetch("SELECT debit_minor, credit_minor FROM target.journal_lines "
                           "WHERE entry_id = $1 ORDER BY debit_minor", entry)
    assert [tuple(r) for r in lines] == [(0, 100), (100, 0)]
    # the balanced transaction's note was deleted by its check, not committed
    assert await db.fetchval("SELECT count(*) FROM target.journal_balance_checks") == 0


async def test_only_entries_a_statement_left_unbalanced_are_summed_at_commit(
        db: asyncpg.Pool, entity: str) -> None:
    """A statement whose lines net to zero per entry (an execute's one COPY) notes nothing
    for the commit to check; one that leaves entries unbalanced notes exactly those."""
    account = "SELECT id FROM target.ledger_accounts WHERE entity_id = $1 AND code = $2"
    debit, credit = await _one(db, account, entity, "1"), await _one(db, account, entity, "2")
    noted = "SELECT entry_ids FROM target.journal_balance_checks"
    async with db.acquire() as conn, conn.transaction():
        first = await _one(conn, ENTRY_SQL, entity, "n1")
        second = await _one(conn, ENTRY_SQL, entity, "n2")
        await conn.execute(LINES_SQL, first, [debit, credit], [7, 0], [0, 7])
        assert await conn.fetch(noted) == []
        await conn.execute("INSERT INTO target.journal_lines (entry_id, account_id, currency, "
                           "debit_minor, credit_minor) VALUES ($1, $3, 'GBP', 3, 0), "
                           "($2, $3, 'GBP', 4, 0), ($2, $4, 'GBP', 0, 4)",
                           first, second, debit, credit)
        assert [r["entry_ids"] for r in await conn.fetch(noted)] == [[first]]
        await conn.execute(LINES_SQL, first, [credit], [0], [3])  # balanced again
    # the commit passed: both entries are written and nothing noted is left
    assert await db.fetchval("SELECT count(*) FROM target.journal_lines WHERE entry_id = ANY($1)",
                             [first, second]) == 6
    assert await db.fetchval("SELECT count(*) FROM target.journal_balance_checks") == 0
