"""The OpenAPI document declares every status each operation answers, errors in the one
error shape (ErrorBody), and schemathesis, run the way a user runs it against the live web
process, finds nothing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_stub.errors import (
    AUTH_ERRORS,
    REQUEST_ERRORS,
    SERVER_ERRORS,
    RateLimited,
    status_of,
)
from harness.api import Api
from harness.processes import VENV_BIN, Proc, base_env, create_key
from legacy_sim.orgs import ORGS, SMALL

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
# what every operation behind an API key can answer, whatever it does
SHARED_ERRORS = (*REQUEST_ERRORS, *AUTH_ERRORS, *SERVER_ERRORS)
ST_TIMEOUT = 150.0
CONFIG = Path(__file__).with_name("schemathesis.toml")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation)
            for path, item in document["paths"].items()
            for method, operation in item.items()
            if method in {"get", "put", "post", "delete", "patch", "head", "options"}]


def json_schema(response: dict[str, Any]) -> Any:
    return response.get("content", {}).get("application/json", {}).get("schema")


@pytest.fixture(scope="module")
def document(web: str) -> dict[str, Any]:
    response = httpx.get(f"{web}/openapi.json", timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_every_operation_documents_its_errors_in_the_error_shape(
        document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "ValidationError" not in document["components"]["schemas"]
    secured = [(m, p, op) for m, p, op in operations(document) if op.get("security")]
    # /healthz and /metrics answer without a key and take no parameters: no 401 or 422
    assert {f"{m} {p}" for m, p, op in operations(document)} - {
        f"{m} {p}" for m, p, op in secured} == {"GET /healthz", "GET /metrics"}
    for method, path, operation in secured:
        responses = operation["responses"]
        for status in ("401", "422"):
            assert json_schema(responses.get(status, {})) == ERROR_BODY, (method, path, status)
        for error in SHARED_ERRORS:  # each code, not just its status (statuses are shared)
            response = responses.get(str(status_of(error)), {})
            assert error.code in response.get("description", ""), (method, path, error.code)
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")) and (path, status) != ("/healthz", "503"):
                assert json_schema(response) == ERROR_BODY, (method, path, status)


def test_every_operation_documents_the_rate_limit(document: dict[str, Any]) -> None:
    # the rate limits run before routing, on every path: /healthz and /metrics included
    assert status_of(RateLimited) == 429
    for method, path, operation in operations(document):
        response = operation["responses"].get("429", {})
        assert json_schema(response) == ERROR_BODY, (method, path)
        assert RateLimited.code in response.get("description", ""), (method, path)
        assert "Retry-After" in response.get("headers", {}), (method, path)


def test_healthz_documents_both_answers(document: dict[str, Any]) -> None:
    responses = document["paths"]["/healthz"]["get"]["responses"]
    health = {"$ref": "#/components/schemas/Health"}
    assert json_schema(responses["200"]) == health
    assert json_schema(responses["503"]) == health
    assert json_schema(responses["413"]) == ERROR_BODY


@pytest.mark.usefixtures("sim")  # no fault left over in the simulator: POST /auth reaches it
async def test_schemathesis_finds_nothing(web: str, service_env: dict[str, str], worker: Proc,
                                          tmp_path: Path) -> None:
    # An account of its own: schemathesis reuses the IDs it reads (GET /legacy-migration/jobs)
    # in DELETE and retry, and must not cancel or re-queue another test's jobs.
    key = create_key(service_env, "acc_openapi")
    api = Api(web, key)
    try:
        # one finished job for it to find, so that GET, report, DELETE (409) and retry (409)
        # also answer with the job, not only 404
        job = await api.start(ORGS[SMALL].id)
        assert (await api.wait_for(job["id"]))["status"] == "completed"
    finally:
        await api.aclose()

    args = [
        str(VENV_BIN / "st"), "--config-file", str(CONFIG), "run", f"{web}/openapi.json",
        "--header", f"Authorization: Bearer {key}",
        # The key acts for one account. x-account-id is optional, and a generated value names
        # some other account, so every request would stop at 403 before reaching the route.
        "--header", "x-account-id: acc_openapi",
        "--checks", "all",
        # Excluded checks: none. positive_data_acceptance passes: a schema-valid body that a
        # generator makes up is refused with 404 (unknown legacy session or job) or 401 (wrong
        # legacy credentials), which that check accepts; the wizard's business-rule 422s are
        # expected where the spec answers them (schemathesis.toml says which and why).
        "--max-examples", "25",
        "--generation-database", ":memory:",
        "--request-timeout", "20",
        "--no-color",
    ]
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *args, cwd=tmp_path, env=base_env(), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(process.communicate(), ST_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    print(out.decode(errors="replace"))  # pytest shows it when the test fails (or with -rP)
    print(f"schemathesis took {time.monotonic() - started:.1f} s")
    assert process.returncode == 0, "schemathesis found problems: see its output above"
