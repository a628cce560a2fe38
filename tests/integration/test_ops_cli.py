"""The operator CLI (`python -m api_stub ops ...`), run as a real process against the real
web process: `status --json` is what /ops/summary says, the tables show the jobs and their
timeline, filters filter, a bulk retry by filter retries exactly those jobs, one job is
cancelled by ID, `watch` refreshes and stops; `keys` lists, rotates (the new key alone on
stdout) and revokes keys, and `audit` shows who did it, filtered and paged; and the exit
codes a health check reads: API error 1, usage 2, unreachable 3, key refused 4, no worker
alive 5 (on a web process of a database of its own, where the registry lists only a worker
that fell silent)."""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis

from api_stub.ops_cli.parser import grace, key_prefix, key_ref
from harness.database import drop_database, recreate_database, sibling_database
from harness.keys import key_answer
from harness.processes import Proc, create_key, free_port, python_module, wait_http
from harness.waits import eventually
from tests.conftest import TEST_DB
from tests.support.toys import create_toy_job, job_row, toy_mix
from worker.db.pool import connect
from worker.db.schema import apply_migrations

API_ERROR, USAGE, UNREACHABLE, AUTH_REFUSED, NO_WORKER = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def _env(service_env: dict[str, str], **extra: str) -> dict[str, str]:
    # what an operator's shell might hold must not leak into the test
    env = {k: v for k, v in service_env.items() if k not in ("OPERATOR_KEY", "API_URL")}
    return {**env, **extra}


async def cli(service_env: dict[str, str], *args: str, url: str | None = None,
              key: str | None = None, **env: str) -> Run:
    """`python -m api_stub ops ARGS --url URL --key KEY` in a process of its own."""
    given = [*args, *(["--url", url] if url else []), *(["--key", key] if key else [])]
    done = await asyncio.to_thread(
        subprocess.run, python_module("api_stub", "ops", *given),
        env=_env(service_env, **env), capture_output=True, text=True, timeout=60)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def operator_key(service_env: dict[str, str]) -> str:
    return create_key(service_env)


@pytest.fixture
def ops(web: str, operator_key: str, service_env: dict[str, str]) -> Any:
    """Run the CLI against the suite's web process with the operator key."""
    async def run(*args: str) -> Run:
        return await cli(service_env, *args, url=web, key=operator_key)
    return run


@pytest.fixture
async def api(web: str, operator_key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web, timeout=30,
                                 headers={"Authorization": f"Bearer {operator_key}"}) as http:
        yield http


async def _status(db: asyncpg.Pool, job_id: str) -> str:
    return str((await job_row(db, job_id))["status"])


def _one_line_error(run: Run, *words: str) -> None:
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("error: "), run.err
    for word in words:
        assert word in lines[0], run.err


