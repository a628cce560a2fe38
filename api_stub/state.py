"""What request handlers share: the process's services."""

from __future__ import annotations

from fastapi import Request

from worker.services import Services

ApiState = Services


def get_state(request: Request) -> Services:
    state: Services = request.app.state.api
    return state
