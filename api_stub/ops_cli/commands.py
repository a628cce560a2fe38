"""Each `ops` subcommand: ask the API, print its answer (as a view, or with --json as sent),
and say how it went as an exit code."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from api_stub.ops_cli import audit_views, key_views, views
from api_stub.ops_cli.client import OpsClient, Reply
from api_stub.ops_cli.defaults import dead_after, default_url, resolve_key
from api_stub.ops_cli.exits import CliError, ExitCode

NO_WORKER = ("no worker is alive: jobs wait on the queue until one runs; start one with "
             "python -m worker.")
CLEAR_SCREEN = "\x1b[H\x1b[2J"


def _show(args: argparse.Namespace, reply: Reply, view: Callable[[Any], str]) -> None:
    print(reply.text if args.json else view(reply.data), flush=True)


def _alive(args: argparse.Namespace, summary: dict[str, Any]) -> ExitCode:
    found = views.alive(summary.get("workers") or [], args.dead_after)
    return ExitCode.OK if found else ExitCode.NO_WORKER


def _warn_if_none_alive(code: ExitCode) -> ExitCode:
    if code is ExitCode.NO_WORKER:
        print(f"error: {NO_WORKER}", file=sys.stderr)
    return code


def status(client: OpsClient, args: argparse.Namespace) -> ExitCode:
    """The fleet at a glance (GET /ops/summary)."""
    reply = client.get("/ops/summary")
    _show(args, reply, lambda data: views.summary_view(data, args.dead_after))
    return _warn_if_none_alive(_alive(args, reply.data))


def workers(client: OpsClient, args: argparse.Namespace) -> ExitCode:
    """The workers alive (the summary's `workers`)."""
    reply = client.get("/ops/summary")
    listed = reply.data.get("workers") or []
    print(json.dumps(listed) if args.json else views.workers_table(listed, args.dead_after),
          flush=True)
    return _warn_if_none_alive(_alive(args, reply.data))


def jobs(client: OpsClient, args: argparse.Namespace) -> ExitCode:
    """A page of jobs matching the filter, newest first (GET /ops/jobs)."""
    reply = client.get("/ops/jobs", {
        "kind": args.kind, "status": args.status, "account": args.account,
        "error_code": args.error_code, "since": args.since, "limit": args.limit,
        "starting_after": args.starting_after})
    _show(args, reply, views.jobs_view)
    return ExitCode.OK


def job(client: OpsClient, args: argparse.Namespace) -> ExitCode:
    """One job and its step timeline (GET /ops/jobs/{id})."""
    # quoted whole: an ID with a slash must not name another endpoint
    _show(args, client.get(f"/ops/jobs/{quote(args.job_id, safe='')}"), views.job_view)
    return ExitCode.OK


def act(client: OpsClient, args: argparse.Namespace) -> ExitCode:
    """Retry or cancel one job by ID, or every job matching a filter."""
    action: str = args.ops_command
    where: dict[str, Any] = {k: v for k, v in (
        ("kind", args.kind), ("status", args.status), ("error_code", args.error_code),
        ("account", args.account)) if v is not None}
    if len(args.job_ids) == 1 and not where:
        reply = client.post(f"/ops/jobs/{quote(args.job_ids[0], safe='')}/{action}")
        _show(args, reply, lambda j: views.one_action_view(action, j))
        return ExitCode.OK
    if args.job_ids:
        where["ids"] = args.job_ids
    if not where:  # the API refuses it too; say so before asking it
        raise CliError(ExitCode.USAGE, f"{action} needs a job ID or a filter (--kind, "
                       f"--status, --error-code, --account): a bulk {action} never acts on "
                       "every job.")
    reply = client.post(f"/ops/jobs/{action}", where)
    _show(args, reply, lambda r: views.bulk_action_view(action, r))
    return ExitCode.OK


def watch(client: OpsClient, args: argparse.Namespace) -> ExitCode:
    """`status`, again every --interval seconds until Ctrl-C (or --count refreshes). The API
    being unreachable for a while is shown and waited out; other errors stop it."""
    clear = sys.stdout.isatty() and not args.json
    code, shown = ExitCode.OK, 0
    try:
        while True:
            head = (f"ops watch: {client.url} at {time.strftime('%H:%M:%S')}, every "
                    f"{args.interval:g} s (Ctrl-C to stop)")
            error = None
            try:
                reply = client.get("/ops/summary")
                code = _alive(args, reply.data)
                text = reply.text if args.json else \
                    f"{head}\n\n{views.summary_view(reply.data, args.dead_after)}"
            except CliError as exc:
                if exc.code is not ExitCode.UNREACHABLE:
                    raise
                code, error, text = exc.code, exc.message, "" if args.json else head
            if text:
                # on a terminal the screen is redrawn; in a log, refreshes are blank-line apart
                before = CLEAR_SCREEN if clear else "\n" if shown and not args.json else ""
                print(before + text, flush=True)
            if error:  # after the view, which would clear it away
                print(f"error: {error}", file=sys.stderr, flush=True)
            shown += 1
            if args.count and shown >= args.count:
                break
            time.sleep(args.interval)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the ^C stays on a line of its own
    return _warn_if_none_alive(code)


def keys(client: OpsClient, args: argparse.Namespace) -> ExitCode:
    """Every API key (GET /ops/keys), or revoke or rotate one."""
    action = args.keys_command or "list"
    if action == "list":
        _show(args, client.get("/ops/keys"), key_views.keys_view)
        return ExitCode.OK
    path = f"/ops/keys/{quote(args.target, safe='')}/{action}"
    if action == "revoke":
        _show(args, client.post(path), lambda r: key_views.revoked_view(args.target, r))
        return ExitCode.OK
    reply = client.post(path, None if args.grace is None else {"grace_seconds": args.grace})
    if args.json:
        print(reply.text, flush=True)
    else:  # the key alone on stdout, so that `> file` or `$(...)` takes exactly the key
        print(key_views.rotated_note(args.target, reply.data), file=sys.stderr, flush=True)
        print(reply.data["key"], flush=True)
    return ExitCode.OK


def audit(client: OpsClient, args: argparse.Namespace) -> ExitCode:
    """A page of the audit log matching the filter, newest first (GET /ops/audit)."""
    reply = client.get("/ops/audit", {
        "action": args.action, "account": args.account, "key": args.key_prefix,
        "subject": args.subject, "since": args.since, "until": args.until,
        "limit": args.limit, "before": args.before})
    _show(args, reply, audit_views.audit_view)
    return ExitCode.OK


COMMANDS: dict[str, Callable[[OpsClient, argparse.Namespace], ExitCode]] = {
    "status": status, "workers": workers, "jobs": jobs, "job": job, "retry": act,
    "cancel": act, "watch": watch, "keys": keys, "audit": audit,
}


def run(args: argparse.Namespace) -> int:
    """Run the parsed `ops` command; its exit code. Errors go to stderr in one line."""
    try:
        if hasattr(args, "dead_after"):
            args.dead_after = dead_after(args.dead_after)
        with OpsClient(args.url or default_url(), resolve_key(args.key)) as client:
            return int(COMMANDS[args.ops_command](client, args))
    except CliError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return int(exc.code)
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # `ops jobs | head` closed the pipe: not an error; keep Python's exit quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.OK)