async def test_status_lists_and_timeline(ops: Any, api: httpx.AsyncClient, db: asyncpg.Pool,
                                         arq_redis: ArqRedis, queue_name: str,
                                         worker: Proc) -> None:
    account = "acc_cli_" + uuid.uuid4().hex[:6]
    done = await create_toy_job(db, arq_redis, queue_name, ticks=3, account=account)
    failed = await create_toy_job(db, arq_redis, queue_name, ticks=-1, account=account)

    async def finished() -> bool:
        return {await _status(db, done), await _status(db, failed)} == {"completed", "failed"}

    await eventually(finished, "both toy jobs finished")

    async def summarised() -> bool:  # a snapshot read every 0.3 s: let it catch up
        toy = (await api.get("/ops/summary")).json()["jobs"].get("toy", {})
        return bool(toy.get("failed", 0) >= 1 and toy.get("completed", 0) >= 1)

    await eventually(summarised, "the summary shows the finished jobs", timeout=15)

    async def agree() -> Any:  # nothing runs now, but a refresh may fall between the two
        run = await ops("status", "--json")
        cli_summary, summary = json.loads(run.out), (await api.get("/ops/summary")).json()
        settled = ("jobs", "throughput", "steps")  # the workers' last_seen moves on
        same = all(cli_summary[part] == summary[part] for part in settled) and \
            [w["id"] for w in cli_summary["workers"]] == [w["id"] for w in summary["workers"]]
        return (run, cli_summary) if same else None

    agreed = await eventually(agree, "status --json agrees with /ops/summary", timeout=15)
    assert isinstance(agreed, tuple)
    run, summary = agreed
    assert run.code == 0, run.err
    assert set(summary) == {"jobs", "queue", "workers", "throughput", "steps"}
    assert any(w["pid"] == worker.pid for w in summary["workers"])

    # independent reads of settled jobs, at once: each is a new Python process
    (status, workers, listed, only, as_json, page, rest, detail, broken,
     missing) = await asyncio.gather(
        ops("status"), ops("workers"), ops("jobs", "--account", account),
        ops("jobs", "--account", account, "--status", "failed", "--error-code", "TOY_BROKEN"),
        ops("jobs", "--account", account, "--status", "failed", "--error-code", "TOY_BROKEN",
            "--json"),
        ops("jobs", "--account", account, "--limit", "1"),
        ops("jobs", "--account", account, "--starting-after", failed, "--since", "1h"),
        ops("job", done), ops("job", failed), ops("job", "job_000000000000000000000000"))
    assert status.code == 0, status.err
    for text in ("Workers alive:", "Queue:", "Last hour:", "Jobs by kind and status", "KIND",
                 "failed", "toy", "WORKER", str(worker.pid), "Step timings", "Ticking"):
        assert text in status.out, (text, status.out)
    assert workers.code == 0, workers.err
    assert workers.out.splitlines()[0].split()[:4] == ["WORKER", "HOST", "PID", "LAST"]
    assert str(worker.pid) in workers.out

    assert listed.code == 0, listed.err
    header, *rows = listed.out.splitlines()
    assert header.split()[:4] == ["JOB", "KIND", "ACCOUNT", "STATUS"]
    assert [r.split()[0] for r in rows] == [failed, done]  # newest first
    assert [r.split()[3] for r in rows] == ["failed", "completed"]
    assert failed in only.out, only.out
    assert done not in only.out, only.out
    assert [j["id"] for j in json.loads(as_json.out)["data"]] == [failed]
    assert f"--starting-after {failed}" in page.out
    assert done in rest.out, rest.out
    assert failed not in rest.out, rest.out

    assert detail.code == 0, detail.err
    for text in (done, account, "completed", "Timeline", "Counting", "Ticking", "STEP"):
        assert text in detail.out, (text, detail.out)
    timeline = detail.out.split("Timeline\n", 1)[1].splitlines()
    assert [line.split()[1:3] for line in timeline[1:]] == [["Counting", "finished"],
                                                            ["Ticking", "finished"]]
    assert "TOY_BROKEN" in broken.out
    assert missing.code == API_ERROR
    _one_line_error(missing, "JOB_NOT_FOUND")


async def test_retry_by_filter_and_cancel_one(ops: Any, db: asyncpg.Pool, arq_redis: ArqRedis,
                                              queue_name: str, worker: Proc) -> None:
    account = "acc_cli_" + uuid.uuid4().hex[:6]
    mix = await toy_mix(db, arq_redis, queue_name, account)
    broken, other, long_one = mix.broken, mix.other, mix.long_one
    retried = await ops("retry", "--account", account, "--status", "failed", "--error-code",
                        "TOY_BROKEN")
    assert retried.code == 0, retried.err
    assert retried.out.startswith("matched 2, retried 2, not retried 0"), retried.out

    async def ran_again() -> bool:
        return all([(await job_row(db, j))["attempts"] == 2 for j in broken])

    await eventually(ran_again, "exactly the broken jobs ran again")
    assert (await job_row(db, other))["status"] == "failed"
    assert (await job_row(db, other))["attempts"] == 1

    nothing = await ops("cancel")
    assert nothing.code == USAGE
    _one_line_error(nothing, "filter")
    cancelled = await ops("cancel", long_one)
    assert cancelled.code == 0, cancelled.err
    assert f"{long_one} (toy, account {account})" in cancelled.out  # cancelling or cancelled
    await eventually(lambda: _is(db, long_one, "cancelled"), "the long job cancelled")
    again = await ops("cancel", long_one)
    assert again.code == API_ERROR
    _one_line_error(again, "JOB_FINISHED")
    # several IDs: a bulk action on those of them it applies to, the others refused
    both = await ops("retry", other, long_one)
    assert both.code == 0, both.err
    assert both.out.startswith("matched 2, retried 1, not retried 1"), both.out
    assert long_one in both.out
    assert "JOB_NOT_FAILED" in both.out


async def _is(db: asyncpg.Pool, job_id: str, status: str) -> bool:
    return await _status(db, job_id) == status


async def test_watch_refreshes_then_stops(ops: Any, worker: Proc) -> None:
    run = await ops("watch", "--count", "2", "--interval", "0.2")
    assert run.code == 0, run.err
    assert run.out.count("ops watch: ") == 2, run.out
    assert run.out.count("Workers alive:") == 2
    assert "\x1b[" not in run.out  # not a terminal: nothing to clear


