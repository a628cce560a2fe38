"""Named SQL queries, loaded from `sql/queries/*.sql`.

Each query is introduced by a line `-- name: some_name`; names are unique across files.
Keeping SQL in .sql files lets it be read, reviewed and tested as SQL.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from worker.db.sql_files import sql_root

_NAME = re.compile(r"^--\s*name:\s*([a-z0-9_]+)\s*$", re.MULTILINE)


def parse_queries(text: str, source: str = "<string>") -> dict[str, str]:
    """Split a .sql file's text into {name: sql}."""
    parts = _NAME.split(text)
    queries: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        sql = body.strip().rstrip(";").strip()
        if not sql:
            raise ValueError(f"{source}: query {name!r} is empty")
        if name in queries:
            raise ValueError(f"{source}: query {name!r} is defined twice")
        queries[name] = sql
    return queries


@lru_cache(maxsize=1)
def _all_queries() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(Path(sql_root(), "queries").glob("*.sql")):
        for name, sql in parse_queries(path.read_text(), path.name).items():
            if name in found:
                raise ValueError(f"{path.name}: query {name!r} is already defined elsewhere")
            found[name] = sql
    return found


def q(name: str) -> str:
    """The SQL text of the named query."""
    try:
        return _all_queries()[name]
    except KeyError:
        raise KeyError(f"no SQL query named {name!r} in sql/queries") from None
