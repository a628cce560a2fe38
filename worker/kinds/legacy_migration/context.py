"""What the legacy migration's steps work with."""

from __future__ import annotations

from dataclasses import dataclass

from worker.engine.context import JobRun
from worker.kinds.legacy_migration.source.client import LegacyClient


@dataclass
class LegacyContext:
    """One run of a legacy migration: the engine's run (checkpoints, progress, the step's
    counts), the legacy API client holding the job's token, and the job's own fields."""

    run: JobRun
    legacy: LegacyClient
    legacy_org_id: str
    environment: str
    confirm_unsupported_data: bool
