"""GET /healthz: whether Postgres and Redis answer."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api_stub.auth import State
from api_stub.errors import PayloadTooLarge, RateLimited, error_responses
from api_stub.schemas import Health
from worker.errors import InternalError

router = APIRouter(tags=["operations"])

_TIMEOUT = 2.0


@router.get("/healthz", summary="Health: 200 when Postgres and Redis answer, 503 otherwise",
            response_model=Health,
            responses={503: {"model": Health,
                             "description": "Postgres or Redis does not answer."},
                       **error_responses(PayloadTooLarge, RateLimited, InternalError)})
async def healthz(state: State) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(state.pool.fetchval("SELECT 1"), _TIMEOUT)
        checks["postgres"] = "ok"
    except Exception as exc:
        checks["postgres"] = f"unavailable ({type(exc).__name__})"
    try:
        await asyncio.wait_for(state.redis.ping(), _TIMEOUT)
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"unavailable ({type(exc).__name__})"
    healthy = all(v == "ok" for v in checks.values())
    health = Health(status="ok" if healthy else "unavailable", postgres=checks["postgres"],
                    redis=checks["redis"])
    return JSONResponse(health.model_dump(), status_code=200 if healthy else 503)
