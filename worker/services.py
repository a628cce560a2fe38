"""What a process of the service shares between requests or jobs."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from arq.connections import ArqRedis

from worker.secrets_box import SecretBox
from worker.settings import Settings
from worker.store.jobs import JobStore
from worker.store.steps import StepStore
from worker.store.workers import WorkerStore


@dataclass
class Services:
    """Settings, the Postgres pool, Redis, the secret box and the stores."""

    settings: Settings
    pool: asyncpg.Pool
    redis: ArqRedis
    box: SecretBox
    jobs: JobStore
    steps: StepStore
    workers: WorkerStore

    @classmethod
    def build(cls, settings: Settings, pool: asyncpg.Pool, redis: ArqRedis) -> Services:
        return cls(settings, pool, redis, SecretBox(settings.secret_key.get_secret_value(),
                                                   settings.old_secret_keys()),
                   JobStore(pool), StepStore(pool), WorkerStore(pool))
