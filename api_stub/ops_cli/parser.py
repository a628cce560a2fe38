"""The command line of `python -m api_stub ops`: its subcommands and their options."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from api_stub.ops_cli.defaults import service_default
from api_stub.ops_cli.exits import exit_codes_text
from worker.models import JobStatus

STATUSES = [s.value for s in JobStatus]
EPILOG = "exit codes:\n" + exit_codes_text()
EXAMPLES = """examples:
  export API_URL=http://127.0.0.1:8000 OPERATOR_KEY=mwo_...
  python -m api_stub ops status                # exit 5 when no worker is alive
  python -m api_stub ops jobs --status failed --error-code LEGACY_SESSION_EXPIRED --since 2h
  python -m api_stub ops job job_...
  python -m api_stub ops retry --status failed --error-code LEGACY_UNAVAILABLE
  python -m api_stub ops cancel job_...
  python -m api_stub ops watch --interval 5

"""
_AGO = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
Subparsers = argparse._SubParsersAction  # argparse gives it no public name


def since(text: str, now: datetime | None = None) -> str:
    """--since: an ISO date or time (UTC unless it says), or an age like 30m, 2h, 7d; the
    ISO time the API takes."""
    ago = _AGO.match(text.strip())
    if ago:
        moment = (now or datetime.now(UTC)) - timedelta(**{_UNITS[ago[2]]: float(ago[1])})
    else:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is neither an ISO date/time (2024-05-01, 2024-05-01T12:00Z) nor "
                "an age (90s, 30m, 2h, 7d)") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _bounded(low: float, high: float | None, cast: type[int] | type[float]
             ) -> Callable[[str], int | float]:
    """An argparse type: a number of `cast`, from `low` to `high` (None: no upper bound)."""
    def parse(text: str) -> int | float:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < low or (high is not None and value > high):
            upper = f" and at most {high:g}" if high is not None else ""
            raise argparse.ArgumentTypeError(f"{text} must be at least {low:g}{upper}")
        return value
    return parse


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true",
                        help="print the API's JSON as it sends it, instead of tables")
    port = service_default("port")
    common.add_argument("--url", help="the web API's base URL (default: $API_URL, else "
                                      f"http://127.0.0.1:$PORT, PORT {port} if unset)")
    common.add_argument("--key", help="an operator key (default: $OPERATOR_KEY; make one "
                                      "with python -m api_stub create-key --operator)")
    return common


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", help="jobs of this kind (e.g. legacy_migration)")
    parser.add_argument("--status", choices=STATUSES, help="jobs in this status")
    parser.add_argument("--account", help="jobs of this account")
    parser.add_argument("--error-code", help="jobs that failed with this error code")


def _dead_after(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dead-after", type=_bounded(0, None, float), metavar="SECONDS",
                        help="a worker silent for longer is not counted alive (default: "
                             "$WORKER_DEAD_AFTER_SECONDS, else "
                             f"{service_default('worker_dead_after_seconds')}, as the service)")


def add_parser(commands: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `ops` and its subcommands to a parser's subcommands."""
    raw = argparse.RawDescriptionHelpFormatter
    ops = commands.add_parser(
        "ops", help="the operator CLI: status, workers, jobs, retry, cancel, watch",
        description="Watch and act on the fleet through the operators' API (/ops), over "
                    "HTTP with an operator key.", epilog=EXAMPLES + EPILOG, formatter_class=raw)
    sub = ops.add_subparsers(dest="ops_command", required=True, metavar="COMMAND")
    common = _common()

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text + ".",
                              parents=[common], epilog=EPILOG, formatter_class=raw)

    for name, help_text in (
            ("status", "the fleet at a glance: jobs by kind and status, queue, workers, last "
                       "hour's throughput, step timings"),
            ("workers", "the workers alive: host, PID, last seen, jobs running")):
        _dead_after(command(name, help_text))
    listing = command("jobs", "every account's jobs matching filters, newest first")
    _filters(listing)
    listing.add_argument("--since", type=since,
                         help="created at or after: an ISO date/time (UTC unless it says) "
                              "or an age like 30m, 2h, 7d")
    listing.add_argument("--limit", type=_bounded(1, 200, int), default=50,
                         help="jobs per page, 1 to 200 (default 50)")
    listing.add_argument("--starting-after", metavar="JOB_ID",
                         help="the page after this job (the last ID of the previous page)")
    one = command("job", "one job and its step timeline")
    one.add_argument("job_id", metavar="JOB_ID")
    for action, verb in (("retry", "retry failed jobs"), ("cancel", "cancel pending or "
                                                                     "running jobs")):
        acting = command(action, f"{verb}: one by ID, or every job matching filters (at "
                                 "least one; up to 1,000 a call)")
        acting.add_argument("job_ids", metavar="JOB_ID", nargs="*",
                            help="the job; with several IDs or with filters, a bulk action "
                                 "on those of them that match")
        _filters(acting)
    live = command("watch", "status, refreshed until Ctrl-C")
    _dead_after(live)
    live.add_argument("--interval", type=_bounded(0.1, None, float), default=2.0,
                      help="seconds between refreshes (default 2)")
    live.add_argument("--count", type=_bounded(1, None, int), default=None,
                      help="stop after this many refreshes (default: until Ctrl-C)")
