"""Typed rows at the store boundary.

A store returns frozen dataclasses, not `asyncpg.Record`: callers read `job.status`, a
misspelt column fails `mypy`, not a request, and a status column arrives as its enum. Each
row class lives beside the queries that fill it (e.g. `worker.store.jobs.JobRow`) and names
the columns its callers use; other columns of the record are ignored, a missing one raises.
A field with a default takes it when the query does not select that column: give one only
where a None (or the default) cannot be mistaken for the column's value.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias, TypeVar

import asyncpg

T = TypeVar("T")
# what a query returns, or a plain mapping (tests, JSON)
RecordLike: TypeAlias = asyncpg.Record | Mapping[str, Any]

_MISSING = object()
# (column, a factory of its default or None (required), converter or None), in field order
_Plan = tuple[tuple[str, Callable[[], Any] | None, Callable[[Any], Any] | None], ...]
_plans: dict[type[Any], _Plan] = {}


def row_as(cls: type[T], record: RecordLike) -> T:
    """The record as a `cls` (a dataclass): its fields by column name, enums converted."""
    values = []
    plan = _plans.get(cls) or _plans.setdefault(cls, _plan(cls))
    for column, default, convert in plan:
        if default is None:
            value = record[column]
        elif (value := record.get(column, _MISSING)) is _MISSING:
            value = default()
        values.append(value if convert is None or value is None else convert(value))
    return cls(*values)


def row_or_none(cls: type[T], record: RecordLike | None) -> T | None:
    """`row_as`, or None for no record."""
    return None if record is None else row_as(cls, record)


def rows_as(cls: type[T], records: Iterable[RecordLike]) -> list[T]:
    """Every record as a `cls`."""
    return [row_as(cls, r) for r in records]


def _plan(cls: type[Any]) -> _Plan:
    hints = typing.get_type_hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        default: Callable[[], Any] | None = None
        if f.default is not dataclasses.MISSING:
            default = functools.partial(_same, f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory  # a new one a row: no row shares a mutable default
        plan.append((f.name, default, _enum_of(hints[f.name])))
    return tuple(plan)


def _enum_of(hint: Any) -> Callable[[Any], Any] | None:
    """The enum a field holds (alone or `| None`): text from the database becomes it."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    options = typing.get_args(hint) if union else (hint,)
    for option in options:
        if isinstance(option, type) and issubclass(option, enum.Enum):
            return option
    return None


def _same(value: T) -> T:
    return value
