"""What the legacy migration's steps work with."""

from __future__ import annotations

from dataclasses import dataclass

from worker.engine.context import JobRun
from worker.kinds.legacy_migration.source.client import LegacyClient
from worker.sources.kept_pages import KeptPages


@dataclass
class LegacyContext:
    """One run of a legacy migration: the engine's run (checkpoints, progress, the step's
    counts), the legacy API client holding the job's token, the pages step 1 keeps for
    step 5, and the job's own fields."""

    run: JobRun
    legacy: LegacyClient
    kept: KeptPages
    legacy_org_id: str
    environment: str
    confirm_unsupported_data: bool
