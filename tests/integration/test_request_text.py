"""A NUL character or bytes that are not UTF-8 anywhere in a request's path, query string or
form text is refused with 400 INVALID_TEXT naming where, on every route of the OpenAPI
document (new routes are covered as they are added), before authentication; nothing is
written. It was a 500 with a traceback (Postgres refuses NUL in text)."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.wizard import Wizard

BAD = {"nul": "a%00b", "utf8": "a%FFb"}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation)
            for path, item in document["paths"].items()
            for method, operation in item.items() if method in ("get", "post", "delete",
                                                                 "patch", "put")]


@pytest.fixture(scope="module")
def openapi(web: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{web}/openapi.json").json()
    return document


def _refused(response: httpx.Response, where: str) -> str:
    assert response.status_code == 400, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == "INVALID_TEXT", error
    assert where in error["message"], error
    return str(error["message"])


@pytest.mark.parametrize("kind", list(BAD))
async def test_every_path_parameter(web: str, openapi: dict[str, Any], kind: str) -> None:
    swept = 0
    async with httpx.AsyncClient(base_url=web) as http:
        for method, path, _ in _operations(openapi):
            if "{" not in path:
                continue
            url = re.sub(r"\{[^}]+\}", BAD[kind], path)
            message = _refused(await http.request(method, url), "path")
            assert message.startswith("The request's path ")
            swept += 1
    assert swept >= 10  # the migrations', imports', jobs' and ops' routes at least


@pytest.mark.parametrize("kind", list(BAD))
async def test_every_query_parameter(web: str, openapi: dict[str, Any], kind: str) -> None:
    swept = 0
    async with httpx.AsyncClient(base_url=web) as http:
        for method, path, operation in _operations(openapi):
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                url = re.sub(r"\{[^}]+\}", "x", path) + f"?{parameter['name']}={BAD[kind]}"
                _refused(await http.request(method, url),
                         f"query parameter '{parameter['name']}'")
                swept += 1
    assert swept >= 5


async def test_a_file_name_with_a_nul_is_refused_and_nothing_stored(
        wizard: Wizard, db: asyncpg.Pool) -> None:
    before = await db.fetchval("SELECT count(*) FROM uploads")
    # written by hand: httpx would percent-encode the NUL of a file name
    body = (b'--b\r\nContent-Disposition: form-data; name="type"\r\n\r\ncontacts\r\n'
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a\x00b.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\nOrganisation\r\nAcme\r\n--b--\r\n")
    response = await wizard.http.post(
        "/imports", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"})
    _refused(response, "form field 'file'")
    assert await db.fetchval("SELECT count(*) FROM uploads") == before
