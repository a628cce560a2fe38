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
