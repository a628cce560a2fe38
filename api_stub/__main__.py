"""`python -m api_stub serve | create-key --account ACC [--account ACC2] | create-key
--operator [--label L] [--expires 2027-01-31|90d] | keys list|revoke|rotate (api_stub/
keys_cli) | ops ...` (the operator CLI, api_stub/ops_cli)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from api_stub import keys_cli, ops_cli


async def _create_key(accounts: list[str], operator: bool, label: str | None,
                      expires_at: datetime | None) -> str:
    # imported here: `ops` talks HTTP only and needs no database driver
    from worker.store.api_keys import create_api_key
    from worker.store.audit import cli_actor

    return await keys_cli.with_pool(lambda pool: create_api_key(
        pool, accounts, by=cli_actor(), operator=operator, label=label,
        expires_at=expires_at))


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
    key.add_argument("--label", help="what the key is for, shown by `keys list`")
    key.add_argument("--expires", type=keys_cli.expiry,
                     help="when it stops working: a date (2027-01-31, through that day UTC), "
                          "a date-time, or a duration from now (90d)")
    keys_cli.add_parser(commands)
    commands.add_parser("serve", help="serve the API on $PORT")
    ops_cli.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "ops":
        return ops_cli.run(args)
    if args.command == "keys":
        return keys_cli.run(args)
    if args.command == "create-key":
        accounts = args.account or []
        try:
            new_key = asyncio.run(_create_key(accounts, args.operator, args.label,
                                              args.expires))
        except keys_cli.CannotReachPostgres as exc:
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
