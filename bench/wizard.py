"""The wizard's figures of issue 8, end to end through the service, beside the reader's own
rate on the same file measured in the same run (the baseline: what parsing alone costs).

    .venv/bin/python -m bench.wizard [--invoices 170000] [--workbook PATH]

A FreeAgent workbook of up to 10 MB (the largest accepted; `--invoices` extra outstanding
invoices, balanced and reconciled) goes through the whole walkthrough on a fresh stack
(database `migration_worker_wizard_bench`, Redis database 12) with one worker:

1. baseline: the invoices sheet read and validated in this process (no database);
2. the invoices import on the worker: rows per second from the job's start to its
   completion (its rows read, validated, staged with a checkpoint every 5,000 rows), and the
   worker's peak RSS;
3. the execute: the job's time from start to completion (every row written in one
   transaction, the proof read back), its steps, and the request's; and a second baseline:
   the rows it wrote COPYed again into tables of the same columns, bare and with the
   target's indexes and checks (what writing them costs without the per-row foreign keys
   and the balance trigger).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.run import peak_rss_mb
from bench.stack import ROOT, Services, find_services, start_stack
from harness.processes import create_key
from harness.wizard import Wizard
from scripts.demo_workbook import write_demo_workbook
from worker.db.pool import create_pool
from worker.kinds.wizard_import.rows import RowParser
from worker.kinds.wizard_import.xlsx_rows import iter_sheet_rows
from worker.wizard.records import ImportType

LOGS = ROOT / ".dev" / "bench-logs" / "wizard"
MAX_BYTES = 10 * 1024 * 1024


def baseline(path: Path) -> dict[str, float]:
    """The invoices sheet read and validated here, as the worker does, without the rest."""
    started = time.perf_counter()
    parser = RowParser(ImportType.INVOICES, "Outstanding Invoices")
    for number, cells in iter_sheet_rows(path.read_bytes(), "Outstanding Invoices"):
        parser.parse(number, cells)
    seconds = time.perf_counter() - started
    return {"rows": parser.data_rows, "seconds": seconds, "rate": parser.data_rows / seconds}


async def job_seconds(db: asyncpg.Pool, job_id: str) -> float:
    row = await db.fetchrow("SELECT started_at, completed_at FROM migration_jobs "
                            "WHERE id = $1", job_id)
    assert row is not None, job_id
    assert row["completed_at"] is not None, job_id
    started: datetime = row["started_at"]
    return float((row["completed_at"] - started).total_seconds())


_WRITTEN = {  # what an execute writes, selected by entity, in the target's column order
    "documents": "SELECT * FROM target.documents WHERE entity_id = $1",
    "journal_entries": "SELECT * FROM target.journal_entries WHERE entity_id = $1",
    "journal_lines": "SELECT l.* FROM target.journal_lines l JOIN target.journal_entries e "
                     "ON e.id = l.entry_id WHERE e.entity_id = $1",
}


async def write_floor(db: asyncpg.Pool, entity_id: str) -> dict[str, float]:
    """The execute's rows (read back from the target) COPYed again into temporary tables
    of the same columns: bare, then with the target's indexes and checks but no foreign
    keys and no balance trigger. What writing them costs without the target's guarantees,
    measured in the same run; each COPY is rolled back."""
    seconds = {"bare": 0.0, "indexes and checks": 0.0}
    async with db.acquire() as conn:
        for table, query in _WRITTEN.items():
            rows = await conn.fetch(query, entity_id)
            columns = list(rows[0].keys())
            records = [tuple(r) for r in rows]
            for label, like in (("bare", ""), ("indexes and checks", " INCLUDING ALL")):
                async with conn.transaction():
                    await conn.execute(f"CREATE TEMP TABLE floor_{table} (LIKE target.{table}"
                                       f"{like}) ON COMMIT DROP")
                    if like:  # the identity column takes the rows' own ids
                        await conn.execute(f"ALTER TABLE floor_{table} ALTER COLUMN id "
                                           "DROP IDENTITY IF EXISTS")
                    started = time.perf_counter()
                    await conn.copy_records_to_table(f"floor_{table}", columns=columns,
                                                     records=records)
                    seconds[label] += time.perf_counter() - started
                    await conn.execute(f"DROP TABLE floor_{table}")
    return seconds


async def execute_steps(db: asyncpg.Pool, job_id: str) -> str:
    rows = await db.fetch("SELECT step_number, finished_at - started_at AS took "
                          "FROM migration_step_runs WHERE job_id = $1 ORDER BY step_number",
                          job_id)
    return ", ".join(f"{r['step_number']} {r['took'].total_seconds():.2f} s" for r in rows)


async def measure(services: Services, path: Path) -> dict[str, Any]:
    stack = await start_stack(services, name="wizard_bench", redis_db=12, logs=LOGS)
    worker = stack.start_worker("worker")
    db = await create_pool(stack.database_url, application_name="bench")
    wizard = Wizard(stack.web_url, create_key(stack.env, "acc_bench"), "acc_bench")
    try:
        await asyncio.sleep(2)  # the worker starts
        migration = await wizard.create()
        uploaded = await wizard.upload_workbook(migration["id"], path)
        assert uploaded.status_code == 202, uploaded.text
        for found in uploaded.json()["uploads"].values():
            await wizard.wait_import(found["id"], timeout=300)
            await wizard.confirm(found["id"])
        deferred = await wizard.ok("POST", f"/migrations/{migration['id']}/upload-deferred",
                                   202)
        invoices = await wizard.wait_import(deferred["uploads"]["invoices"]["id"], timeout=600)
        bills = await wizard.wait_import(deferred["uploads"]["bills"]["id"], timeout=600)
        import_job = await db.fetchval("SELECT job_id FROM imports WHERE id = $1",
                                       invoices["id"])
        import_seconds = await job_seconds(db, import_job)
        import_rss = peak_rss_mb(worker.pid)
        for found in (invoices, bills):
            await wizard.confirm(found["id"])
        validated_at = time.perf_counter()
        validation = await wizard.ok("POST", f"/migrations/{migration['id']}/validate")
        validate_seconds = time.perf_counter() - validated_at
        assert validation["ready"], validation
        requested_at = time.perf_counter()
        executed = await wizard.ok("POST", f"/migrations/{migration['id']}/execute",
                                   params={"wait": "120"})
        request_seconds = time.perf_counter() - requested_at
        done = await db.fetchrow("SELECT execute_job_id, entity_id FROM wizard_migrations "
                                 "WHERE id = $1", migration["id"])
        assert done is not None
        execute_job, entity_id = done["execute_job_id"], done["entity_id"]
        return {"rows": invoices["totalRows"], "import_seconds": import_seconds,
                "import_rss": import_rss, "validate_seconds": validate_seconds,
                "execute_seconds": await job_seconds(db, execute_job),
                "execute_request_seconds": request_seconds,
                "execute_rss": peak_rss_mb(worker.pid),
                "execute_steps": await execute_steps(db, execute_job),
                "floor": await write_floor(db, entity_id),
                "written": executed["reconciliation"]["written"]}
    finally:
        await wizard.aclose()
        await db.close()
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=170_000)
    parser.add_argument("--workbook", type=Path, help="use this workbook instead of writing one")
    args = parser.parse_args()
    path = args.workbook
    if path is None:
        LOGS.mkdir(parents=True, exist_ok=True)
        path = LOGS / "workbook.xlsx"
        print(f"writing a workbook with {args.invoices} extra invoices ...", flush=True)
        write_demo_workbook(path, extra_invoices=args.invoices)
    size = path.stat().st_size
    assert size <= MAX_BYTES, f"{path} is {size} bytes: over the 10 MB the service accepts"
    print(f"workbook: {size / 1024 / 1024:.1f} MB", flush=True)
    base = baseline(path)
    found = asyncio.run(measure(find_services(db="migration_worker_wizard_bench", redis_db=12),
                                path))
    rows = found["rows"]
    print("\n== wizard ==")
    print(f"baseline, the invoices sheet read and validated in-process: {base['rows']} rows "
          f"in {base['seconds']:.2f} s, {base['rate']:,.0f} rows/s")
    print(f"import on the worker (read, validated, staged, checkpointed): {rows} rows in "
          f"{found['import_seconds']:.2f} s, {rows / found['import_seconds']:,.0f} rows/s "
          "(target >= 50,000)")
    print(f"worker peak RSS after the import: {found['import_rss']:.0f} MB (target < 250 MB; "
          "the reading child is capped at 384 MB)")
    print(f"validate (six gates over every staged record): {found['validate_seconds']:.2f} s")
    print(f"execute job: {found['execute_seconds']:.2f} s (target < 10 s); the request, "
          f"waiting for it: {found['execute_request_seconds']:.2f} s; written "
          f"{found['written']}")
    print(f"execute steps (1 the gates again, 2 the write and the commit): "
          f"{found['execute_steps']}")
    floor = found["floor"]
    print(f"baseline, the rows the execute wrote COPYed into tables of the same columns, in "
          f"the same run: {floor['bare']:.2f} s bare, {floor['indexes and checks']:.2f} s with "
          "the target's indexes and checks (the execute also checks each row's foreign keys "
          "and, at commit, that each journal entry balances)")
    print(f"worker peak RSS after the execute: {found['execute_rss']:.0f} MB")


if __name__ == "__main__":
    main()
