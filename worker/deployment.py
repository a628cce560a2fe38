"""Safe deployment defaults (security.md, "Deployment defaults"): in production (PRODUCTION=1)
a process refuses to start with the built-in SECRET_KEY or one too short, naming it; in
development it says loudly that the built-in key is in use. Every process calls
`require_safe_settings` first (the API, the worker, the release)."""

from __future__ import annotations

import sys

from worker.settings import DEV_SECRET_KEY, Settings

MIN_SECRET_KEY_LENGTH = 32
GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class UnsafeSettings(Exception):
    """The settings are not safe for production."""


def problems(settings: Settings) -> list[str]:
    """What is unsafe about these settings for production (empty: nothing)."""
    found = []
    key = settings.secret_key.get_secret_value()
    if key == DEV_SECRET_KEY:
        found.append("SECRET_KEY is the built-in development key, which anyone can read in "
                     "worker/settings.py")
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        found.append(f"SECRET_KEY is {len(key)} characters long; it must be at least "
                     f"{MIN_SECRET_KEY_LENGTH}")
    for old in settings.old_secret_keys():
        if len(old) < MIN_SECRET_KEY_LENGTH or old == DEV_SECRET_KEY:
            found.append("SECRET_KEYS_OLD holds the built-in key or one shorter than "
                         f"{MIN_SECRET_KEY_LENGTH} characters")
            break
    return found


def require_safe_settings(settings: Settings, process: str) -> None:
    """In production, raise UnsafeSettings naming what to fix; in development, warn on
    stderr about the built-in key."""
    found = problems(settings)
    if not found:
        return
    if settings.production:
        raise UnsafeSettings(
            f"{process} refuses to start in production (PRODUCTION=1): "
            + "; ".join(found) + f". Generate a key with {GENERATE} and set SECRET_KEY to it.")
    if settings.secret_key.get_secret_value() == DEV_SECRET_KEY:
        print(f"!!! WARNING ({process}): SECRET_KEY is the built-in development key: sealed "
              "legacy tokens can be opened by anyone with this repository. Fine for "
              "development; in production set PRODUCTION=1 and a SECRET_KEY of your own.",
              file=sys.stderr, flush=True)


def start_or_exit(settings: Settings, process: str) -> None:
    """require_safe_settings, turning a refusal into exit code 2 with its message."""
    try:
        require_safe_settings(settings, process)
    except UnsafeSettings as exc:
        print(str(exc), file=sys.stderr, flush=True)
        raise SystemExit(2) from None
