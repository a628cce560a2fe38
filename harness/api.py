"""A small client of the job API for tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

DEMO_EMAIL, DEMO_PASSWORD = "demo@example.com", "demo-password"
FLEET_EMAIL, FLEET_PASSWORD = "fleet@example.com", "fleet-password"
TERMINAL = {"completed", "failed", "cancelled"}


class Api:
    def __init__(self, base_url: str, key: str | None, account: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        if account:
            headers["x-account-id"] = account
        self.http = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def login(self, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD
                    ) -> dict[str, Any]:
        response = await self.http.post("/legacy-migration/auth",
                                        json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def create(self, org_id: str, session_id: str, environment: str = "sandbox",
                     **extra: Any) -> httpx.Response:
        body = {"legacy_org_id": org_id, "legacy_session_id": session_id,
                "environment": environment, **extra}
        return await self.http.post("/legacy-migration/jobs", json=body)

    async def start(self, org_id: str, environment: str = "sandbox", **extra: Any
                    ) -> dict[str, Any]:
        """Log in and create a job; returns the new job."""
        session = await self.login()
        response = await self.create(org_id, session["legacy_session_id"], environment, **extra)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def start_fleet(self, count: int, environment: str = "sandbox"
                          ) -> list[dict[str, Any]]:
        """One job on each of the first `count` fleet organisations (legacy_sim.orgs)."""
        session = await self.login(FLEET_EMAIL, FLEET_PASSWORD)
        jobs = []
        for org in session["organizations"][:count]:
            response = await self.create(org["id"], session["legacy_session_id"], environment)
            assert response.status_code == 201, response.text
            jobs.append(dict(response.json()))
        return jobs

    async def job(self, job_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/legacy-migration/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def at_step(self, job_id: str, step: int) -> bool:
        """Whether the job is showing step `step` now."""
        return bool((await self.job(job_id))["step_number"] == step)

    async def report(self, job_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/legacy-migration/jobs/{job_id}/report")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def wait_for(
        self, job_id: str, done: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 90.0, seen: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Poll until `done(job)` (default: a terminal status); `seen` collects each poll."""
        done = done or (lambda job: job["status"] in TERMINAL)
        deadline = time.monotonic() + timeout
        while True:
            job = await self.job(job_id)
            if seen is not None:
                seen.append(job)
            if done(job):
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job['status']} at step "
                                   f"{job['step_number']}: {job['progress_detail']}")
            await asyncio.sleep(0.05)