def _rows(run: Run) -> list[list[str]]:
    """A table's rows (not its header nor a note after it), split on spaces."""
    assert run.code == 0, run.err
    return [line.split() for line in run.out.splitlines()[1:] if not line.startswith("(")]


async def test_keys_and_their_audit_trail(ops: Any, api: httpx.AsyncClient, web: str,
                                          operator_key: str,
                                          service_env: dict[str, str]) -> None:
    account = "acc_cli_" + uuid.uuid4().hex[:6]
    key = await asyncio.to_thread(create_key, service_env, account)  # key.created, by the CLI
    prefix, mine = key[:10], operator_key[:10]
    started = time.time()
    rotated = await ops("keys", "rotate", prefix, "--grace", "1h")
    assert rotated.code == 0, rotated.err
    new_key = rotated.out.strip()
    assert rotated.out == new_key + "\n"  # the key alone: `> file` or `$(...)` takes just it
    assert new_key.startswith("mwk_")
    assert new_key != key
    assert "works until" in rotated.err
    assert "shown once" in rotated.err
    assert new_key not in rotated.err
    listed, as_json, new_answer, old_answer = await asyncio.gather(
        ops("keys"), api.get("/ops/keys"), key_answer(web, new_key), key_answer(web, key))
    assert (new_answer, old_answer) == ((200, None), (200, None))  # the old in its grace
    assert listed.out.splitlines()[0].split()[:4] == ["ID", "PREFIX", "WHOSE", "LABEL"]
    old = next(k for k in as_json.json()["keys"] if k["prefix"] == prefix)
    ends = datetime.fromisoformat(old["revoked_at"].replace("Z", "+00:00")).timestamp()
    assert abs(ends - started - 3600) < 60, old  # --grace 1h
    rows = {r[1]: " ".join(r) for r in _rows(listed)}
    assert rows[new_key[:10]].endswith(" active")
    assert account in rows[new_key[:10]]
    assert rows[prefix].endswith(f"in grace until {old['revoked_at'][:10]} "
                                 f"{old['revoked_at'][11:19]}, replaced by "
                                 f"{old['replaced_by']}"), rows[prefix]

    revoked = await ops("keys", "revoke", new_key[:10])
    assert revoked.code == 0, revoked.err
    assert revoked.out.startswith(f"revoked API key {old['replaced_by']} ({new_key[:10]}) at ")

    async def refused() -> bool:
        return await key_answer(web, new_key) == (401, "API_KEY_REVOKED")

    await eventually(refused, "the API refuses the revoked key", timeout=5)

    ids = [e["id"] for e in (await api.get("/ops/audit", params={"account": account})
                              ).json()["data"]]
    again, unknown, page, rest, only, bad_action = await asyncio.gather(
        ops("keys", "rotate", new_key[:10]), ops("keys", "revoke", "mwk_000000"),
        ops("audit", "--account", account, "--limit", "2"),
        ops("audit", "--account", account, "--limit", "2", "--before", str(ids[1])),
        ops("audit", "--account", account, "--action", "key.rotated", "--key-prefix", mine,
            "--since", "1h", "--json"),
        ops("audit", "--action", "job.retry"))
    assert again.code == API_ERROR
    _one_line_error(again, "API_KEY_ALREADY_REVOKED")
    assert unknown.code == API_ERROR
    _one_line_error(unknown, "API_KEY_NOT_FOUND", "mwk_000000")

    # the trail, newest first: who (the CLI, then this operator's key), what, from where
    entries = _rows(page) + _rows(rest)
    assert [e[3] for e in entries] == ["key.revoked", "key.rotated", "key.created"], page.out
    assert [int(e[0]) for e in entries] == ids
    assert page.out.splitlines()[-1] == f"(older: add --before {ids[1]})", page.out
    assert "(older" not in rest.out
    assert entries[0][4:6] == ["operator", mine]
    assert "127.0.0.1" in entries[0]
    assert "key prefix " + new_key[:10] in " ".join(entries[0])
    assert entries[2][4] == "cli"
    assert entries[2][6] == account
    [entry] = json.loads(only.out)["data"]
    assert (entry["actor"], entry["key_prefix"], entry["subject"]) == ("operator", mine,
                                                                     str(old["id"]))
    assert entry["details"]["new_key_prefix"] == new_key[:10]
    assert bad_action.code == USAGE
    assert "job.retried" in bad_action.err


