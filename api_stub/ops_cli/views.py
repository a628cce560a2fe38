"""What the CLI prints for each answer of /ops, as plain text; pure functions of the JSON."""

from __future__ import annotations

from typing import Any

from api_stub.ops_cli.tables import duration, id_list, pairs, table, when
from worker.models import JobStatus

STATUSES = [s.value for s in JobStatus]


def alive(workers: list[dict[str, Any]], dead_after: float) -> list[dict[str, Any]]:
    """The workers heard from within `dead_after` seconds. The registry lists a worker as
    alive until another worker's sweep buries it, so a lone crashed one stays listed."""
    return [w for w in workers if float(w["last_seen_seconds_ago"]) <= dead_after]


def _alive_line(workers: list[dict[str, Any]], dead_after: float) -> str:
    count = len(alive(workers, dead_after))
    silent = len(workers) - count
    if silent:
        return f"{count} ({silent} more silent for over {duration(dead_after)}: presumed dead)"
    return str(count)


def _queue(queue: dict[str, Any]) -> str:
    depth, oldest = queue.get("depth"), queue.get("oldest_wait_seconds")
    waiting = "unknown (Redis not answering)" if depth is None else f"{depth} waiting"
    if oldest:  # 0 or None when nothing waits
        waiting += f", the oldest for {duration(oldest)}"
    return waiting


def _throughput(minutes: list[dict[str, Any]]) -> str:
    totals = {k: sum(int(m.get(k) or 0) for m in minutes)
              for k in ("completed", "failed", "cancelled")}
    return ", ".join(f"{n} {k}" for k, n in totals.items())


def jobs_by_kind(jobs: dict[str, dict[str, int]]) -> str:
    """Jobs by kind (rows) and status (columns), with totals."""
    if not jobs:
        return "no jobs yet"
    kinds = sorted(jobs)
    counts = [[int(jobs[kind].get(s, 0)) for s in STATUSES] for kind in kinds]
    rows: list[list[object]] = [[kind, *c, sum(c)] for kind, c in zip(kinds, counts,
                                                                      strict=True)]
    if len(rows) > 1:
        totals = [sum(column) for column in zip(*counts, strict=True)]
        rows.append(["(all)", *totals, sum(totals)])
    return table(["KIND", *STATUSES, "total"], rows)


def workers_table(workers: list[dict[str, Any]], dead_after: float) -> str:
    """The workers: ID, host, PID, last seen, alive or silent, jobs running and their IDs."""
    if not workers:
        return "no worker is alive: start one with python -m worker"
    return table(["WORKER", "HOST", "PID", "LAST SEEN", "STATE", "RUNNING", "JOBS"],
                 [[w["id"], w["host"], w["pid"], f"{duration(w['last_seen_seconds_ago'])} ago",
                   "alive" if float(w["last_seen_seconds_ago"]) <= dead_after else "silent",
                   w["running"], id_list(w.get("jobs") or [])] for w in workers])


def steps_table(steps: list[dict[str, Any]]) -> str:
    """Step timings of the last hour."""
    if not steps:
        return "no step finished in the last hour"
    return table(["KIND", "STEP", "NAME", "COUNT", "P50", "P95"],
                 [[s["kind"], s["step"], s["name"], s["count"], duration(s["p50_seconds"]),
                   duration(s["p95_seconds"])] for s in steps])


def summary_view(summary: dict[str, Any], dead_after: float) -> str:
    """The fleet at a glance: workers, queue, throughput, jobs, step timings."""
    workers = summary.get("workers") or []
    head = pairs([("Workers alive", _alive_line(workers, dead_after)),
                  ("Queue", _queue(summary.get("queue") or {})),
                  ("Last hour", _throughput(summary.get("throughput") or []))])
    return "\n\n".join([
        head,
        "Jobs by kind and status\n" + jobs_by_kind(summary.get("jobs") or {}),
        "Workers\n" + workers_table(workers, dead_after),
        "Step timings, last hour\n" + steps_table(summary.get("steps") or []),
    ])


def _step(job: dict[str, Any]) -> str:
    where = f"{job['step_number']}/{job['total_steps']}"
    return f"{where} {job['step']}" if job.get("step") else where


def jobs_view(listing: dict[str, Any]) -> str:
    """A page of jobs, and how to get the next one."""
    jobs = listing.get("data") or []
    if not jobs:
        return "no job matches"
    text = table(["JOB", "KIND", "ACCOUNT", "STATUS", "STEP", "ATTEMPTS", "ERROR CODE",
                  "CREATED (UTC)", "UPDATED (UTC)"],
                 [[j["id"], j["kind"], j["account"], j["status"], _step(j), j["attempts"],
                   j.get("error_code"), when(j.get("created_at")), when(j.get("updated_at"))]
                  for j in jobs])
    if listing.get("has_more"):
        text += f"\n(more: add --starting-after {jobs[-1]['id']})"
    return text


def job_view(job: dict[str, Any]) -> str:
    """One job, then its step timeline."""
    head = pairs([
        ("Job", job["id"]), ("Kind", job["kind"]), ("Account", job["account"]),
        ("Status", job["status"]), ("Step", _step(job)),
        ("Progress", job.get("progress_detail")), ("Attempts", job["attempts"]),
        ("Error", f"{job['error_code']}: {job.get('error') or ''}"
         if job.get("error_code") else job.get("error")),
        ("Worker", job.get("worker_id")), ("Created", when(job.get("created_at"))),
        ("Started", when(job.get("started_at"))),
        ("Completed", when(job.get("completed_at"))),
        ("Updated", when(job.get("updated_at")))])
    timeline = job.get("timeline") or []
    if not timeline:
        return head + "\n\nno step timeline"
    steps = table(["#", "STEP", "STATUS", "STARTED (UTC)", "FINISHED (UTC)", "ATTEMPTS",
                   "RETRIES", "SOURCE", "CREATED", "SKIPPED", "ERRORS"],
                  [[s["step_number"], s["name"], s["status"], when(s.get("started_at")),
                    when(s.get("finished_at")), s["attempts"], s["retries"],
                    *(s["counts"].get(k, 0) for k in ("source", "created", "skipped",
                                                       "errors"))]
                   for s in timeline])
    return f"{head}\n\nTimeline\n{steps}"


def one_action_view(action: str, job: dict[str, Any]) -> str:
    """The job after a retry or cancel of it alone."""
    about = f"{job['id']} ({job['kind']}, account {job['account']})"
    if action == "cancel" and job["status"] == "running":
        # its worker stops it at its next checkpoint, and only then is it cancelled
        return f"cancelling {about}: it stops at its next checkpoint"
    done = "retried" if action == "retry" else "cancelled"
    return f"{done} {about}: now {job['status']}, attempts {job['attempts']}"


def bulk_action_view(action: str, result: dict[str, Any]) -> str:
    """How many jobs matched the filter, how many were acted on, and the first refused."""
    done = "retried" if action == "retry" else "cancelled"
    refused = result.get("refused") or []
    matched, acted = int(result["matched"]), int(result["acted"])
    text = f"matched {matched}, {done} {acted}, not {done} {matched - acted}"
    unlisted = matched - acted - len(refused)
    if unlisted > 0:
        text += (f"\n{unlisted} not listed below: a call acts on up to 1,000 jobs and lists "
                 "the first 20 refused; run it again for the rest")
    if refused:
        text += f"\nRefused (the first {len(refused)})\n" + table(
            ["JOB", "CODE", "WHY"], [[r["id"], r["code"], r["message"]] for r in refused])
    return text
