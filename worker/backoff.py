"""The one backoff formula: exponential, capped, with jitter."""

from __future__ import annotations

import random


def backoff_seconds(retry: int, base: float, cap: float) -> float:
    """Seconds to wait before retry number `retry` (1-based): a random point in the upper
    half of `base * 2 ** (retry - 1)`, capped at `cap`. The jitter spreads the retries of
    many clients that failed together; the lower bound keeps the backoff a backoff."""
    ceiling = min(cap, base * 2 ** (retry - 1))
    return random.uniform(ceiling / 2, ceiling)
