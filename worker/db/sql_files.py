"""Locates the project's `sql/` folder, in a checkout or in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def sql_root() -> Path:
    """The folder holding `migrations/` and `queries/`."""
    for candidate in (_PACKAGE / "_sql", _PACKAGE.parent / "sql"):
        if (candidate / "migrations").is_dir():
            return candidate
    raise FileNotFoundError("the sql/ folder (migrations and queries) was not found")
