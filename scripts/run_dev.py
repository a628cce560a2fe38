"""Starts everything for `scripts/dev` and runs a demo migration you can watch, then the
migration wizard's walkthroughs (scripts/wizard_demo.py): a FreeAgent workbook and a Xero
export.

Postgres and Redis: found or started (devenv.py). Then the release (schema), the legacy
simulator, the web API and one worker, each logging to .dev/logs/. Ctrl-C stops them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import wizard_demo
from devenv import DEV_DIR, ROOT, find_services

PORT = int(os.environ.get("PORT", "8000"))
LEGACY_PORT = int(os.environ.get("LEGACY_PORT", "8001"))
BASE = f"http://127.0.0.1:{PORT}"
DEMO_ORG = "050000000000000000000000"  # the simulator's medium organisation (10,000 documents)


def call(method: str, path: str, key: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        BASE + path, method=method, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_for(url: str, procs: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise SystemExit(f"a process exited early; see {DEV_DIR / 'logs'}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in {timeout} s")


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
    return subprocess.run([python, "-m", "api_stub", "create-key", *whose],
                          env=env, cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]


def main() -> int:
    services = find_services()
    logs = DEV_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DATABASE_URL=services.database_url, REDIS_URL=services.redis_url,
               LEGACY_API_URL=f"http://127.0.0.1:{LEGACY_PORT}", PORT=str(PORT),
               LEGACY_PORT=str(LEGACY_PORT), LOG_FORMAT="json")
    for name, how in services.how.items():
        print(f"{name}: {how}")
    python = sys.executable
    subprocess.run([python, "-m", "worker.release"], env=env, cwd=ROOT, check=True)
    commands = {
        "legacy": [python, "-m", "legacy_sim"],
        "web": [python, "-m", "api_stub", "serve"],
        "worker": [python, "-m", "worker"],
    }
    procs = []
    for name, command in commands.items():
        log = (logs / f"{name}.log").open("ab")
        procs.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log,
                                      stderr=subprocess.STDOUT))
    try:
        wait_for(f"http://127.0.0.1:{LEGACY_PORT}/healthz", procs)
        wait_for(f"{BASE}/healthz", procs)
        key = create_key(python, env, "acc_demo")
        print(f"web API: {BASE} (OpenAPI: {BASE}/docs); legacy simulator: "
              f"http://127.0.0.1:{LEGACY_PORT}; logs: {logs}")
        print(f"API key for account acc_demo: {key}")
        demo(key)
        # an account of its own each time: a second run's contacts and documents would
        # otherwise be skipped as already in the account (the wizard's duplicate rule)
        wizard_demo.run(BASE, create_key(python, env, f"acc_wizard_demo_{int(time.time())}"))
        wizard_demo.run_xero(BASE, create_key(python, env,
                                              f"acc_xero_demo_{int(time.time())}"))
        operator = create_key(python, env, None)
        print(f"\nEverything keeps running; try:\n  curl -H 'Authorization: Bearer {key}' "
              f"{BASE}/legacy-migration/jobs\n"
              f"  the operators' dashboard: {BASE}/dashboard#key={operator}\n"
              f"  OPERATOR_KEY={operator} {python} -m api_stub ops status\n"
              "Ctrl-C stops it all.")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
