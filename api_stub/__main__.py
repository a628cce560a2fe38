"""`python -m api_stub serve | create-key --account ACC [--account ACC2] | create-key
--operator | ops ...` (the operator CLI, api_stub/ops_cli)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from api_stub import ops_cli


class CannotReachPostgres(Exception):
    """Postgres did not answer create-key: the message says where and what to do."""


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


async def _create_key(accounts: list[str], operator: bool) -> str:
    # imported here: `ops` talks HTTP only and needs no database driver
    import asyncpg

    from worker.db.pool import create_pool
    from worker.settings import get_settings
    from worker.store.api_keys import create_api_key

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
        return await create_api_key(pool, accounts, operator=operator)
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api_stub")
    commands = parser.add_subparsers(dest="command", required=True)
    key = commands.add_parser("create-key", help="create an API key (and its accounts)")
    whose = key.add_mutually_exclusive_group(required=True)
    whose.add_argument("--account", action="append",
                       help="an account the key may act for; repeat for several")
    whose.add_argument("--operator", action="store_true",
                       help="an operator's key: every account's jobs through /ops, nothing "
                            "else")
    commands.add_parser("serve", help="serve the API on $PORT")
    ops_cli.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "ops":
        return ops_cli.run(args)
    if args.command == "create-key":
        accounts = args.account or []
        try:
            new_key = asyncio.run(_create_key(accounts, args.operator))
        except CannotReachPostgres as exc:
            print(exc, file=sys.stderr)
            return 1
        whom = "an operator" if args.operator else ", ".join(accounts)
        print(f"API key for {whom} (shown once, stored only as a digest):", file=sys.stderr)
        print(new_key)
        return 0
    from api_stub.server import serve
    from worker.deployment import start_or_exit
    from worker.settings import get_settings

    settings = get_settings()
    start_or_exit(settings, "the API")
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
