-- Operator keys: they read every account's jobs and act on them through /ops, and nothing
-- else (an operator key has no account).
ALTER TABLE api_keys ADD COLUMN operator boolean NOT NULL DEFAULT false;

-- The operators' views: every account's jobs newest first, filtered; the last hour's
-- finished jobs and steps.
CREATE INDEX migration_jobs_newest ON migration_jobs (created_at DESC, id DESC);
CREATE INDEX migration_step_runs_finished_at ON migration_step_runs (finished_at)
    WHERE status = 'finished';
