"""The simulator's HTTP app: the legacy v1 endpoints of spec/legacy-v1.md, plus /_sim controls."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from legacy_sim import records
from legacy_sim.faults import FaultInjector, FaultPlan
from legacy_sim.orgs import ORGS, USERS, OrgSpec, UserSpec, org_by_id
from legacy_sim.page_cache import PageCache

MAX_LIMIT = 1000
TOKEN_TTL = 1_209_600


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # exact digits as a JSON number, as the real API sends them
        return orjson.Fragment(format(value.normalize(), "f").encode())
    raise TypeError


def _render_page(org: OrgSpec, resource: str, skip: int, limit: int) -> bytes:
    return orjson.dumps(records.page(org, resource, skip, limit), default=_default)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body, default=_default), status, headers,
                    media_type="application/json")


def loopback_error(status: int, message: str, code: str | None = None) -> Response:
    names = {401: "Error", 404: "Error", 400: "Error", 429: "Error", 500: "Error"}
    error: dict[str, Any] = {"statusCode": status, "name": names.get(status, "Error"),
                             "message": message}
    if code:
        error["code"] = code
    return json_response({"error": error}, status)


@dataclass
class Session:
    user: UserSpec
    expires_at: float


class SimulatorState:
    """Tokens, faults and request counts of one simulator process."""

    def __init__(self, plan: FaultPlan) -> None:
        self.tokens: dict[str, Session] = {}
        self.faults = FaultInjector(plan)
        self.requests: Counter[str] = Counter()  # by the path's last segment
        self.paths: Counter[str] = Counter()  # by the whole path (one organisation's reads)

    def login(self, email: str, password: str) -> str | None:
        for user in USERS:
            if user.email == email and secrets.compare_digest(user.password, password):
                token = "ltok_" + secrets.token_hex(24)
                self.tokens[token] = Session(user, time.time() + TOKEN_TTL)
                return token
        return None

    def user_for(self, request: Request) -> UserSpec | None:
        token = request.headers.get("authorization") or request.query_params.get("access_token")
        session = self.tokens.get(token or "")
        if session is None or session.expires_at < time.time():
            return None
        return session.user


def _paging(request: Request) -> tuple[int, int]:
    params = request.query_params
    if "filter" in params:
        raw = json.loads(params["filter"])
        skip, limit = int(raw.get("skip", 0)), int(raw.get("limit", 100))
    else:
        skip = int(params.get("filter[skip]", 0))
        limit = int(params.get("filter[limit]", 100))
    return max(skip, 0), max(min(limit, MAX_LIMIT), 0)


Handler = Callable[[Request], Awaitable[Response]]


def create_app(plan: FaultPlan | None = None) -> Starlette:
    """The simulator app; faults from `plan`, else from LEGACY_FAULTS."""
    if plan is None:
        plan = FaultPlan.parse(json.loads(os.environ.get("LEGACY_FAULTS") or "{}"))
    state = SimulatorState(plan)
    pages = PageCache()

    async def login(request: Request) -> Response:
        body = await request.json()
        token = state.login(str(body.get("email", "")), str(body.get("password", "")))
        if token is None:
            return loopback_error(401, "login failed", "LOGIN_FAILED")
        user = state.tokens[token].user
        return json_response({"id": token, "ttl": TOKEN_TTL, "userId": user.user_id,
                              "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())})

    def authorised(handler: Callable[[Request, UserSpec], Awaitable[Response]]) -> Handler:
        async def wrapped(request: Request) -> Response:
            user = state.user_for(request)
            if user is None:
                return loopback_error(401, "Authorization Required", "AUTHORIZATION_REQUIRED")
            return await handler(request, user)
        return wrapped

    def owned_org(request: Request, user: UserSpec) -> OrgSpec | None:
        org = org_by_id(request.path_params["org_id"])
        return org if org is not None and org.number in user.org_numbers else None

    @authorised
    async def account_orgs(request: Request, user: UserSpec) -> Response:
        if request.path_params["user_id"] != user.user_id:
            return loopback_error(401, "Authorization Required", "AUTHORIZATION_REQUIRED")
        return json_response([records.organization(ORGS[n]) for n in user.org_numbers])

    @authorised
    async def get_org(request: Request, user: UserSpec) -> Response:
        org = owned_org(request, user)
        if org is None:
            return loopback_error(404, "Unknown \"Organization\" id", "MODEL_NOT_FOUND")
        return json_response(records.organization(org))

    def org_resource(request: Request, user: UserSpec) -> tuple[OrgSpec, str] | None:
        org = owned_org(request, user)
        resource = request.path_params["resource"]
        return (org, resource) if org is not None and resource in records.GENERATORS else None

    @authorised
    async def list_resource(request: Request, user: UserSpec) -> Response:
        found = org_resource(request, user)
        if found is None:
            return loopback_error(404, "Not found", "MODEL_NOT_FOUND")
        org, resource = found
        skip, limit = _paging(request)
        plan = state.faults.plan
        if plan.blank_field and plan.path_contains in request.url.path:
            # a spoiled page is made for this request only
            rows = await asyncio.to_thread(records.page, org, resource, skip, limit)
            return json_response(state.faults.spoil(request.url.path, rows))
        key = (org.id, resource, skip, limit)
        body = pages.get(key)
        if body is None:
            # generating a large page is CPU work: keep the event loop free meanwhile
            body = await asyncio.to_thread(_render_page, org, resource, skip, limit)
            pages.put(key, body)
        return Response(body, 200, media_type="application/json")

    @authorised
    async def count_resource(request: Request, user: UserSpec) -> Response:
        found = org_resource(request, user)
        if found is None:
            return loopback_error(404, "Not found", "MODEL_NOT_FOUND")
        return json_response({"count": records.count(*found)})

    async def get_faults(request: Request) -> Response:
        return json_response(state.faults.plan.as_dict())

    async def put_faults(request: Request) -> Response:
        try:
            state.faults.set_plan(FaultPlan.parse(await request.json()))
        except (ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(state.faults.plan.as_dict())

    async def expire_tokens(request: Request) -> Response:
        for session in state.tokens.values():
            session.expires_at = 0
        return json_response({"expired": len(state.tokens)})

    async def issued_tokens(request: Request) -> Response:
        # a test aid: lets tests check that no issued token leaks into logs or databases
        return json_response({"tokens": list(state.tokens)})

    async def stats(request: Request) -> Response:
        return json_response({"requests": dict(state.requests), "paths": dict(state.paths)})

    async def inject_faults(request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        state.requests[path.rsplit("/", 1)[-1]] += 1
        state.paths[path] += 1
        fault = state.faults.next_fault(path)
        if state.faults.plan.latency_ms and state.faults.plan.path_contains in path:
            await asyncio.sleep(state.faults.plan.latency_ms / 1000)
        if fault is not None and fault.hang_seconds is not None:
            await asyncio.sleep(fault.hang_seconds)
        elif fault is not None and fault.status is not None:
            response = loopback_error(fault.status, "Injected fault")
            if fault.retry_after is not None:
                response.headers["Retry-After"] = str(fault.retry_after)
            return response
        return await call_next(request)

    return Starlette(middleware=[Middleware(BaseHTTPMiddleware, dispatch=inject_faults)], routes=[
        Route("/v1/Accounts/login", login, methods=["POST"]),
        Route("/v1/Accounts/{user_id}/organizations", account_orgs),
        Route("/v1/Organizations/{org_id}", get_org),
        Route("/v1/Organizations/{org_id}/{resource}/count", count_resource),
        Route("/v1/Organizations/{org_id}/{resource}", list_resource),
        Route("/_sim/faults", get_faults, methods=["GET"]),
        Route("/_sim/faults", put_faults, methods=["PUT"]),
        Route("/_sim/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/_sim/stats", stats),
        Route("/_sim/tokens", issued_tokens),
        Route("/healthz", _ok),
    ])


async def _ok(request: Request) -> Response:
    return json_response({"status": "ok"})
