"""The job kinds the service runs, each in its own folder with its steps, sources and
errors. The engine (worker.engine) runs any of them through worker.engine.kind.JobKind.

A new kind goes in `worker/kinds/<name>/`: a `kind.py` defining its JobKind (name, numbered
steps, `open`, `describe_failure`, `clean_up`), its steps, its own table if it needs one (a
migration in sql/migrations, its queries in sql/queries/<name>.sql, a store beside it), and
an enqueue module that calls worker.enqueue.create_job. Then it is listed in BUILT_IN below.
"""

from __future__ import annotations

import importlib
from typing import Any

from worker.engine.kind import JobKind


def _built_in() -> list[JobKind[Any]]:
    # imported here, not at the top: a kind's modules import this package's siblings
    from worker.kinds.legacy_migration.kind import LEGACY_MIGRATION
    from worker.kinds.wizard_execute.kind import WIZARD_EXECUTE
    from worker.kinds.wizard_import.kind import WIZARD_IMPORT

    return [LEGACY_MIGRATION, WIZARD_IMPORT, WIZARD_EXECUTE]


def _load(spec: str) -> JobKind[Any]:
    module_name, _, attribute = spec.strip().partition(":")
    kind = getattr(importlib.import_module(module_name), attribute, None)
    if not isinstance(kind, JobKind):
        raise ValueError(f"EXTRA_JOB_KINDS: {spec!r} does not name a JobKind "
                         "(write it as module:attribute)")
    return kind


def job_kinds(extra: str = "") -> dict[str, JobKind[Any]]:
    """Every kind by name: the built-in ones and those named in `extra`
    ("module:attribute", comma-separated; the EXTRA_JOB_KINDS setting)."""
    kinds: dict[str, JobKind[Any]] = {}
    for kind in [*_built_in(), *(_load(s) for s in extra.split(",") if s.strip())]:
        if kind.name in kinds:
            raise ValueError(f"two job kinds are named {kind.name!r}")
        kinds[kind.name] = kind
    return kinds
