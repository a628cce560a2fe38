"""The audit log (spec/security.md, "Keys and audit"; migration 0021): who did what, when and
from where. `record` is called inside the transaction of the action it records, by the
function that performs the action, so an entry and its action commit or roll back together.

Actions are named `object.verb`: key.created, key.revoked, key.rotated, job.created,
job.retried, job.cancelled, jobs.bulk_retried, jobs.bulk_cancelled, migration.created,
migration.abandoned, migration.executed, upload.stored, retention.purged.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import asyncpg

from worker.db.queries import q
from worker.db.rows import rows_as
from worker.db.types import Executor


class ActorRole(StrEnum):
    """Who acts (audit_log.actor): an account's key, an operator's key, the CLI, the service."""

    ACCOUNT = "account"
    OPERATOR = "operator"
    CLI = "cli"
    SERVICE = "service"


@dataclass(frozen=True)
class Actor:
    """Who acts: an account's or an operator's API key (with the client's address), the
    CLI on one of the service's hosts, or the service itself."""

    role: ActorRole
    key_id: int | None = None
    key_prefix: str | None = None
    key_label: str | None = None
    account_id: str | None = None
    address: str | None = None


SERVICE = Actor(ActorRole.SERVICE)


def cli_actor() -> Actor:
    """The CLI run on a host of the service (it holds the database's credentials): named by
    the OS user and host, since there is no key behind it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container's uid with no passwd entry
        user = "unknown"
    return Actor(ActorRole.CLI, key_label=f"{user}@{socket.gethostname()}")


async def record(conn: Executor, by: Actor, action: str, *, subject: str | None = None,
                 account_id: str | None = None,
                 details: Mapping[str, Any] | None = None) -> None:
    """Append an entry in the caller's transaction. `account_id`: the account acted on
    (default: the actor's own)."""
    await conn.execute(q("audit_insert"), by.role, by.key_id, by.key_prefix, by.key_label,
                       account_id or by.account_id, by.address, action, subject,
                       dict(details or {}))


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read: every condition given must hold. `action` matches one
    action (job.retried) or a family (job)."""

    action: str | None = None
    account_id: str | None = None
    key_prefix: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditEntryRow:
    """An entry of the audit log."""

    id: int
    at: datetime
    actor: ActorRole
    key_id: int | None
    key_prefix: str | None
    key_label: str | None
    account_id: str | None
    address: str | None
    action: str
    subject: str | None
    details: dict[str, Any]


async def entries(pool: asyncpg.Pool, where: AuditFilter, *, before_id: int | None,
                  limit: int) -> list[AuditEntryRow]:
    """Entries newest first, those before `before_id` (the previous page's last) if given."""
    return rows_as(AuditEntryRow, await pool.fetch(
        q("audit_entries"), where.action, where.account_id, where.key_prefix, where.subject,
        where.since, where.until, before_id, limit))
