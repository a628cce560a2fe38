"""Imports on real workers: every row error of a workbook collected in one pass (sheet, Excel
row, column, message) while the good rows are imported; CSV files as Excel writes them;
duplicates skipped; a worker killed mid-import resumes where it stopped and stages no row
twice."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from harness.processes import Proc
from harness.target import step_cursor
from harness.waits import eventually
from harness.wizard import Wizard
from scripts.demo_workbook import BROKEN_ERRORS, write_demo_workbook
from tests.support.workers import Workers


async def _workbook_imports(wizard: Wizard, path: Path) -> dict[str, dict[str, Any]]:
    """Upload the workbook, confirm balances, import the deferred sheets: every import."""
    migration = await wizard.create()
    uploaded = await wizard.upload_workbook(migration["id"], path)
    assert uploaded.status_code == 202, uploaded.text
    found = {t: await wizard.wait_import(i["id"]) for t, i in uploaded.json()["uploads"].items()}
    if not found["balances"]["blockers"]:
        await wizard.confirm(found["balances"]["id"])
    deferred = await wizard.http.post(f"/migrations/{migration['id']}/upload-deferred")
    for t, i in deferred.json().get("uploads", {}).items():
        found[t] = await wizard.wait_import(i["id"])
    return found


async def test_every_row_error_is_reported_and_good_rows_imported(
        wizard: Wizard, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    write_demo_workbook(path, broken=True)
    imports = await _workbook_imports(wizard, path)
    reported = [(e["sheet"], e["row"], e["column"], e["message"])
                for t in ("contacts", "balances", "invoices", "bills")
                for e in imports[t]["errors"]]
    assert reported == BROKEN_ERRORS
    counts = {t: (i["totalRows"], i["createdCount"], i["skippedCount"], i["errorCount"])
              for t, i in imports.items()}
    assert counts == {"contacts": (11, 10, 0, 1), "balances": (13, 12, 0, 1),
                      "invoices": (10, 6, 0, 4), "bills": (4, 3, 0, 1)}
    assert all(i["status"] == "needs_review" for i in imports.values())


async def test_csv_as_excel_writes_it_with_duplicates(wizard: Wizard) -> None:
    content = ("\ufeffOrganisation,Email,Address 1\r\n"
               'Acme Ltd,a@acme.example,"1 High St, London"\r\n'
               "\r\n"
               "Café Zürich GmbH,,\r\n"
               "acme ltd ,dup@acme.example,\r\n").encode()
    response = await wizard.import_csv("contacts", "contacts.csv", content)
    assert response.status_code == 202, response.text
    assert response.json()["status"] in ("queued", "processing", "needs_review")
    done = await wizard.wait_import(response.json()["id"])
    assert (done["totalRows"], done["createdCount"], done["skippedCount"],
            done["errorCount"]) == (3, 2, 1, 0)
    assert done["sheet"] is None
    assert done["filename"] == "contacts.csv"


async def test_an_import_killed_midway_resumes_and_stages_each_row_once(
        wizard: Wizard, db: asyncpg.Pool, workers: Workers, rescuer: Proc,
        tmp_path: Path) -> None:
    rows = 40_000
    lines = ["Reference,Contact,Dated On,Total,Due"] + [
        f"INV-{i},Customer {i % 50},2026-09-{1 + i % 28:02d},{10 + i % 90}.50,{i % 7}.25"
        for i in range(rows)]
    response = await wizard.import_csv("invoices", "invoices.csv",
                                       ("\r\n".join(lines) + "\r\n").encode())
    assert response.status_code == 202, response.text
    import_id = response.json()["id"]
    job_id = await db.fetchval("SELECT job_id FROM imports WHERE id = $1", import_id)
    # hold the staging table once a page is in, so that the kill lands mid-file
    await eventually(lambda: step_cursor(db, job_id, 1), "a page of rows staged", timeout=60)
    async with db.acquire() as conn, conn.transaction():
        await conn.execute("LOCK TABLE staging.import_rows IN ACCESS EXCLUSIVE MODE")
        staged_before = await step_cursor(db, job_id, 1)
        await workers.kill_holder(db, job_id)
        killed_at = time.monotonic()
    done = await wizard.wait_import(import_id, timeout=60)
    assert time.monotonic() - killed_at < 30
    assert (done["status"], done["totalRows"], done["createdCount"], done["errorCount"]) == (
        "needs_review", rows, rows, 0)
    assert await db.fetchval("SELECT count(*) FROM staging.import_rows WHERE import_id = $1",
                             import_id) == rows
    runs = await db.fetch("SELECT step_number, attempts FROM migration_step_runs "
                          "WHERE job_id = $1 ORDER BY step_number", job_id)
    assert [(r["step_number"], r["attempts"]) for r in runs] == [(1, 2), (2, 1)]
    assert 0 < staged_before < rows  # it was killed midway


@pytest.mark.parametrize("flavour", ["bom", "plain"])
async def test_csv_headers_with_and_without_bom(wizard: Wizard, flavour: str) -> None:
    prefix = "\ufeff" if flavour == "bom" else ""
    content = f"{prefix}Code,Name,Debit,Credit\n1200,Bank,10.00,\n3000,Capital,,10.00\n"
    response = await wizard.import_csv("balances", "tb.csv", content.encode())
    done = await wizard.wait_import(response.json()["id"])
    assert (done["status"], done["createdCount"], done["blockers"]) == ("needs_review", 2, [])
