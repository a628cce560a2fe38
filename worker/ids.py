"""Identifiers: time-ordered IDs (`mig_` legacy jobs, `job_` the wizard's jobs, `wmig_`
wizard migrations, `ent_` entities, `wrk_` workers, …) and opaque random tokens."""

from __future__ import annotations

import os
import secrets
import threading
import time

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_time_ordered_hex() -> str:
    """24 lowercase hex digits: 48-bit milliseconds, 16-bit counter, 32 random bits.

    IDs made later sort after IDs made earlier (within one process, strictly), which
    makes `starting_after` paging by ID match creation order.
    """
    global _last_ms, _counter
    with _lock:
        now = int(time.time() * 1000)
        if now <= _last_ms:
            _counter += 1
            if _counter > 0xFFFF:
                _last_ms += 1
                _counter = 0
            now = _last_ms
        else:
            _counter = int.from_bytes(os.urandom(1), "big")  # leaves room to count up
        _last_ms = now
        counter = _counter
    return f"{now & 0xFFFFFFFFFFFF:012x}{counter:04x}{secrets.randbits(32):08x}"


def new_id(prefix: str) -> str:
    """`<prefix>_` + 24 hex digits, time-ordered: `job_` (jobs of the wizard's kinds),
    `wmig_` (wizard migrations; before, `mig_` like legacy jobs), `dimp_` (imports), `upl_`
    (uploads)."""
    return f"{prefix}_{new_time_ordered_hex()}"


def new_job_id() -> str:
    """A legacy migration job ID: `mig_` + 24 hex digits, time-ordered."""
    return new_id("mig")


def new_entity_id() -> str:
    """A target entity ID."""
    return "ent_" + new_time_ordered_hex()


def new_worker_id() -> str:
    """A worker process's ID in the registry (a restarted process gets a new one)."""
    return "wrk_" + new_time_ordered_hex()


# an API key's first characters: an account's key, an operator's
KEY_PREFIX = "mwk_"
OPERATOR_KEY_PREFIX = "mwo_"


def new_token(prefix: str, nbytes: int = 24) -> str:
    """An unguessable token such as an API key or a legacy session ID."""
    return prefix + secrets.token_hex(nbytes)
