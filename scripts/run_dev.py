"""Starts everything for `scripts/dev` and runs a demo migration you can watch, then the
migration wizard's walkthroughs (scripts/wizard_demo.py): a FreeAgent workbook and a Xero
export (`--no-demo` skips them).

Postgres and Redis: found or started (devenv.py). Then the release (schema), the legacy
simulator, the web API and one worker, each logging to .dev/logs/. The environment they
run with, and a demo account's and an operator's API keys, go to .dev/env for
`scripts/cli` (or `set -a; . .dev/env; set +a`). Ctrl-C or SIGTERM stops them all, and the
embedded servers if it started them; .dev/env goes with them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

import wizard_demo
from devenv import DEV_DIR, ROOT, Services, find_services

PORT = int(os.environ.get("PORT", "8000"))
LEGACY_PORT = int(os.environ.get("LEGACY_PORT", "8001"))
BASE = f"http://127.0.0.1:{PORT}"
DEMO_ORG = "050000000000000000000000"  # the simulator's medium organisation (10,000 documents)
ENV_FILE = DEV_DIR / "env"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def call(method: str, path: str, key: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        BASE + path, method=method, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@dataclass
class Child:
    """One of the stack's processes, logging to `log` from byte `start` on (this run's)."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    start: int
    port: int | None = None

    def log_lines(self, count: int = 5) -> list[str]:
        """This run's last `count` lines of the log, JSON records as 'level: event'."""
        try:
            with self.log.open("rb") as f:
                f.seek(self.start)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        lines = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            with contextlib.suppress(ValueError, AttributeError):
                record = json.loads(line)
                line = f"{record.get('level', '?')}: {record.get('event', line)}"
                if record.get("exception"):
                    line += " / " + str(record["exception"]).strip().splitlines()[-1]
            lines.append(line)
        return lines[-count:]

    def reason(self) -> str:
        """The log's last error line (the last line when none says error)."""
        lines = self.log_lines(40)
        errors = [line for line in lines
                  if line.lower().startswith(("error", "critical", "exception"))
                  or "Error" in line]
        last = (errors or lines or ["(nothing in its log)"])[-1]
        for prefix in ("error:", "critical:", "exception:", "ERROR:"):
            if last.startswith(prefix):
                last = last[len(prefix):].strip()
        if "address already in use" in last and self.port:
            last += (f" (port {self.port}: another ./scripts/dev? Stop it, or choose free "
                     f"ports with PORT=... LEGACY_PORT=...)")
        return last

    def exited(self, when: str) -> str:
        """Which process exited, with what code and why, and where its log is."""
        tail = "\n".join("    " + line for line in self.log_lines())
        return (f"{self.name} exited with code {self.proc.returncode} {when}: "
                f"{self.reason()}; see {self.log}"
                + (f"\n  last lines of {self.log.name}:\n{tail}" if tail else ""))


def wait_for(url: str, children: list[Child], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if child.proc.poll() is not None:
                raise SystemExit(child.exited("at start-up"))
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in {timeout} s; see {DEV_DIR / 'logs'}")


def wait_for_worker(operator: str, children: list[Child], timeout: float = 60) -> None:
    """Until our worker is in the registry (so that `ops status` counts it at once)."""
    worker = next(child for child in children if child.name == "worker")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if child.proc.poll() is not None:
                raise SystemExit(child.exited("at start-up"))
        with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
            summary = call("GET", "/ops/summary", operator)
            if any(w["pid"] == worker.proc.pid and w["alive"] for w in summary["workers"]):
                return
        time.sleep(0.3)
    raise SystemExit(f"the worker did not register in {timeout} s; see {worker.log}")


def demo(key: str) -> None:
    auth = call("POST", "/legacy-migration/auth", key,
                {"email": "demo@example.com", "password": "demo-password"})
    job = call("POST", "/legacy-migration/jobs", key, {
        "legacy_org_id": DEMO_ORG, "legacy_session_id": auth["legacy_session_id"],
        "environment": "sandbox"})
    print(f"\nDemo: migrating 'Initrode Ltd' (10,000 documents) as job {job['id']}\n")
    last = None
    while True:
        job = call("GET", f"/legacy-migration/jobs/{job['id']}", key)
        line = (job["status"], job["step_number"], job["progress_detail"])
        if line != last:
            print(f"  [{job['step_number']}/{job['total_steps']}] {job['status']:<9} "
                  f"{job['progress_detail']}")
            last = line
        if job["status"] in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.1)
    if job["error"]:
        print(f"  error: {job['error']}")


