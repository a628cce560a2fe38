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
    # SECRET_KEY rotation: the keys before it (comma-separated), kept only to open what they
    # sealed; SECRET_KEY seals everything new
    secret_keys_old: SecretStr = SecretStr("")
    # production: refuse to start with the built-in or a short SECRET_KEY (worker/deployment)
    production: bool = False
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
    # how often a web process writes when its keys were last used (api_stub/key_usage.py):
    # at most one write per key per this long, never one per request
    api_key_used_flush_seconds: float = 60.0
    # pushed progress (…/events): how often a stream re-reads its object even without a
    # notification, how long it may stay silent before a keep-alive comment, and how long
    # the events of a finished job are kept for clients resuming with Last-Event-ID
    events_reread_seconds: float = 5.0
    events_keepalive_seconds: float = 15.0
    events_keep_seconds: float = 24 * 3600.0
    # --- hostile clients (security.md, "Connections and requests"); every web process ---
    # a request's headers must be complete this long after its connection opened (or after
    # the next request's first byte on a kept-alive connection: until then the keep-alive
    # limit applies)
    http_header_timeout_seconds: float = Field(default=5.0, gt=0)
    # a request body must keep arriving at this rate, measured after a grace period
    http_body_min_bytes_per_second: int = Field(default=8192, ge=0)
    http_body_grace_seconds: float = Field(default=10.0, gt=0)
    # an idle kept-alive connection is closed after this long
    http_keepalive_seconds: float = Field(default=5.0, gt=0)
    # open connections per web process, and per client address in one web process; beyond
    # them a new connection is refused at once (503) and counted in /metrics
    http_max_connections: int = Field(default=2000, ge=1)
    http_max_connections_per_address: int = Field(default=64, ge=1)
    # requests per second per API key (per client address without a key), with a burst
    rate_limit_per_second: float = Field(default=20.0, gt=0)
    rate_limit_burst: int = Field(default=60, ge=1)
    rate_limit_anonymous_per_second: float = Field(default=10.0, gt=0)
    rate_limit_anonymous_burst: int = Field(default=30, ge=1)
    # open event streams (…/events) per API key
    max_event_streams_per_key: int = Field(default=16, ge=1)
    # POST /legacy-migration/auth: wrong passwords allowed per key and per legacy email
    # before a wait; the wait doubles with each further failure, up to the maximum, and is
    # forgotten after `legacy_login_forget_seconds` without a failure
    legacy_login_free_failures: int = Field(default=3, ge=0)
    legacy_login_wait_seconds: float = Field(default=2.0, gt=0)
    legacy_login_max_wait_seconds: float = Field(default=900.0, gt=0)
    legacy_login_forget_seconds: float = Field(default=3600.0, gt=0)
    # --- tenants (security.md, "Tenants") ---
    # uploaded bytes an account may keep stored, and uploads it may make in an hour
    upload_quota_bytes: int = Field(default=1024 * 1024 * 1024, ge=0)
    upload_quota_per_hour: int = Field(default=120, ge=0)
    # the share of the fleet's job slots one account's jobs may hold while another
    # account's jobs wait (at least one slot each)
    fair_share: float = Field(default=0.5, gt=0, le=1)
    # --- retention (security.md, "Retention"; worker/process/retention.py, run by every
    # sweep). Days; 0 keeps that kind of data for ever (never "purge at once": a slip of 0
    # must not delete a customer's history) ---
    # an uploaded file's bytes, after its migration completed or was abandoned (or, never
    # attached to a migration, after its upload); its row, name, size and SHA-256 stay
    retention_upload_days: int = Field(default=30, ge=0)
    # the staging of failed and cancelled jobs (a failed job is retried from its staging
    # until then; afterwards a retry starts again at step 1)
    retention_failed_staging_days: int = Field(default=14, ge=0)
    # finished jobs and their step runs, deleted after this long unless something still
    # points at them (an import, a target entity, a migration's execute: those are kept)
    retention_job_days: int = Field(default=90, ge=0)
    # the audit log's entries
    retention_audit_days: int = Field(default=400, ge=0)
    # rows one purge batch (one short transaction) removes at most: jobs, audit entries,
    # uploads (and 64 MB of their bytes), rows of each staging table
    retention_batch: int = Field(default=1000, ge=1)
    # --- the web server (api_stub/server) ---
    # the address `python -m api_stub serve` listens on; 0.0.0.0 where it must be reached
    # from outside its host or container (docker-compose.yml sets it)
    host: str = "127.0.0.1"
    # the proxies in front (comma-separated addresses or networks, "*" for any): only their
    # X-Forwarded-For names a request's client, and their connections are not capped per
    # address (they carry many clients'; the proxy must cap per client). Empty: none
    forwarded_allow_ips: str = ""
    # --- reader child caps ---
    # the process that reads an uploaded workbook or CSV file (security.md, "Hostile
    # files"): its address space, and the CPU time it may use; a file that needs more is
    # refused at once as INVALID_FILE. The benchmark's 9.4 MB workbook of 170,000 rows
    # peaks at about 170 MB in the child and reads in a few seconds
    reader_child_memory_bytes: int = Field(default=384 * 1024 * 1024, ge=64 * 1024 * 1024)
    reader_child_cpu_seconds: int = Field(default=60, ge=1)

    def old_secret_keys(self) -> list[str]:
        """SECRET_KEYS_OLD, one key each."""
        return [k.strip() for k in self.secret_keys_old.get_secret_value().split(",")
                if k.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
