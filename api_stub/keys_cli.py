"""`python -m api_stub keys list | revoke PREFIX_OR_ID | rotate PREFIX_OR_ID [--grace 24h]`
and the lifecycle options of `create-key` (--label, --expires). These talk to Postgres
directly, like create-key: they are how the first operator key comes to exist.

A key is stored only as its digest and visible prefix, so it is named by its ID or prefix;
the only full key ever printed is a new one (rotate), once, on stdout."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    # imported when used: `ops` talks HTTP only and needs no database driver
    import asyncpg

    from worker.key_lifecycle import ApiKeyRow

T = TypeVar("T")

class CannotReachPostgres(Exception):
    """Postgres did not answer create-key or keys: the message says where and what to do."""


def _without_password(dsn: str) -> str:
    """`dsn` fit to show: no password in its user part or its query string."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(dsn)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = user.split(":", 1)[0] + "@" + host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit(parts._replace(netloc=netloc, query=query))


_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def duration(text: str) -> timedelta:
    """`90d`, `24h`, `30m`, `2w`, `45s` as a timedelta (argparse type)."""
    match = _DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration; write e.g. 24h, 90d, 30m or 2w")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def expiry(text: str) -> datetime:
    """An expiry: a date (the key works through that day, UTC), an ISO date-time, or a
    duration from now (argparse type)."""
    if _DURATION.match(text):
        return datetime.now(UTC) + duration(text)
    try:
        if len(text.strip()) == 10:
            day = date.fromisoformat(text.strip())
            return datetime.combine(day + timedelta(days=1), time(), UTC)
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a date (2027-01-31), a date-time nor a duration (90d)"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def add_parser(commands: Any) -> None:
    """The `keys` subcommands."""
    keys = commands.add_parser("keys", help="list, revoke or rotate API keys")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    actions.add_parser("list", help="every key: ID, prefix, whose, label, dates")
    revoke = actions.add_parser("revoke", help="revoke a key now")
    revoke.add_argument("key", metavar="PREFIX_OR_ID")
    rotate = actions.add_parser("rotate", help="a new key; the old one works for --grace")
    rotate.add_argument("key", metavar="PREFIX_OR_ID")
    rotate.add_argument("--grace", type=duration, default=timedelta(hours=24),
                        help="how long the old key keeps working (default 24h; 0s: none)")


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if at else "-"


def _table(rows: list[ApiKeyRow]) -> str:
    now = datetime.now(UTC)
    head = ("ID", "PREFIX", "WHOSE", "LABEL", "CREATED", "LAST USED", "EXPIRES", "REVOKED")
    lines = [head]
    for r in rows:
        revoked = _when(r.revoked_at)
        if r.rotated_at is not None and r.revoked_at and r.revoked_at > now:
            revoked = f"rotated, works until {revoked}"
        elif r.rotated_at is not None:
            revoked = f"rotated, {revoked}"
        lines.append((str(r.id), r.key_prefix,
                      "operator" if r.operator else ",".join(r.accounts),
                      r.label or "-", _when(r.created_at), _when(r.last_used_at),
                      _when(r.expires_at), revoked))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


async def with_pool(use: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
    """Run `use` with a one-connection pool on DATABASE_URL (CannotReachPostgres else)."""
    import asyncpg

    from worker.db.pool import create_pool
    from worker.settings import get_settings

    dsn = get_settings().database_url
    try:
        pool = await asyncio.wait_for(create_pool(dsn, min_size=1, max_size=1), 15)
    except (OSError, TimeoutError, asyncpg.PostgresError,
            asyncpg.InterfaceError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise CannotReachPostgres(
            f"cannot reach Postgres at {_without_password(dsn)}: {reason}; is the dev stack "
            "running (./scripts/dev)? Run commands through ./scripts/cli") from None
    try:
        return await use(pool)
    finally:
        await pool.close()


def run(args: argparse.Namespace) -> int:
    """Run a `keys` subcommand; 0, or 1 with one line on stderr."""
    from worker import key_lifecycle as keys
    from worker.store.audit import cli_actor

    try:
        if args.keys_command == "list":
            print(_table(asyncio.run(with_pool(keys.list_api_keys))))
        elif args.keys_command == "revoke":
            key_id, at = asyncio.run(with_pool(
                lambda pool: keys.revoke_api_key(pool, args.key, by=cli_actor())))
            print(f"API key {key_id} revoked ({_when(at)} UTC); web processes refuse it "
                  "within a second", file=sys.stderr)
        else:
            new_key, old_id, ends = asyncio.run(with_pool(
                lambda pool: keys.rotate_api_key(pool, args.key, args.grace,
                                                 by=cli_actor())))
            print(f"API key {old_id} rotated; it works until {_when(ends)} UTC. New key "
                  "(shown once, stored only as a digest):", file=sys.stderr)
            print(new_key)
    except (CannotReachPostgres, keys.KeyNotFound, keys.KeyAlreadyRevoked) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