def create_key(python: str, env: dict[str, str], account: str | None) -> str:
    """A key for `account`, or an operator's key when None."""
    whose = ["--account", account] if account else ["--operator"]
    done = run([python, "-m", "api_stub", "create-key", *whose], env=env, cwd=ROOT,
               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"create-key failed with code {done.returncode}: "
                         f"{done.stderr.strip()}")
    return str(done.stdout).strip().splitlines()[-1]


def shown(path: Path) -> str:
    """`path` relative to the repository when in it (as the README's commands run)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def write_env(values: dict[str, str]) -> str:
    """.dev/env: `values` as lines a shell can source (`set -a; . .dev/env; set +a`);
    its text. Readable by its owner only (keys, and a SECRET_KEY if one was set)."""
    text = ("# written by ./scripts/dev for ./scripts/cli (or: set -a; . .dev/env; set +a);\n"
            "# removed when it stops\n"
            + "".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items()))
    ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    temporary = ENV_FILE.with_name(".env.tmp")
    temporary.write_text(text)
    temporary.chmod(0o600)
    temporary.replace(ENV_FILE)
    return text


def remove_env(text: str | None) -> None:
    """Remove .dev/env if it is still ours (another run may have written its own)."""
    with contextlib.suppress(OSError):
        if text is not None and ENV_FILE.read_text() == text:
            ENV_FILE.unlink()


class Stopping:
    """SIGTERM stops the stack as Ctrl-C does (KeyboardInterrupt, wherever it is), except
    inside `unbroken()` (a process being started: it would be lost), where the interrupt
    waits for its end; once stopping, a second signal hurries it (children killed rather
    than awaited)."""

    def __init__(self) -> None:
        self.hurry = False
        self._depth = 0
        self._pending = False
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._interrupt)

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        if self._depth:
            self._pending = True
            return
        raise KeyboardInterrupt

    def _hurry(self, signum: int, frame: FrameType | None) -> None:
        self.hurry = True

    @contextlib.contextmanager
    def unbroken(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if self._pending and not self._depth:
            self._pending = False
            raise KeyboardInterrupt

    def begin(self) -> None:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._hurry)


STOPPING: Stopping | None = None


def spawn(command: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """Popen, not interrupted half-way (a child started but not known would outlive us)."""
    with STOPPING.unbroken() if STOPPING else contextlib.nullcontext():
        return subprocess.Popen(command, **kwargs)


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """subprocess.run through `spawn`: the child killed if we are interrupted."""
    proc = spawn(command, **kwargs)
    try:
        out, err = proc.communicate()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def stop(children: list[Child], services: Services | None, stopping: Stopping,
         grace: float = 30) -> None:
    """Every child terminated (killed after `grace` s, or at once on a second signal), then
    the embedded servers stopped."""
    stopping.begin()
    for child in children:
        if child.proc.poll() is None:
            child.proc.terminate()
    deadline = time.monotonic() + grace
    while (any(child.proc.poll() is None for child in children)
           and time.monotonic() < deadline and not stopping.hurry):
        time.sleep(0.1)
    for child in children:
        if child.proc.poll() is None:
            child.proc.kill()
            child.proc.wait()
    if services is not None:
        services.stop()


def watch(children: list[Child]) -> int:
    """Until a signal: 0; or 1 when a process exits by itself (said which and why)."""
    while True:
        for child in children:
            if child.proc.poll() is not None:
                print(child.exited("while running") + "\nstopping the rest.",
                      file=sys.stderr)
                return 1
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/dev", description=__doc__.splitlines()[0])
    parser.add_argument("--no-demo", action="store_true",
                        help="start the stack and write .dev/env, without the demos")
    args = parser.parse_args(argv)
    global STOPPING  # one per process, as signal handlers are
    stopping = STOPPING = Stopping()
    services: Services | None = None
    children: list[Child] = []
    env_text: str | None = None
    logs = DEV_DIR / "logs"
    status = 0
    try:
        services = find_services()
        logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, DATABASE_URL=services.database_url,
                   REDIS_URL=services.redis_url,
                   LEGACY_API_URL=f"http://127.0.0.1:{LEGACY_PORT}", PORT=str(PORT),
                   LEGACY_PORT=str(LEGACY_PORT), LOG_FORMAT="json")
        for name, how in services.how.items():
            print(f"{name}: {how}")
        python = sys.executable
        release = run([python, "-m", "worker.release"], env=env, cwd=ROOT)
        if release.returncode:
            raise SystemExit(f"the schema release (python -m worker.release) failed with "
                             f"code {release.returncode}; see its output above")
        commands = {
            "legacy": ([python, "-m", "legacy_sim"], LEGACY_PORT),
            "web": ([python, "-m", "api_stub", "serve"], PORT),
            "worker": ([python, "-m", "worker"], None),
        }
        for name, (command, port) in commands.items():
            path = logs / f"{name}.log"
            log: IO[bytes]
            with path.open("ab") as log, stopping.unbroken():
                children.append(Child(name, spawn(
                    command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT),
                    path, log.tell(), port))
        wait_for(f"http://127.0.0.1:{LEGACY_PORT}/healthz", children)
        wait_for(f"{BASE}/healthz", children)
        key = create_key(python, env, "acc_demo")
        operator = create_key(python, env, None)
        wait_for_worker(operator, children)
        chosen = {name: env[name] for name in ("DATABASE_URL", "REDIS_URL", "LEGACY_API_URL",
                                               "PORT", "LEGACY_PORT")}
        if env.get("SECRET_KEY"):
            chosen["SECRET_KEY"] = env["SECRET_KEY"]
        env_text = write_env(dict(chosen, API_URL=BASE, API_KEY=key, OPERATOR_KEY=operator))
        print(f"web API: {BASE} (OpenAPI: {BASE}/docs); legacy simulator: "
              f"http://127.0.0.1:{LEGACY_PORT}; logs: {logs}")
        print(f"API key for account acc_demo: {key}")
        print(f"environment for ./scripts/cli: {shown(ENV_FILE)}")
        if not args.no_demo:
            demo(key)
            # an account of its own each time: a second run's contacts and documents would
            # otherwise be skipped as already in the account (the wizard's duplicate rule)
            wizard_demo.run(BASE, create_key(python, env,
                                             f"acc_wizard_demo_{int(time.time())}"))
            wizard_demo.run_xero(BASE, create_key(python, env,
                                                  f"acc_xero_demo_{int(time.time())}"))
        print(f"\nEverything keeps running; try:\n"
              f"  ./scripts/cli -m api_stub ops status\n"
              f"  curl -H \"Authorization: Bearer $API_KEY\" {BASE}/legacy-migration/jobs"
              f"   (after: set -a; . {shown(ENV_FILE)}; set +a)\n"
              f"  the operators' dashboard: {BASE}/dashboard#key={operator}\n"
              "Ready. Ctrl-C (or SIGTERM) stops it all.", flush=True)
        status = watch(children)
    except KeyboardInterrupt:
        print("\nstopping ...", file=sys.stderr, flush=True)
    except SystemExit as exit_:
        print(exit_.code if isinstance(exit_.code, str) else f"exit {exit_.code}",
              file=sys.stderr, flush=True)
        status = 1
    finally:
        stop(children, services, stopping)
        remove_env(env_text)
    return status


if __name__ == "__main__":
    sys.exit(main())
