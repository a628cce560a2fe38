"""What request handlers share: settings, the pool, Redis, the job manager."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from arq.connections import ArqRedis
from fastapi import Request

from worker.config import Settings
from worker.secrets_box import SecretBox
from worker.store.jobs import JobStore
from worker.store.steps import StepStore


@dataclass
class ApiState:
    settings: Settings
    pool: asyncpg.Pool
    redis: ArqRedis
    box: SecretBox
    jobs: JobStore
    steps: StepStore


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state
