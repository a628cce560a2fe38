"""The job manager: every Postgres operation on jobs, step runs and API keys."""
