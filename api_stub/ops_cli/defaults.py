"""Where the CLI's settings come from when the command line leaves them out: the environment,
then the service's own defaults (worker/settings.py), so that the CLI agrees with the
processes it looks at."""

from __future__ import annotations

import os

from api_stub.ops_cli.exits import CliError, ExitCode
from worker.settings import Settings

KEY_HELP = ("pass --key or set OPERATOR_KEY (make one with: python -m api_stub create-key "
            "--operator)")


def service_default(name: str) -> object:
    """The service's default for one of its settings."""
    return Settings.model_fields[name].default


def default_url() -> str:
    """$API_URL, else the local web process on $PORT (the service's own default port)."""
    if os.environ.get("API_URL"):
        return os.environ["API_URL"]
    port = os.environ.get("PORT") or str(service_default("port"))
    return f"http://127.0.0.1:{port}"


def resolve_key(given: str | None) -> str:
    """The operator key: --key, else $OPERATOR_KEY; a usage error when neither is set."""
    key = (given or os.environ.get("OPERATOR_KEY") or "").strip()
    if not key:
        raise CliError(ExitCode.USAGE, f"no operator key: {KEY_HELP}.")
    return key


def dead_after(given: float | None) -> float:
    """After how many seconds of silence a worker the registry still lists is not counted
    alive: --dead-after, else $WORKER_DEAD_AFTER_SECONDS, else the service's default (the
    same rule as the migration_workers_alive gauge)."""
    if given is not None:
        return given
    text = os.environ.get("WORKER_DEAD_AFTER_SECONDS")
    if not text:
        return float(str(service_default("worker_dead_after_seconds")))
    try:
        return float(text)
    except ValueError:
        raise CliError(ExitCode.USAGE, f"WORKER_DEAD_AFTER_SECONDS={text!r} is not a number "
                                       "of seconds; fix it or pass --dead-after.") from None
