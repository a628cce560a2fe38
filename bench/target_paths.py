"""Which set-wise path into the target is faster, for both kinds of input (issue 21).

    .venv/bin/python -m bench.target_paths [--documents 100000] [--repeat 3]

A scratch database of its own (`migration_worker_target_paths`, recreated). The records are
shaped as the large legacy organisation's bulk: `--documents` documents with two lines each,
as many payments, a customer per five documents. Each write runs in a transaction that is
rolled back; the two paths alternate, `--repeat` times, and the medians are printed:

1. **records already staged** (the legacy kind: its steps staged them page by page):
   - *INSERT … SELECT*: `worker.target.writer.write_staged`, the target's one path;
   - *COPY*: the staged rows read to the client, source keys mapped to target IDs there, and
     COPYed into the target, table by table;
2. **records in memory** (the wizard's execute builds them from its imports):
   - *INSERT … SELECT*: COPYed into staging (`worker.staging.copy.copy_records`), then
     `write_staged`: the path;
   - *COPY*: COPYed straight into the target, IDs mapped in between (the wizard's writer
     before issue 21).

The baseline of each is the other path, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from bench.stack import find_services
from harness.database import drop_database, recreate_database
from worker.db.pool import connect
from worker.db.schema import apply_migrations
from worker.db.types import Conn
from worker.staging.copy import copy_records
from worker.target.records import Customer, Document, DocumentLine, Entity, Payment
from worker.target.writer import create_entity, write_staged

NAME = "migration_worker_target_paths"
STAGED_KEY = "job_bench_staged"
MEMORY_KEY = "job_bench_memory"

Records = dict[type[tuple[Any, ...]], list[Any]]


def make_records(key: str, documents: int) -> Records:
    customers = [Customer(key, f"c{i}", f"Customer {i}", "1 High St", None, "Leeds", "LS1",
                          "United Kingdom", "GB", None, None, None, None, None, None,
                          "customer") for i in range(max(1, documents // 5))]
    docs, lines, payments = [], [], []
    for i in range(documents):
        docs.append(Document(key, f"d{i}", "invoice", f"INV-{i}", date(2026, 1, 1),
                             date(2026, 2, 1), "GBP", False, False, f"c{i % len(customers)}",
                             None, 10000, 12000, 12000, 0, Decimal(0), True))
        lines += [DocumentLine(key, f"d{i}", position, "Work", None, Decimal(1), None,
                               Decimal(50), Decimal(0), [], []) for position in range(2)]
        payments.append(Payment(key, f"p{i}", f"d{i}", 12000, Decimal(0), "GBP",
                                date(2026, 1, 15), "bank", None))
    return {Customer: customers, Document: docs, DocumentLine: lines, Payment: payments}


async def _ids(conn: Conn, table: str, key: str, entity_id: str) -> dict[str, int]:
    return {r[0]: r[1] for r in await conn.fetch(
        f"SELECT {key}, id FROM target.{table} WHERE entity_id = $1", entity_id)}


async def copy_into_target(conn: Conn, records: Records, entity_id: str) -> None:
    """The COPY path: records in the client, source keys mapped to IDs between tables."""
    async def copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        await conn.copy_records_to_table(table, schema_name="target", columns=columns,
                                         records=rows)

    await copy("customers", ["entity_id", "legacy_id", "name", "address", "city", "zip",
                             "country", "country_code", "legacy_type"],
               [(entity_id, c.legacy_id, c.name, c.address, c.city, c.zip, c.country,
                 c.country_code, c.legacy_type) for c in records[Customer]])
    customers = await _ids(conn, "customers", "legacy_id", entity_id)
    await copy("documents", ["entity_id", "kind", "legacy_id", "number", "issued_on", "due_on",
                             "currency", "customer_id", "total_minor", "total_with_tax_minor",
                             "paid_minor", "due_minor", "paid_in_full"],
               [(entity_id, d.kind, d.legacy_id, d.number, d.issued_on, d.due_on, d.currency,
                 customers.get(d.customer_legacy_id or ""), d.total_minor,
                 d.total_with_tax_minor, d.paid_minor, d.due_minor, d.paid_in_full)
                for d in records[Document]])
    documents = await _ids(conn, "documents", "legacy_id", entity_id)
    await copy("document_lines", ["document_id", "position", "name", "quantity",
                                  "unit_price", "discount_percent"],
               [(documents[line.document_legacy_id], line.position, line.name, line.quantity,
                 line.unit_price, line.discount_percent) for line in records[DocumentLine]])
    await copy("payments", ["entity_id", "legacy_id", "document_id", "amount_minor",
                            "currency", "paid_on", "method"],
               [(entity_id, p.legacy_id, documents[p.document_legacy_id], p.amount_minor,
                 p.currency, p.paid_on, p.method) for p in records[Payment]])


async def read_staged(conn: Conn, key: str) -> Records:
    """A job's staged records, read to the client."""
    found: Records = {}
    for record_type, table in ((Customer, "customers"), (Document, "documents"),
                               (DocumentLine, "document_lines"), (Payment, "payments")):
        columns = ", ".join(record_type._fields)
        found[record_type] = [record_type(*r) for r in await conn.fetch(
            f"SELECT {columns} FROM staging.{table} WHERE job_id = $1", key)]
    return found


async def timed(conn: Conn, write: Callable[[str], Awaitable[None]]) -> float:
    """Seconds `write` takes, from the entity's creation; rolled back."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        started = time.perf_counter()
        entity_id = f"ent_bench_{time.monotonic_ns()}"
        await create_entity(conn, Entity(entity_id, "sandbox", "Bench", "GBP", None))
        await write(entity_id)
        return time.perf_counter() - started
    finally:
        await transaction.rollback()


async def main(url: str, documents: int, repeat: int) -> None:
    await recreate_database(url)
    conn = await connect(url)
    try:
        await apply_migrations(conn)
        staged = make_records(STAGED_KEY, documents)
        for record_type, rows in staged.items():
            await copy_records(conn, record_type, rows)
        await conn.execute("VACUUM ANALYZE")
        memory = make_records(MEMORY_KEY, documents)
        total = sum(len(rows) for rows in memory.values())
        print(f"{total:,} records a write ({documents:,} documents); {repeat} rounds, "
              "alternating; medians")

        async def staged_select(entity_id: str) -> None:
            await write_staged(conn, STAGED_KEY, entity_id)

        async def staged_copy(entity_id: str) -> None:
            await copy_into_target(conn, await read_staged(conn, STAGED_KEY), entity_id)

        async def memory_select(entity_id: str) -> None:
            for record_type, rows in memory.items():
                await copy_records(conn, record_type, rows)
            await write_staged(conn, MEMORY_KEY, entity_id)

        async def memory_copy(entity_id: str) -> None:
            await copy_into_target(conn, memory, entity_id)

        for label, ours, other in (("records already staged", staged_select, staged_copy),
                                   ("records in memory", memory_select, memory_copy)):
            times: dict[str, list[float]] = {"INSERT … SELECT": [], "COPY": []}
            for _ in range(repeat):
                times["INSERT … SELECT"].append(await timed(conn, ours))
                times["COPY"].append(await timed(conn, other))
            select, copy = (statistics.median(t) for t in times.values())
            print(f"{label}: INSERT … SELECT {select:.2f} s ({total / select:,.0f} records/s), "
                  f"COPY {copy:.2f} s ({total / copy:,.0f} records/s): "
                  f"INSERT … SELECT takes {select / copy:.2f}× COPY's time")
    finally:
        await conn.close()
        await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(main(find_services(db=NAME).database_url, options.documents, options.repeat))