def test_options_refused_before_asking_the_api() -> None:
    """What the command line refuses itself (exit 2, as every bad option), in-process: a
    grace period longer than the API's 30 days, a key prefix that is none, and a whole key
    where its prefix or ID belongs (it would be sent in a URL, and logged: it never is)."""
    assert grace("1d") == 86400
    assert grace("3600s") == 3600
    assert grace("0s") == 0
    with pytest.raises(argparse.ArgumentTypeError, match="30d at most"):
        grace("31d")
    with pytest.raises(argparse.ArgumentTypeError, match="mwk_1a2b3c"):
        key_prefix("mwk_nope")


async def test_exit_codes(web: str, operator_key: str, api_key: str,
                          service_env: dict[str, str]) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    # independent runs, at once: each is a new Python process
    unreachable, account_key, unknown, no_key, bad_flag, from_env = await asyncio.gather(
        cli(service_env, "status", url=closed, key=operator_key),
        cli(service_env, "jobs", url=web, key=api_key),
        cli(service_env, "status", url=web, key="mwo_not_a_key"),
        cli(service_env, "status", url=web),
        cli(service_env, "jobs", "--limit", "0", url=web, key=operator_key),
        # the environment's URL and key, as an operator's shell would hold them
        cli(service_env, "jobs", "--limit", "1", API_URL=web, OPERATOR_KEY=operator_key))
    assert unreachable.code == UNREACHABLE
    _one_line_error(unreachable, "cannot reach", closed, "--url")
    assert account_key.code == AUTH_REFUSED
    _one_line_error(account_key, "OPERATOR_ONLY", "create-key --operator")
    assert unknown.code == AUTH_REFUSED
    _one_line_error(unknown, "INVALID_API_KEY")
    assert no_key.code == USAGE
    _one_line_error(no_key, "--key", "OPERATOR_KEY")
    assert bad_flag.code == USAGE
    assert "--limit" in bad_flag.err
    assert from_env.code == 0, from_env.err


# --- no worker alive: a web process on a database of its own --------------------------------

@pytest.fixture(scope="module")
async def idle_web(service_env: dict[str, str], logs_dir: Path
                   ) -> AsyncIterator[tuple[str, str]]:
    """(URL, operator key) of a web process whose registry lists one worker, silent for an
    hour (it died with no other worker to bury it)."""
    name = urlsplit(TEST_DB).path.lstrip("/") + "_cli_idle"
    database = sibling_database(TEST_DB, name)
    await _idle_database(database)
    env = {**service_env, "DATABASE_URL": database, "QUEUE_NAME": f"test:idle:{name}"}
    port = free_port()
    proc = Proc("web-idle", python_module("api_stub", "serve"), {**env, "PORT": str(port)},
                logs_dir / "web-idle.log").start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", proc=proc)
        yield url, create_key(env)
    finally:
        proc.terminate()
        await drop_database(database)


async def _idle_database(database: str) -> None:
    await recreate_database(database)
    conn = await connect(database)
    try:
        await apply_migrations(conn)
        await conn.execute(
            "INSERT INTO workers (id, host, pid, version, concurrency, last_seen_at) VALUES "
            "('gone-host:999/dead', 'gone-host', 999, 'x', 1, now() - interval '1 hour')")
    finally:
        await conn.close()


async def test_no_worker_alive(idle_web: tuple[str, str], service_env: dict[str, str]) -> None:
    url, key = idle_web
    status, as_json, workers, watch, patient, jobs = await asyncio.gather(
        cli(service_env, "status", url=url, key=key),
        cli(service_env, "status", "--json", url=url, key=key),
        cli(service_env, "workers", url=url, key=key),
        cli(service_env, "watch", "--count", "1", "--interval", "0.1", url=url, key=key),
        # with the patience of two hours, the worker silent for one still counts
        cli(service_env, "status", "--dead-after", "7200", url=url, key=key),
        cli(service_env, "jobs", url=url, key=key))  # not a worker health check
    assert status.code == NO_WORKER, status.err
    assert "Workers alive: 0 (1 more silent" in status.out, status.out
    assert "no worker is alive" in status.err
    assert "python -m worker" in status.err
    assert as_json.code == NO_WORKER  # printed all the same
    assert [w["id"] for w in json.loads(as_json.out)["workers"]] == ["gone-host:999/dead"]
    assert workers.code == NO_WORKER
    assert "silent" in workers.out
    assert watch.code == NO_WORKER
    assert patient.code == 0, patient.err
    assert jobs.code == 0
    assert jobs.out.strip() == "no job matches"
    whole = "mwk_" + "0a" * 24
    with pytest.raises(argparse.ArgumentTypeError, match="whole key") as refused:
        key_ref(whole)
    assert whole not in str(refused.value)
    assert key_ref(" mwk_1a2b3c ") == "mwk_1a2b3c"
    assert key_ref("42") == "42"
