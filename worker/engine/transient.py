"""Which infrastructure failures are worth retrying (the step resumes from its checkpoint)."""

from __future__ import annotations

import random

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Lost or refused Postgres connections (pg_terminate_backend, a restart, a failover),
# serialisation conflicts, and lost Redis connections.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    OSError,
)

MAX_TRANSIENT_RETRIES = 8


def transient_backoff(retry: int, base: float = 0.2, cap: float = 10.0) -> float:
    """Exponential backoff with jitter for retry number `retry` (1-based)."""
    ceiling = min(cap, base * 2 ** (retry - 1))
    return random.uniform(ceiling / 2, ceiling)
