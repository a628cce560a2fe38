"""The worker's log: every line written while a job runs carries job_id, kind, step and
attempt; each step's start and finish is a line, the finish with its duration; the job's
start and end too; an idle worker writes nothing at INFO (the sweep that finds nothing to
do logs at DEBUG)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import asyncpg
from arq.connections import ArqRedis

from harness.api import Api
from harness.processes import Proc
from harness.waits import eventually
from legacy_sim.orgs import ORGS, SMALL
from tests.support.toys import create_toy_job, job_row


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()
            if line.startswith("{")]


def _of_job(lines: list[dict[str, Any]], job_id: str) -> list[dict[str, Any]]:
    """Lines that name the job anywhere, in a field or in their text."""
    return [line for line in lines if job_id in json.dumps(line)]


async def test_every_line_of_a_job_has_its_context(api: Api, db: asyncpg.Pool,
                                                   arq_redis: ArqRedis, queue_name: str,
                                                   worker: Proc, logs_dir: Path) -> None:
    legacy = await api.start(ORGS[SMALL].id)
    assert (await api.wait_for(legacy["id"]))["status"] == "completed"
    toy = await create_toy_job(db, arq_redis, queue_name, ticks=-1)  # fails in step 1

    async def failed() -> bool:
        return bool((await job_row(db, toy))["status"] == "failed")

    await eventually(failed, "the toy job failed")
    await asyncio.sleep(0.3)  # its last lines reach the file
    lines = _lines(logs_dir / "worker-main.log")
    for job_id, kind, steps in ((legacy["id"], "legacy_migration", range(1, 9)),
                                (toy, "toy", range(1, 1))):
        mine = _of_job(lines, job_id)
        assert mine, f"no line about {job_id}"
        for line in mine:
            assert line.get("job_id") == job_id, line
            assert line.get("kind") == kind, line
            assert isinstance(line.get("step"), int), line
            assert isinstance(line.get("attempt"), int), line
        said = [(line["event"], line["step"]) for line in mine]
        assert said[0] == ("job started", 0)
        assert mine[-1]["event"] == "job run ended"
        assert isinstance(mine[-1]["seconds"], float)
        for step in steps:
            assert ("step started", step) in said
            finished = [line for line in mine
                        if (line["event"], line["step"]) == ("step finished", step)]
            assert len(finished) == 1
            assert isinstance(finished[0]["seconds"], float)
    toy_lines = _of_job(lines, toy)
    assert ("step started", 1) in [(line["event"], line["step"]) for line in toy_lines]
    assert toy_lines[-1]["outcome"] == "failed"
    assert [(line["error_code"], line["step"]) for line in toy_lines
            if line["event"] == "job failed"] == [("TOY_BROKEN", 1)]


async def test_an_idle_worker_says_nothing_at_info(worker: Proc, logs_dir: Path) -> None:
    path = logs_dir / "worker-main.log"
    before = len(_lines(path))
    await asyncio.sleep(3.5)  # three sweeps or more (SWEEP_EVERY_SECONDS=1)
    # a warning may still come (an earlier test's killed worker presumed dead): routine
    # work is what must not be said at INFO
    assert [line for line in _lines(path)[before:] if line["level"] == "info"] == []
