-- The operators' bulk actions count and list failed jobs by error code (and kind): without
-- this, each such request read the whole jobs table (bench/ops.py, a million jobs: 70-140 ms).
CREATE INDEX migration_jobs_failed_by_code ON migration_jobs (error_code, kind)
    WHERE status = 'failed';
