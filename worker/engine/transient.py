"""Which infrastructure failures are worth retrying (the step resumes from its checkpoint)."""

from __future__ import annotations

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from worker.backoff import backoff_seconds

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
    # asyncpg's protocol left mid-operation (a COPY whose backend was terminated: "cannot
    # switch to state …"): that connection is done for, a new one resumes the step; a real
    # asyncpg bug would fail the job after MAX_TRANSIENT_RETRIES
    asyncpg.InternalClientError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    OSError,
)

MAX_TRANSIENT_RETRIES = 8


def transient_backoff(retry: int) -> float:
    """Seconds to wait before resuming a step after transient failure number `retry`."""
    return backoff_seconds(retry, base=0.2, cap=10.0)
