"""What `ops audit` prints for a page of /ops/audit, as plain text; pure functions of the JSON.

An entry's details read the same here and on the dashboard (api_stub/dashboard/audit.js
mirrors `details_text`, and a test holds the two to the same output): `name value` pairs
in a fixed order, ` · ` apart; a byte count as a size, a SHA-256 as its first 12 digits, a
time in UTC with a Z; nothing for an empty or false value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api_stub.ops_cli.tables import id_list, table, when

# The actions the audit log records (worker/store/audit.py); a family is the part before
# the dot. The dashboard offers the same ones (its AUDIT_ACTIONS).
ACTIONS = ("key.created", "key.revoked", "key.rotated", "job.created", "job.retried",
           "job.cancelled", "jobs.bulk_retried", "jobs.bulk_cancelled", "migration.created",
           "migration.abandoned", "migration.executed", "upload.stored", "retention.purged")
FAMILIES = tuple(dict.fromkeys(a.split(".")[0] for a in ACTIONS))

# the details an operator looks for first; any others follow in alphabetical order
ORDER = ("filename", "format", "bytes", "sha256", "filter", "matched", "acted", "refused",
         "kind", "was", "key_prefix", "label", "operator", "accounts", "expires_at",
         "new_key_prefix", "new_key_id", "grace_ends", "provider", "cutover", "currency",
         "job", "migration", "bulk")
SHA_SHOWN = 12


def size(count: int) -> str:
    """A byte count as `832 B`, `1.2 kB`, `3.4 MB` (powers of 1000, one decimal)."""
    value, unit = float(count), "B"
    for bigger in ("kB", "MB", "GB", "TB"):
        if value < 999.95:
            break
        value, unit = value / 1000, bigger
    return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"


def utc(iso: str) -> str:
    """An ISO time (any offset) as `2026-12-06 23:41:58Z`; as given if it is none."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def value_text(name: str, value: Any) -> str:
    """One detail's value, short; '' for nothing worth showing."""
    if value is None or value is False or value == "" or value == [] or value == {}:
        return ""
    if value is True:
        return "yes"
    if isinstance(value, dict):
        inner = ((k, value_text(k, v)) for k, v in value.items())
        return ", ".join(f"{k}={text}" for k, text in inner if text)
    if isinstance(value, list):
        return id_list([value_text(name, v) or "-" for v in value])
    if name == "bytes" and isinstance(value, int):
        return size(value)
    if name == "sha256" and isinstance(value, str) and len(value) > SHA_SHOWN:
        return value[:SHA_SHOWN] + "…"
    if name.endswith(("_at", "_ends")) and isinstance(value, str):
        return utc(value)
    if isinstance(value, float):  # to the thousandth, no trailing zeros
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def details_text(details: dict[str, Any]) -> str:
    """An entry's details as `name value · name value`, the telling ones first."""
    names = [n for n in ORDER if n in details] + sorted(n for n in details if n not in ORDER)
    shown = ((n, value_text(n, details[n])) for n in names)
    return " · ".join(f"{n.replace('_', ' ')} {text}" for n, text in shown if text)


def who(entry: dict[str, Any]) -> str:
    """The actor, the key's prefix and its label: `operator mwo_1a2b3c (ops laptop)`,
    `cli alice@host`, `service`."""
    parts = [entry["actor"], entry.get("key_prefix") or ""]
    label = entry.get("key_label")
    text = " ".join(p for p in parts if p)
    if label:
        text += f" ({label})" if entry.get("key_prefix") else f" {label}"
    return text


def audit_view(page: dict[str, Any]) -> str:
    """A page of entries, newest first, and how to get the next (older) one."""
    entries = page.get("data") or []
    if not entries:
        return "no audit entry matches"
    text = table(["ID", "AT (UTC)", "ACTION", "WHO", "ACCOUNT", "SUBJECT", "ADDRESS",
                  "DETAILS"],
                 [[e["id"], when(e.get("at")), e["action"], who(e),
                   e.get("account"), e.get("subject"), e.get("address"),
                   details_text(e.get("details") or {})] for e in entries], max_width=160)
    if page.get("has_more"):
        text += f"\n(older: add --before {page['next_before']})"
    return text
