"""Runs ruff, mypy and pytest with Postgres and Redis found or started (scripts/devenv.py).

The tests get their own database (`migration_worker_test`, recreated by the suite) and
Redis database 15, which they flush. Pytest runs in PARALLEL processes (pytest-xdist, a
test file's tests together in one); the second takes `migration_worker_test_gw1` and Redis
database 14 (tests/support/isolation.py). `-n 0` runs it in one process.
"""

from __future__ import annotations

import os
import subprocess
import sys

from devenv import find_services, with_database

# most of a test's time is spent waiting on the service's processes, so two pytest
# processes finish the suite in a little over half the time even on two cores
PARALLEL = 2


def pytest_arguments(given: list[str]) -> list[str]:
    """The arguments given, run in PARALLEL processes unless they say how many (-n)."""
    if any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in given):
        return given
    return ["-n", str(PARALLEL), "--dist", "loadfile", *given]


def main() -> int:
    services = find_services(db="migration_worker_test", redis_db=15)
    env = dict(os.environ)
    env["TEST_DATABASE_URL"] = with_database(services.database_url, "migration_worker_test")
    env["TEST_REDIS_URL"] = services.redis_url.rsplit("/", 1)[0] + "/15"
    for name, how in services.how.items():
        print(f"{name}: {how}", flush=True)
    venv_bin = os.path.dirname(sys.executable)
    for command in (
        [os.path.join(venv_bin, "ruff"), "check", "."],
        [os.path.join(venv_bin, "mypy")],
    ):
        if subprocess.run(command, env=env).returncode != 0:
            return 1
    pytest = [sys.executable, "-m", "pytest", *pytest_arguments(sys.argv[1:])]
    return subprocess.run(pytest, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
