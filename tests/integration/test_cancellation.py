"""Cancelling a running job: it stops at its next checkpoint, ends `cancelled`, staging is
cleaned and nothing reaches the target."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from harness.api import Api
from harness.target import entities_of_job, staged_rows
from harness.waits import eventually
from legacy_sim.orgs import ORGS, SMALL


@pytest.mark.parametrize(("step", "resource"), [(2, "taxes"), (6, "payments")])
async def test_cancel_during_a_step(api: Api, db: asyncpg.Pool, sim: httpx.Client,
                                    step: int, resource: str) -> None:
    sim.put("/_sim/faults", json={"latency_ms": 1000, "path_contains": f"/{resource}"})
    job = await api.start(ORGS[SMALL].id)

    await eventually(lambda: api.at_step(job["id"], step), f"the job reached step {step}")
    response = await api.http.delete(f"/legacy-migration/jobs/{job['id']}")
    assert response.status_code == 200, response.text
    assert response.json()["progress_detail"] == (
        "Cancellation requested: stopping at the next checkpoint.")

    done = await api.wait_for(job["id"])
    assert done["status"] == "cancelled"
    assert done["step_number"] == step  # stopped inside the step, not after the job
    assert done["progress_detail"] == "Migration cancelled; nothing was written to the target."
    assert done["entity_id"] is None
    assert await entities_of_job(db, job["id"]) == 0
    assert await staged_rows(db, job["id"]) == 0
    steps = (await api.report(job["id"]))["steps"]
    assert all(s["status"] == "not_started" for s in steps[step:])
    # the step it was stopped in is shown stopped, never still running
    assert steps[step - 1]["status"] == "cancelled"
    assert all(s["status"] != "running" for s in steps)
    # a cancelled job keeps no legacy credentials
    assert await db.fetchval(
        "SELECT legacy_token_sealed FROM legacy_migration_jobs WHERE job_id = $1",
        job["id"]) is None
