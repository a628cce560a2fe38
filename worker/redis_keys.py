"""Every Redis key the service uses, in one place (arq's own keys aside).

Redis is transport only: losing any of these loses no job (Postgres holds the jobs).
"""

from __future__ import annotations

import hashlib

PREFIX = "mw:"

# A legacy login session: the legacy user ID, the sealed token and the orgs it may migrate.
# Keyed by a digest of the session ID, so the ID itself (a bearer secret) is not stored.
LEGACY_SESSION = PREFIX + "legacy-session:{digest}"

# arq's key prefixes, which the sweep reads and repairs (they are arq's names, repeated
# here so that all Redis key names the service touches are visible in one module).
ARQ_JOB = "arq:job:{job_id}"
ARQ_IN_PROGRESS = "arq:in-progress:{job_id}"


def legacy_session_key(session_id: str) -> str:
    """The key holding a legacy session."""
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    return LEGACY_SESSION.format(digest=digest)
