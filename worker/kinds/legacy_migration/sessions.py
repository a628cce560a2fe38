"""Legacy login sessions: a login to the legacy API, kept in Redis for an hour.

The session ID is the bearer secret the caller receives; Redis holds only its digest as
key, and the legacy access token sealed with SECRET_KEY. The legacy password is used
once to log in and never stored nor logged.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from redis.asyncio import Redis

from worker.ids import new_token
from worker.kinds.legacy_migration.source.client import LegacyClient
from worker.models import iso_millis
from worker.redis_keys import legacy_session_key
from worker.secrets_box import SecretBox

SESSION_PREFIX = "lm_session_"

MigratedLookup = Callable[[list[str]], Awaitable[dict[str, set[str]]]]


@dataclass(frozen=True)
class LegacySession:
    account_id: str
    legacy_user_id: str
    sealed_token: bytes
    org_ids: tuple[str, ...]


@dataclass(frozen=True)
class LoginOutcome:
    session_id: str
    organizations: list[dict[str, Any]]


def _created_at(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return iso_millis(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return value


async def save_session(redis: Redis, session: LegacySession, ttl_seconds: int) -> str:
    """Store a session; returns its new ID."""
    session_id = new_token(SESSION_PREFIX, 16)
    payload = orjson.dumps({
        "account_id": session.account_id,
        "legacy_user_id": session.legacy_user_id,
        "sealed_token": base64.b64encode(session.sealed_token).decode(),
        "org_ids": list(session.org_ids),
    })
    await redis.set(legacy_session_key(session_id), payload, ex=ttl_seconds)
    return session_id


async def load_session(redis: Redis, session_id: str) -> LegacySession | None:
    """The session, or None when it does not exist or has expired."""
    raw = await redis.get(legacy_session_key(session_id))
    if raw is None:
        return None
    data = orjson.loads(raw)
    return LegacySession(
        account_id=data["account_id"],
        legacy_user_id=data["legacy_user_id"],
        sealed_token=base64.b64decode(data["sealed_token"]),
        org_ids=tuple(data["org_ids"]),
    )


async def legacy_login(
    *, redis: Redis, box: SecretBox, legacy_api_url: str, account_id: str,
    email: str, password: str, ttl_seconds: int,
    migrated: MigratedLookup, http_timeout: float = 10.0,
) -> LoginOutcome:
    """Log in to the legacy API and open a session listing the user's organisations.

    `migrated` maps org IDs to the environments each was already migrated to.
    Raises LegacyAuthFailed on wrong credentials, LegacyError when unreachable.
    """
    async with LegacyClient(legacy_api_url, timeout=http_timeout) as client:
        login = await client.login(email, password)
        orgs = await client.organizations(login.user_id)
    org_ids = [str(o["id"]) for o in orgs]
    done = await migrated(org_ids)
    organizations = []
    for org in orgs:
        environments = done.get(str(org["id"]), set())
        migrated_to = "live" if "live" in environments else (
            "sandbox" if "sandbox" in environments else None)
        organizations.append({
            "id": str(org["id"]),
            "name": org.get("name"),
            "country": org.get("countryAlpha2Code") or org.get("country"),
            "tax_number": org.get("taxNumber"),
            "created_at": _created_at(org.get("createdAt")),
            "already_migrated": migrated_to is not None,
            "migrated_environment": migrated_to,
        })
    session = LegacySession(account_id, login.user_id, box.seal(login.token), tuple(org_ids))
    session_id = await save_session(redis, session, ttl_seconds)
    return LoginOutcome(session_id, organizations)
