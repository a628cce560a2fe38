-- When a finished job's staging was removed. A worker clears staging right after the
-- commit or cancellation; one that crashes in between leaves it, and the sweep finds such
-- jobs here (completed or cancelled, not yet cleared). Failed jobs keep their staging:
-- a retry resumes from it.

ALTER TABLE migration_jobs ADD COLUMN staging_cleared_at timestamptz;

CREATE INDEX migration_jobs_staging_to_clear ON migration_jobs (id)
    WHERE staging_cleared_at IS NULL AND status IN ('completed', 'cancelled');
