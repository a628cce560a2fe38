"""A legacy organisation migrates end to end through steps 1 to 8."""

import itertools
from decimal import Decimal
from typing import Any

import asyncpg

from harness.api import Api
from harness.oracle import expected
from harness.target import entities_of_job, staged_rows, target_counts, target_totals
from legacy_sim.orgs import ORGS, SMALL, UNSUPPORTED


async def test_small_org_migrates_exactly(api: Api, db: asyncpg.Pool, simulator: str) -> None:
    org = ORGS[SMALL]
    job = await api.start(org.id)
    seen: list[dict[str, Any]] = []
    done = await api.wait_for(job["id"], seen=seen)
    assert done["status"] == "completed", done["error"]
    assert (done["step"], done["step_number"]) == ("Completed", 8)
    assert done["entity_id"]
    assert done["completed_at"]
    assert done["started_at"]
    assert done["error"] is None
    numbers = [j["step_number"] for j in seen]
    assert numbers == sorted(numbers)  # never goes backwards

    report = await api.report(job["id"])
    steps = report["steps"]
    assert [s["step_number"] for s in steps] == list(range(1, 9))
    assert all(s["status"] == "finished" for s in steps)
    starts = [s["started_at"] for s in steps]
    assert starts == sorted(starts)  # steps ran in order
    for earlier, later in itertools.pairwise(steps):
        assert earlier["finished_at"] <= later["started_at"]

    want = expected(simulator, org.id)
    got_counts = await target_counts(db, done["entity_id"])
    assert got_counts == want["counts"]
    totals = await target_totals(db, done["entity_id"])
    assert totals["document_totals"] == want["document_totals"]
    assert totals["payment_totals"] == want["payment_totals"]
    # the report says so too: every step 7 check passed, counts match
    checks = steps[6]["checks"]
    assert checks
    assert all(c["passed"] for c in checks)
    by_step = {s["step_number"]: s["counts"] for s in steps}
    assert by_step[3]["source"] == by_step[3]["created"] == want["counts"]["customers"]
    assert by_step[5]["created"] == want["counts"]["documents"]
    assert await entities_of_job(db, job["id"]) == 1
    assert await staged_rows(db, job["id"]) == 0  # staging cleaned after commit


async def test_money_lands_exactly(api: Api, db: asyncpg.Pool) -> None:
    job = await api.start(ORGS[SMALL].id)
    done = await api.wait_for(job["id"])
    assert done["status"] == "completed", done["error"]
    rows = await db.fetch(
        "SELECT legacy_id, currency, total_minor, total_with_tax_minor, rounding_correction "
        "FROM target.documents WHERE entity_id = $1 ORDER BY legacy_id LIMIT 6",
        done["entity_id"])
    assert [(r["currency"], r["total_with_tax_minor"], r["rounding_correction"]) for r in rows] == [
        ("EUR", 10, Decimal(0)),             # 0.1
        ("EUR", 20, Decimal(0)),             # 0.2
        ("EUR", 123457, Decimal("-0.0022")),  # 1234.5678, rounded half-up, difference kept
        ("EUR", 5997, Decimal(0)),           # 19.99 x 3
        ("JPY", 3000, Decimal(0)),           # no minor unit
        ("KWD", 12345, Decimal(0)),          # three decimals
    ]
    lines = await db.fetch(
        "SELECT l.quantity, l.unit_price FROM target.document_lines l JOIN target.documents d "
        "ON d.id = l.document_id WHERE d.entity_id = $1 ORDER BY d.legacy_id LIMIT 4",
        done["entity_id"])
    assert [(r["quantity"], r["unit_price"]) for r in lines] == [
        (1, Decimal("0.1")), (1, Decimal("0.2")), (1, Decimal("1234.5678")),
        (3, Decimal("19.99"))]
    payments = await db.fetch(
        "SELECT amount_minor FROM target.payments WHERE entity_id = $1 ORDER BY legacy_id "
        "LIMIT 2", done["entity_id"])
    assert sum(p["amount_minor"] for p in payments) == 30  # 0.1 + 0.2, exactly


async def test_unsupported_data_fails_the_job_and_writes_nothing(
        api: Api, db: asyncpg.Pool) -> None:
    entities_before = await db.fetchval("SELECT count(*) FROM target.entities")
    job = await api.start(ORGS[UNSUPPORTED].id)
    done = await api.wait_for(job["id"])
    assert done["status"] == "failed"
    assert done["step_number"] == 1
    assert "2 documents of type delivery-note" in done["error"]
    assert "2 documents in currency BTC (not ISO 4217)" in done["error"]
    assert "payments of unsupported documents" in done["error"]
    assert "confirm_unsupported_data: true" in done["error"]
    assert await db.fetchval("SELECT count(*) FROM target.entities") == entities_before
    report = await api.report(job["id"])
    assert report["steps"][0]["checks"]["unsupported"]["documents of type delivery-note"] == 2


async def test_confirmed_unsupported_data_is_skipped_and_counted(
        api: Api, db: asyncpg.Pool, simulator: str) -> None:
    org = ORGS[UNSUPPORTED]
    job = await api.start(org.id, confirm_unsupported_data=True)
    done = await api.wait_for(job["id"])
    assert done["status"] == "completed", done["error"]
    want = expected(simulator, org.id)
    assert await target_counts(db, done["entity_id"]) == want["counts"]
    steps = {s["step_number"]: s for s in (await api.report(job["id"]))["steps"]}
    assert steps[5]["counts"]["skipped"] == want["skipped_documents"] == 4
    skipped_payments = steps[6]["counts"]["skipped"]
    assert skipped_payments > 0
    assert steps[6]["counts"]["created"] + skipped_payments == steps[6]["counts"]["source"]
    assert steps[1]["counts"]["skipped"] == 4 + skipped_payments
