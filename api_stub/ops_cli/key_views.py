"""What `ops keys` prints for the answers of /ops/keys, as plain text; pure functions of the
JSON (and of the time now, for a key's state)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api_stub.ops_cli.tables import table, when


def _moment(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")) if iso else None


def key_state(key: dict[str, Any], now: datetime | None = None) -> str:
    """active, `in grace until …` (a rotated key still working), `revoked …`, or
    `expired …`: whichever stopped it first. Times in UTC, as the tables show them."""
    now = now or datetime.now(UTC)
    revoked, expires = _moment(key.get("revoked_at")), _moment(key.get("expires_at"))
    if expires is not None and expires <= now and (revoked is None or expires <= revoked):
        return f"expired {when(key['expires_at'])}"
    if revoked is not None and revoked <= now:
        return f"revoked {when(key['revoked_at'])}"
    if revoked is not None:  # a rotation's grace period: revoked_at is still to come
        return f"in grace until {when(key['revoked_at'])}"
    return "active"


def whose(key: dict[str, Any]) -> str:
    """`operator`, or the key's accounts."""
    return "operator" if key.get("operator") else ",".join(key.get("accounts") or [])


def keys_view(listing: dict[str, Any], now: datetime | None = None) -> str:
    """Every key: ID, prefix, whose, label, dates, state (and what replaced a rotated one)."""
    keys = listing.get("keys") or []
    if not keys:
        return "no API key yet: make one with python -m api_stub create-key"
    return table(["ID", "PREFIX", "WHOSE", "LABEL", "CREATED (UTC)", "LAST USED (UTC)",
                  "EXPIRES (UTC)", "STATE"],
                 [[k["id"], k["prefix"], whose(k), k.get("label"), when(k.get("created_at")),
                   when(k.get("last_used_at")), when(k.get("expires_at")),
                   key_state(k, now) + (f", replaced by {k['replaced_by']}"
                                        if k.get("replaced_by") else "")]
                  for k in keys])


def revoked_view(named: str, result: dict[str, Any]) -> str:
    """The revocation done: which key, since when."""
    about = f"API key {result['id']}" + ("" if named == str(result["id"]) else f" ({named})")
    return (f"revoked {about} at {when(result.get('revoked_at'))} UTC: every web process "
            "refuses it within a second")


def rotated_note(named: str, result: dict[str, Any]) -> str:
    """What goes to stderr beside the new key (stdout gets the key alone)."""
    about = f"API key {result['id']}" + ("" if named == str(result["id"]) else f" ({named})")
    return (f"rotated {about}: it works until {when(result.get('old_key_works_until'))} UTC. "
            "New key below, shown once (only its digest is stored): copy it now.")
