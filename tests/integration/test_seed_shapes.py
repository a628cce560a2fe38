"""The seed's curl examples, sent as written (host and key aside), get the seed's shapes."""

import re
from typing import Any

import httpx

from harness.api import Api
from legacy_sim.orgs import ORGS, SMALL

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
JOB_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,), "legacy_org_id": (str,), "environment": (str,),
    "entity_id": (str, type(None)), "status": (str,), "step": (str, type(None)),
    "step_number": (int,), "total_steps": (int,), "progress_detail": (str, type(None)),
    "error": (str, type(None)), "created_at": (str,), "started_at": (str, type(None)),
    "completed_at": (str, type(None)),
}


def assert_job_shape(job: dict[str, Any]) -> None:
    assert set(JOB_FIELDS) <= set(job)
    for name, types in JOB_FIELDS.items():
        assert isinstance(job[name], types), (name, job[name])
    assert re.fullmatch(r"mig_[0-9a-f]{24}", job["id"])
    for name in ("created_at", "started_at", "completed_at"):
        assert job[name] is None or TIMESTAMP.match(job[name]), job[name]


async def test_seed_curl_examples(web: str, api_key: str, api: Api) -> None:
    headers = {"Authorization": f"Bearer {api_key}", "x-account-id": "acc_test",
               "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=web, headers=headers) as http:
        auth = await http.post("/legacy-migration/auth", content=(
            '{\n    "email": "demo@example.com",\n    "password": "demo-password"\n  }'))
        assert auth.status_code == 200
        body = auth.json()
        assert set(body) == {"organizations", "legacy_session_id"}
        org = next(o for o in body["organizations"] if o["id"] == ORGS[SMALL].id)
        assert org == {"id": ORGS[SMALL].id, "name": "Acme d.o.o.", "country": "SI",
                       "tax_number": "SI12345678", "created_at": "2020-05-15T10:00:00.000Z",
                       "already_migrated": org["already_migrated"],
                       "migrated_environment": org["migrated_environment"]}

        created = await http.post("/legacy-migration/jobs", content=(
            f'{{\n    "legacy_org_id": "{org["id"]}",\n    "legacy_session_id": '
            f'"{body["legacy_session_id"]}",\n    "environment": "sandbox"\n  }}'))
        assert created.status_code == 201, created.text
        job = created.json()
        assert_job_shape(job)
        assert (job["status"], job["step"], job["step_number"], job["total_steps"]) == (
            "pending", "Queued", 0, 8)
        assert job["progress_detail"] == "Migration job is waiting to start."
        assert job["entity_id"] is job["error"] is job["started_at"] is job["completed_at"]
        assert job["environment"] == "sandbox"
        assert job["legacy_org_id"] == org["id"]

        listed = await http.get("/legacy-migration/jobs")
        assert listed.status_code == 200
        assert job["id"] in [j["id"] for j in listed.json()["data"]]
        for item in listed.json()["data"]:
            assert_job_shape(item)

        got = await http.get(f"/legacy-migration/jobs/{job['id']}")
        assert got.status_code == 200
        assert_job_shape(got.json())
    done = await api.wait_for(job["id"])
    assert_job_shape(done)
    assert done["status"] == "completed"


async def test_openapi_document_lists_every_endpoint(web: str) -> None:
    async with httpx.AsyncClient(base_url=web) as http:
        spec = (await http.get("/openapi.json")).json()
    paths = spec["paths"]
    assert set(paths["/legacy-migration/jobs"]) == {"get", "post"}
    assert set(paths["/legacy-migration/jobs/{job_id}"]) == {"get", "delete"}
    assert "post" in paths["/legacy-migration/jobs/{job_id}/retry"]
    assert "get" in paths["/legacy-migration/jobs/{job_id}/report"]
    assert "post" in paths["/legacy-migration/auth"]
