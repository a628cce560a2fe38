"""Hostile files over HTTP, on real workers (security.md, "Hostile files"; issue 18):

- the issue's workbook, one cell of 100 MB in 104 kB, crashed the reading child, was taken
  for "stopped from outside", retried 9 times and reported INFRASTRUCTURE_UNAVAILABLE: now
  its import fails at once, INVALID_FILE naming the sheet and the file, in one attempt (and
  a standalone upload of it is refused before anything is stored);
- a reading child killed from outside (as an operator or the OOM killer would) is still
  read again and the import completes, while one that crashes fails the import at once;
- a UTF-16 workbook part declaring a DTD, and a VBA project under another name, are
  refused at the upload, nothing stored;
- a NUL or another control character in a cell, CSV or workbook, is its row's error naming
  sheet, row and column; the other rows are imported, and no NUL reaches Postgres.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from harness.target import step_cursor
from harness.waits import eventually
from harness.wizard import XLSX, Wizard
from tests.support.hostile_xlsx import (
    freeagent_parts,
    huge_cell_workbook,
    with_renamed_macro,
    with_utf16_dtd,
    zipped,
)
from tests.support.workers import Workers

MEMORY_REFUSAL = "is refused: reading it needs more memory than the 384 MB allowed"


async def _stored(db: asyncpg.Pool) -> tuple[int, int]:
    return (int(await db.fetchval("SELECT count(*) FROM uploads")),
            int(await db.fetchval("SELECT count(*) FROM imports")))


async def _runs(db: asyncpg.Pool, import_id: str) -> tuple[int, list[tuple[int, int]]]:
    """The import's job's leases taken, and each step's (number, attempts)."""
    job_id = await db.fetchval("SELECT job_id FROM imports WHERE id = $1", import_id)
    leases = await db.fetchval("SELECT attempts FROM migration_jobs WHERE id = $1", job_id)
    steps = await db.fetch("SELECT step_number, attempts FROM migration_step_runs "
                           "WHERE job_id = $1 ORDER BY step_number", job_id)
    return int(leases), [(r["step_number"], r["attempts"]) for r in steps]


