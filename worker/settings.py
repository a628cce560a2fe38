"""Configuration, read from the environment only."""

from __future__ import annotations

import sys
from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# A development key so that a fresh clone runs; production must set SECRET_KEY.
DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production"  # noqa: S105


class Settings(BaseSettings):
    """Every process's settings; names are the environment variables (upper-cased)."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/migration_worker"
    redis_url: str = "redis://127.0.0.1:6379/0"
    legacy_api_url: str = "http://127.0.0.1:8001"
    port: int = 8000
    legacy_port: int = 8001
    log_format: str = Field(default_factory=lambda: "console" if sys.stdout.isatty() else "json")
    log_level: str = "INFO"
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    # arq queue name; tests give each run its own
    queue_name: str = "migration:queue"
    # how long a legacy login session (and its token in Redis) lives
    legacy_session_ttl_seconds: int = 3600
    # legacy API client
    legacy_timeout_seconds: float = 10.0
    legacy_max_retries: int = 6
    legacy_backoff_base_seconds: float = 0.5
    legacy_backoff_max_seconds: float = 30.0
    legacy_page_size: int = 1000
    # pages of one resource fetched at once, ahead of the one being staged
    legacy_read_ahead: int = 3
    # worker
    worker_concurrency: int = 4
    worker_poll_delay_seconds: float = 0.01
    # added to a worker process's niceness at start (0 keeps the parent's; at most 19)
    worker_nice: int = Field(default=10, ge=0, le=19)
    lease_seconds: float = 10.0
    heartbeat_seconds: float = 2.0
    sweep_every_seconds: float = 5.0
    shutdown_grace_seconds: float = 20.0
    # the workers registry: how often a worker says it is alive, and after how long
    # without a word it is presumed dead (its jobs then move on at once)
    worker_heartbeat_seconds: float = 1.0
    worker_dead_after_seconds: float = 5.0
    # job kinds beyond the built-in ones, as "module:attribute" (comma-separated); the
    # tests use it to run a kind of their own through the real worker
    extra_job_kinds: str = ""
    # how often a web process reads the fleet's metrics for /metrics
    metrics_refresh_seconds: float = 5.0
    # how long a web process trusts an API key it has looked up (a revoked key is refused
    # everywhere after this long)
    api_key_cache_seconds: float = 2.0
    # pushed progress (…/events): how often a stream re-reads its object even without a
    # notification, how long it may stay silent before a keep-alive comment, and how long
    # the events of a finished job are kept for clients resuming with Last-Event-ID
    events_reread_seconds: float = 5.0
    events_keepalive_seconds: float = 15.0
    events_keep_seconds: float = 24 * 3600.0


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
