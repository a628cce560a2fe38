"""The Redis keys the service names itself (arq's own are in `arq.constants`).

Redis is transport only: losing any of these loses no job (Postgres holds the jobs).
"""

from __future__ import annotations

import hashlib

PREFIX = "mw:"

# A legacy login session: the legacy user ID, the sealed token and the orgs it may migrate.
# Keyed by a digest of the session ID, so the ID itself (a bearer secret) is not stored.
LEGACY_SESSION = PREFIX + "legacy-session:{digest}"


def legacy_session_key(session_id: str) -> str:
    """The key holding a legacy session."""
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    return LEGACY_SESSION.format(digest=digest)

# The web tier's limits (api_stub/rate_limits.py, stream_slots.py, login_throttle.py): every
# key expires on its own, and none holds an API key or an email, only IDs and digests.
# A request-rate bucket (GCRA: the theoretical arrival time), `who` as
# "key:<api key ID>", "addr:<client address>" or "probe:<client address>".
RATE_BUCKET = PREFIX + "rate:{who}"
# The open event streams of an API key: a sorted set of stream IDs by lease expiry.
EVENT_STREAMS = PREFIX + "event-streams:key:{key_id}"
# Wrong legacy passwords, by email digest, of one email ("email:<digest>") or of one API
# key ("key:<api key ID>"), with the time of the last one.
LOGIN_FAILURES = PREFIX + "login-failures:{who}"


def rate_bucket_key(who: str) -> str:
    """The key of one request-rate bucket."""
    return RATE_BUCKET.format(who=who)


def event_streams_key(key_id: int) -> str:
    """The key counting an API key's open event streams."""
    return EVENT_STREAMS.format(key_id=key_id)


def login_failures_key(who: str) -> str:
    """The key counting wrong legacy passwords of one email or one API key."""
    return LOGIN_FAILURES.format(who=who)