async def test_the_issues_100_mb_cell_fails_its_import_at_once_as_invalid_file(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    data = huge_cell_workbook()
    assert len(data) < 110_000
    migration = await wizard.create()
    response = await wizard.http.post(f"/migrations/{migration['id']}/upload-provider",
                                      files={"file": ("huge.xlsx", data, XLSX)})
    assert response.status_code == 202, response.text  # its parts are fine: read later
    contacts = response.json()["uploads"]["contacts"]["id"]
    done = await wizard.wait_import(contacts)
    assert done["status"] == "failed", done
    assert done["error"]["code"] == "INVALID_FILE"
    message = done["error"]["message"]
    assert message.startswith(f"Sheet 'Contacts' of huge.xlsx {MEMORY_REFUSAL} (the reading "
                              "process crashed with SIG")
    assert "Delete what is not imported" in message
    assert await _runs(db, contacts) == (1, [(1, 1)])  # one attempt, never retried
    assert await db.fetchval("SELECT count(*) FROM staging.import_rows WHERE import_id = $1",
                             contacts) == 0  # nothing of it was written
    # the sheet beside it is read as usual
    balances = await wizard.wait_import(response.json()["uploads"]["balances"]["id"])
    assert balances["status"] == "needs_review", balances


async def test_the_100_mb_cell_uploaded_alone_is_refused_before_it_is_stored(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    before = await _stored(db)
    response = await wizard.http.post("/imports", files={
        "file": ("huge.xlsx", huge_cell_workbook(), XLSX)})
    message = await wizard.error(response, 400, "INVALID_FILE")
    assert message.startswith(f"Sheet 'Contacts' of huge.xlsx {MEMORY_REFUSAL}")
    assert await _stored(db) == before


def _reading_child(pid: int) -> int | None:
    """The reading child of process `pid`, if it has one now."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"calamine_child.py" in command:
                return int(child)
    return None


async def _import_with_its_child_signalled(wizard: Wizard, db: asyncpg.Pool,
                                           workers: Workers, sig: signal.Signals
                                           ) -> tuple[str, dict[str, Any]]:
    """A CSV import of 40,000 rows whose reading child gets `sig` midway: (import ID,
    the import once done)."""
    rows = 40_000
    lines = ["Reference,Contact,Dated On,Total,Due"] + [
        f"INV-{i},Customer {i % 50},2026-09-{1 + i % 28:02d},{10 + i % 90}.50,{i % 7}.25"
        for i in range(rows)]
    response = await wizard.import_csv("invoices", "invoices.csv",
                                       ("\r\n".join(lines) + "\r\n").encode())
    assert response.status_code == 202, response.text
    import_id = response.json()["id"]
    job_id = await db.fetchval("SELECT job_id FROM imports WHERE id = $1", import_id)
    await eventually(lambda: step_cursor(db, job_id, 1), "a page of rows staged", timeout=60)
    # staging held: the child, its pipe full, waits for the worker, alive, to be signalled
    async with db.acquire() as conn, conn.transaction():
        await conn.execute("LOCK TABLE staging.import_rows IN ACCESS EXCLUSIVE MODE")
        holder = await workers.holder_of(db, job_id)

        async def child() -> int | None:
            return _reading_child(holder.pid)

        os.kill(await eventually(child, "the worker's reading child"), sig)
    return import_id, await wizard.wait_import(import_id, timeout=90)


async def test_a_reading_child_killed_from_outside_is_read_again(
        wizard: Wizard, db: asyncpg.Pool, workers: Workers) -> None:
    import_id, done = await _import_with_its_child_signalled(wizard, db, workers,
                                                             signal.SIGKILL)
    assert (done["status"], done["createdCount"], done["errorCount"]) == (
        "needs_review", 40_000, 0)
    leases, steps = await _runs(db, import_id)
    assert steps == [(1, 2), (2, 1)]  # step 1 read again, in the same lease
    assert leases == 1
    assert await db.fetchval("SELECT count(*) FROM staging.import_rows WHERE import_id = $1",
                             import_id) == 40_000


async def test_a_reading_child_that_crashes_fails_the_import_at_once(
        wizard: Wizard, db: asyncpg.Pool, workers: Workers) -> None:
    import_id, done = await _import_with_its_child_signalled(wizard, db, workers,
                                                             signal.SIGSEGV)
    assert done["status"] == "failed", done
    assert done["error"]["code"] == "INVALID_FILE"
    assert done["error"]["message"].startswith(
        f"invoices.csv {MEMORY_REFUSAL} (the reading process crashed with SIGSEGV).")
    assert await _runs(db, import_id) == (1, [(1, 1)])


@pytest.mark.parametrize("route", ["upload-provider", "imports"])
async def test_a_utf16_workbook_part_with_a_dtd_is_refused_nothing_stored(
        wizard: Wizard, db: asyncpg.Pool, route: str) -> None:
    parts = with_utf16_dtd(freeagent_parts([["Acme Ltd", "", "", "a@acme.example"]]))
    assert b"<!DOCTYPE" not in parts["xl/workbook.xml"]
    before = await _stored(db)
    migration = await wizard.create()
    path = (f"/migrations/{migration['id']}/upload-provider" if route == "upload-provider"
            else "/imports")
    response = await wizard.http.post(path, files={"file": ("dtd.xlsx", zipped(parts), XLSX)})
    message = await wizard.error(response, 400, "INVALID_FILE")
    assert message.startswith("dtd.xlsx is not an .xlsx as Excel writes it: its part "
                              "xl/workbook.xml declares a DTD")
    assert await _stored(db) == before


async def test_a_vba_project_under_another_name_is_refused_nothing_stored(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    parts = with_renamed_macro(freeagent_parts([["Acme Ltd", "", "", "a@acme.example"]]),
                               content_type=True, relationship=True)
    before = await _stored(db)
    migration = await wizard.create()
    response = await wizard.http.post(f"/migrations/{migration['id']}/upload-provider",
                                      files={"file": ("book.xlsx", zipped(parts), XLSX)})
    message = await wizard.error(response, 400, "INVALID_FILE")
    assert message.startswith("book.xlsx is a macro-enabled workbook (.xlsm: its part "
                              "xl/macros1.bin is declared application/vnd.ms-office."
                              "vbaProject)")
    assert await _stored(db) == before


async def test_control_characters_in_csv_cells_are_row_errors(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    content = (b"Organisation,Email\r\nAcme Ltd,a@acme.example\r\n"
               b"Nul\x00 Ltd,n@nul.example\r\nBell Ltd,b\x1b@bell.example\r\n"
               b"Cole Ltd,c@cole.example\r\n")
    response = await wizard.import_csv("contacts", "contacts.csv", content)
    assert response.status_code == 202, response.text
    done = await wizard.wait_import(response.json()["id"])
    assert (done["status"], done["totalRows"], done["createdCount"], done["errorCount"]) == (
        "needs_review", 4, 2, 2)
    assert [(e["sheet"], e["row"], e["column"]) for e in done["errors"]] == [
        ("contacts.csv", 3, "Organisation"), ("contacts.csv", 4, "Email")]
    assert done["errors"][0]["message"].startswith(
        "Organisation holds the control character U+0000 (NUL) at character 4")
    assert await db.fetchval(
        "SELECT count(*) FROM staging.import_rows WHERE import_id = $1 AND "
        "strpos(record::text, '\\u001b') > 0", done["id"]) == 0


async def test_a_nul_escaped_in_a_workbook_cell_is_a_row_error(wizard: Wizard) -> None:
    parts = freeagent_parts([["Acme_x0000_ Ltd", "", "", "a@acme.example"],
                             ["Bell Ltd", "", "", "b@bell.example"]])
    migration = await wizard.create()
    response = await wizard.http.post(f"/migrations/{migration['id']}/upload-provider",
                                      files={"file": ("nul.xlsx", zipped(parts), XLSX)})
    assert response.status_code == 202, response.text
    done = await wizard.wait_import(response.json()["uploads"]["contacts"]["id"])
    assert (done["status"], done["createdCount"], done["errorCount"]) == (
        "needs_review", 1, 1)
    (error,) = done["errors"]
    assert (error["sheet"], error["row"], error["column"]) == (
        "Contacts", 2, "Organisation Name")
    assert "U+0000 (NUL)" in error["message"]
