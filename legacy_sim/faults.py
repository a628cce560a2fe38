"""Fault injection: latency, 5xx, 429 with Retry-After, hangs, invalid records, and token
expiry.

Set at start from the LEGACY_FAULTS environment variable (JSON of FaultPlan's fields) or
at run time with PUT /_sim/faults. `script` holds one-shot faults answered in order,
before any random fault, which is what tests use to get exact sequences.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class ScriptedFault:
    """One request's fault: an HTTP status (with Retry-After for 429) or a hang."""

    status: int | None = None
    retry_after: int | None = None
    hang_seconds: float | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> ScriptedFault:
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown scripted fault fields: {sorted(unknown)}")
        fault = cls(**raw)
        if (fault.status is None) == (fault.hang_seconds is None):
            raise ValueError("a scripted fault has either 'status' or 'hang_seconds'")
        return fault


@dataclass
class FaultPlan:
    """What faults the simulator injects, on paths containing `path_contains`."""

    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    hang_rate: float = 0.0
    hang_seconds: float = 30.0
    path_contains: str = "/v1/Organizations"
    # invalid data: this field of the first record of every listed page is sent as null
    blank_field: str | None = None
    seed: int = 1
    script: list[ScriptedFault] = field(default_factory=list)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> FaultPlan:
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        script = [ScriptedFault.parse(s) for s in raw.get("script", [])]
        return cls(**{**raw, "script": script})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Decides, request by request, which fault to inject."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self.set_plan(plan or FaultPlan())

    def set_plan(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._random = random.Random(plan.seed)

    def spoil(self, path: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The page as sent: with `blank_field` nulled in its first record, if planned."""
        plan = self.plan
        if plan.blank_field and rows and plan.path_contains in path:
            rows[0] = {**rows[0], plan.blank_field: None}
        return rows

    def next_fault(self, path: str) -> ScriptedFault | None:
        """The fault for this request, or None to answer normally."""
        plan = self.plan
        if plan.path_contains not in path:
            return None
        if plan.script:
            return plan.script.pop(0)
        roll = self._random.random()
        if roll < plan.error_rate:
            return ScriptedFault(status=self._random.choice([500, 502, 503]))
        roll -= plan.error_rate
        if roll < plan.rate_limit_rate:
            return ScriptedFault(status=429, retry_after=plan.retry_after)
        roll -= plan.rate_limit_rate
        if roll < plan.hang_rate:
            return ScriptedFault(hang_seconds=plan.hang_seconds)
        return None
