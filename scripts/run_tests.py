"""Runs ruff, mypy and pytest with Postgres and Redis found or started (scripts/devenv.py).

The tests get their own database (`migration_worker_test`, recreated by the suite) and
Redis database 15, which they flush.
"""

from __future__ import annotations

import os
import subprocess
import sys

from devenv import find_services, with_database


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
    return subprocess.run([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
