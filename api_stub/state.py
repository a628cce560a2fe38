"""What request handlers share: the process's services."""

from __future__ import annotations

from fastapi import Request

from worker.services import Services

ApiState = Services


async def get_state(request: Request) -> Services:
    # async: FastAPI runs a plain function dependency in a thread, a hop on every request
    state: Services = request.app.state.api
    return state
