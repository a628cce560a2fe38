"""The SQL files: named queries parse, migrations are ordered and well named."""

import pytest

from worker.db.queries import _all_queries, parse_queries, q
from worker.db.schema import load_migrations


def test_every_named_query_loads_and_is_not_empty() -> None:
    queries = _all_queries()
    assert {"insert_job", "acquire_lease", "commit_documents", "clear_staging"} <= set(queries)
    assert all(sql.strip() for sql in queries.values())


def test_duplicate_and_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        parse_queries("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;")
    with pytest.raises(KeyError, match="no SQL query named 'nope'"):
        q("nope")


def test_migrations_are_numbered_in_order() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == sorted(versions)
    assert versions[0] == 1
