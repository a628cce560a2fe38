"""Test databases: created afresh, beside the one the suite runs on."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg


def sibling_database(url: str, name: str) -> str:
    """`url` with its database replaced by `name` (same server, same user)."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def recreate_database(url: str) -> None:
    """Drop (forcing out its connections) and create the database of `url`."""
    name = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(sibling_database(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(sibling_database(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
