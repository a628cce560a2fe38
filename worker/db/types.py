"""Type names for asyncpg connections as the code receives them."""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# A connection from asyncpg.connect() or one borrowed from a pool.
Conn: TypeAlias = asyncpg.Connection[Any] | PoolConnectionProxy[Any]
# Anything that runs a query: a connection or the pool itself.
Executor: TypeAlias = Conn | asyncpg.Pool[Any]
