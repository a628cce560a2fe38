"""The command line of `python -m api_stub ops`: its subcommands and their options."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from api_stub.keys_cli import duration
from api_stub.ops_cli.audit_views import ACTIONS, FAMILIES
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
  python -m api_stub ops keys rotate mwk_1a2b3c --grace 1h > new-key.txt
  python -m api_stub ops audit --action jobs --since 1d

"""
_AGO = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
Subparsers = argparse._SubParsersAction  # argparse gives it no public name
MAX_GRACE_DAYS = 30  # the API's limit (api_stub/routes/keys.py)
# how /ops/keys names a key: its ID or its prefix (never the whole key, which would then be
# in a URL, and in every proxy's log)
KEY_REF = re.compile(r"^(\d{1,18}|mw[ko]_[0-9a-f]{1,40})$")
KEY_PREFIX = re.compile(r"^mw[ko]_[0-9a-f]{6}$")


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


def grace(text: str) -> int:
    """--grace: a duration (`1d`, `3600s`, `2w`) of at most 30 days, in seconds."""
    seconds = int(duration(text).total_seconds())
    if seconds > MAX_GRACE_DAYS * 86400:
        raise argparse.ArgumentTypeError(f"{text} is longer than the API allows "
                                         f"({MAX_GRACE_DAYS}d at most)")
    return seconds


def key_ref(text: str) -> str:
    """A key as /ops/keys names it: its ID or its prefix."""
    if KEY_REF.match(text.strip()) is None:
        whole = " (this looks like a whole key: it is never sent)" if len(text) > 44 else ""
        raise argparse.ArgumentTypeError(f"name the key by its ID or its prefix (mwk_1a2b3c), "
                                         f"as `ops keys` lists them{whole}")
    return text.strip()


def key_prefix(text: str) -> str:
    """--key-prefix: a key's visible prefix, `mwk_` or `mwo_` and six hex digits."""
    if KEY_PREFIX.match(text.strip()) is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a key prefix: mwk_ or mwo_ and "
                                         "six hex digits (mwk_1a2b3c), as `ops keys` lists")
    return text.strip()


def audit_action(text: str) -> str:
    """--action: one action the audit log records, or a family of them."""
    if text not in ACTIONS and text not in FAMILIES:
        raise argparse.ArgumentTypeError(f"{text!r} is not an action the audit log records; "
                                         f"one of {', '.join(ACTIONS)}, or a family: "
                                         f"{', '.join(FAMILIES)}")
    return text


def _common(suppress: bool = False) -> argparse.ArgumentParser:
    """--json, --url, --key. `suppress`: for a sub-subcommand, whose defaults would
    otherwise undo the same options given before it (`ops keys --json rotate X`)."""
    flag: object = argparse.SUPPRESS if suppress else False
    value: object = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=flag,
                        help="print the API's JSON as it sends it, instead of tables")
    port = service_default("port")
    common.add_argument("--url", default=value, help="the web API's base URL (default: "
                        f"$API_URL, else http://127.0.0.1:$PORT, PORT {port} if unset)")
    common.add_argument("--key", default=value, help="an operator key (default: "
                        "$OPERATOR_KEY; make one with python -m api_stub create-key "
                        "--operator)")
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
        "ops", help="the operator CLI: status, workers, jobs, retry, cancel, watch, keys, "
                    "audit",
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
    _keys(command("keys", "every API key (never the key itself): ID, prefix, whose, label, "
                          "dates, state; or `keys revoke KEY`, `keys rotate KEY`"), raw)
    _audit(command("audit", "the audit log, newest first: who did what, when, from where"))


def _keys(keys: argparse.ArgumentParser, raw: type[argparse.HelpFormatter]) -> None:
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    late = _common(suppress=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=help_text, description=help_text + ".",
                                  parents=[late], epilog=EPILOG, formatter_class=raw)

    action("list", "every API key (the default)")
    revoke = action("revoke", "revoke a key now: every web process refuses it within a "
                              "second")
    rotate = action("rotate", "a new key with the same access, printed alone on stdout (once); "
                              "the old one works for --grace")
    for parser in (revoke, rotate):
        parser.add_argument("target", metavar="KEY", type=key_ref,
                            help="the key's ID or prefix (mwk_1a2b3c), as `ops keys` lists")
    rotate.add_argument("--grace", type=grace, metavar="DURATION",
                        help="how long the old key keeps working: 3600s, 30m, 1h, 1d, 2w; 0s "
                             f"for not at all; at most {MAX_GRACE_DAYS}d (default: the API's, "
                             "1d)")


def _audit(audit: argparse.ArgumentParser) -> None:
    audit.add_argument("--action", type=audit_action,
                       help=f"one action ({', '.join(ACTIONS[:2])}, ...) or a family "
                            f"({', '.join(FAMILIES)})")
    audit.add_argument("--account", help="entries of this account (acted for, or on)")
    audit.add_argument("--key-prefix", type=key_prefix, metavar="PREFIX",
                       help="entries of the key with this prefix (mwk_1a2b3c); --key is "
                            "your own operator key")
    audit.add_argument("--subject", help="entries about this job, migration, upload, bulk "
                                         "action or key ID")
    for name, word in (("--since", "at or after"), ("--until", "before")):
        audit.add_argument(name, type=since, help=f"{word}: an ISO date/time (UTC unless it "
                                                  "says) or an age like 30m, 2h, 7d")
    audit.add_argument("--limit", type=_bounded(1, 200, int), default=50,
                       help="entries per page, 1 to 200 (default 50)")
    audit.add_argument("--before", type=_bounded(1, None, int), metavar="ID",
                       help="the page of entries older than this one (the previous page "
                            "says which)")
