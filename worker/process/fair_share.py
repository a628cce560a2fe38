"""Putting parked jobs back on the queue (the fair share of the slots; migration 0017).

A worker parks a job at lease time (store.jobs.acquire_lease) when its account holds its
share of the fleet's slots while another account waits: the job stays pending in Postgres
and leaves the arq queue, so the queue's FIFO order no longer makes the waiting account
queue behind the whole flood. After each job run ends, and on every sweep, the parked jobs
whose account is under its share again go back on the queue. Parking and unparking are
single UPDATEs and the enqueue is by job ID, so a worker killed at any point loses and
doubles nothing: an unparked job whose enqueue was lost is a pending job the sweep queues.
"""

from __future__ import annotations

from worker.engine.runner import WorkerDeps
from worker.queue import safe_enqueue


async def release_parked(deps: WorkerDeps) -> int:
    """Unpark what may run now and enqueue it; how many jobs went back on the queue."""
    job_ids = await deps.jobs.unpark(deps.settings.fair_share)
    for job_id in job_ids:
        await safe_enqueue(deps.redis, job_id, deps.settings.queue_name)
    return len(job_ids)
