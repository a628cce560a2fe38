"""The suite's worker processes: started on demand, found by the lease they hold."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from harness.processes import Proc, python_module


class Workers:
    """Every worker process a test session starts; all are killed at the end."""

    def __init__(self, env: dict[str, str], logs_dir: Path) -> None:
        self.env, self.logs_dir = env, logs_dir
        self.procs: dict[str, Proc] = {}

    def start(self, name: str | None = None, **env: str) -> Proc:
        """A new worker process (`python -m worker`, as the Procfile runs it)."""
        name = name or f"worker{len(self.procs) + 1}"
        proc = Proc(name, python_module("worker"), {**self.env, **env},
                    self.logs_dir / f"{name}.log")
        self.procs[name] = proc.start()
        return proc

    def with_pid(self, pid: int) -> Proc:
        return next(p for p in self.procs.values() if p.popen and p.pid == pid)

    async def holder_of(self, db: asyncpg.Pool, job_id: str) -> Proc:
        """The worker running the job (the registered worker holding its lease)."""
        pid = await db.fetchval(
            "SELECT w.pid FROM migration_jobs j JOIN workers w ON w.id = j.worker_id "
            "WHERE j.id = $1 AND j.lease_owner IS NOT NULL", job_id)
        assert pid, f"job {job_id} holds no lease"
        return self.with_pid(pid)

    async def kill_holder(self, db: asyncpg.Pool, job_id: str) -> Proc:
        """SIGKILL the worker running the job."""
        proc = await self.holder_of(db, job_id)
        proc.kill()
        return proc

    def logs(self) -> str:
        """Every worker's log, for asserting that something happened on one of them."""
        return "\n".join(p.log() for p in self.procs.values())

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.kill()

