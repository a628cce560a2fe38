"""A NUL character or bytes that are not UTF-8 anywhere in a request's path, query string,
form text or JSON body's text (a NUL, or a lone surrogate) is refused with 400 INVALID_TEXT
naming where, on every route of the OpenAPI
document (new routes are covered as they are added), before authentication; nothing is
written. It was a 500 with a traceback (Postgres refuses NUL in text)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from api_stub.request_text import NO_NUL_PATTERN
from harness.processes import create_key
from harness.wizard import Wizard

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


def _string_fields(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The free text fields of a JSON body's schema (declared without NUL; not enums,
    dates, patterns of their own or numbers: their own checks refuse a NUL first)."""
    for option in schema.get("anyOf", [schema]):
        if "$ref" in option:
            schema = document["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
            break
    fields = []
    for name, field in schema.get("properties", {}).items():
        for option in field.get("anyOf", [field]):
            kind = option.get("type")
            if (kind == "string" and not {"enum", "format"} & set(option)
                    and option.get("pattern", NO_NUL_PATTERN) == NO_NUL_PATTERN) or (
                    kind == "array" and option.get("items", {}).get("type") == "string"):
                fields.append(name)
                break
    return fields


@pytest.mark.parametrize(("text", "problem"), [
    ("a\x00bcd", "holds a NUL character"),
    ("a\ud800bcd", "unpaired surrogate"),
])
async def test_every_text_field_of_every_json_body(
        web: str, openapi: dict[str, Any], service_env: dict[str, str], text: str,
        problem: str) -> None:
    account = "acc_text_" + uuid.uuid4().hex[:8]
    keys = {"account": create_key(service_env, account), "operator": create_key(service_env)}
    swept = 0
    async with httpx.AsyncClient(base_url=web) as http:
        for method, path, operation in _operations(openapi):
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            key = keys["operator" if path.startswith("/ops") else "account"]
            url = re.sub(r"\{[^}]+\}", "x", path)
            for name in _string_fields(openapi, content["application/json"]["schema"]):
                value: Any = [text] if name == "ids" else text
                # json.dumps writes the surrogate as the escape \ud800, as a client would
                body = json.dumps({name: value}).encode()
                response = await http.request(
                    method, url, content=body,
                    headers={"Authorization": f"Bearer {key}",
                             "Content-Type": "application/json"})
                message = _refused(response, f"field {name} ")
                assert problem in message, message
                swept += 1
    assert swept >= 8  # the login's, the job's, the migration's, the attach's, the ops'
