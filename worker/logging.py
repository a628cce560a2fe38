"""structlog set-up: one event a line, JSON or console, with secrets redacted.

Every line logged while a job runs carries job_id, kind, step and attempt (bound in
contextvars by the step engine).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

REDACTED = "[REDACTED]"

# Keys whose values are secrets wherever they appear.
_SECRET_KEY = re.compile(
    r"pass(word)?|secret|token|authorization|api[_-]?key|session[_-]?id|cookie|credential",
    re.IGNORECASE,
)
# Secret-looking values inside free text: our own token formats, bearer headers, and
# anything after a password/token label.
_SECRET_TEXT = re.compile(
    r"(lm_session_[0-9a-f]+|mw[ko]_[0-9a-f]+|ltok_[0-9a-f]+|Bearer\s+\S+"
    r"|(?:password|token|secret)\s*[=:]\s*\S+)",
    re.IGNORECASE,
)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _SECRET_TEXT.sub(REDACTED, value)
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else _scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor that hides secrets by key name and by value pattern."""
    for key in list(event_dict):
        if _SECRET_KEY.search(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


def configure_logging(log_format: str = "json", level: str = "INFO") -> None:
    """Route structlog and the standard library (arq, uvicorn) through one pipeline."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_secrets,
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty())
        if log_format == "console"
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processor=renderer)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; the worker logs its own summaries instead.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # arq's own line per job start and end carries none of the job's context; the step
    # engine logs "job started" and "job run ended" with it instead
    logging.getLogger("arq.worker").setLevel(logging.WARNING)
