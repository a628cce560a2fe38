-- Per-step runs: attempts, counts, the resume cursor and the report.

-- name: finished_steps
SELECT step_number FROM migration_step_runs WHERE job_id = $1 AND status = 'finished';

-- name: start_step
-- Under the lease ($3): a step re-run counts one more attempt and keeps its cursor.
INSERT INTO migration_step_runs AS r (job_id, step_number)
SELECT $1, $2 FROM migration_jobs WHERE id = $1 AND lease_owner = $3
ON CONFLICT (job_id, step_number) DO UPDATE
    SET attempts = r.attempts + 1, status = 'running', finished_at = NULL
RETURNING *;

-- name: save_step_progress
UPDATE migration_step_runs SET
    source_count = $3, created_count = $4, skipped_count = $5, error_count = $6,
    cursor = $7, source_totals = $8, checks = $9
WHERE job_id = $1 AND step_number = $2;

-- name: finish_step
UPDATE migration_step_runs SET status = 'finished', finished_at = clock_timestamp()
WHERE job_id = $1 AND step_number = $2;

-- name: fail_step
-- Under the lease ($3).
UPDATE migration_step_runs SET status = 'failed', finished_at = clock_timestamp()
WHERE job_id = $1 AND step_number = $2
  AND EXISTS (SELECT 1 FROM migration_jobs WHERE id = $1 AND lease_owner = $3);

-- name: count_step_retry
UPDATE migration_step_runs SET retries = retries + 1 WHERE job_id = $1 AND step_number = $2;

-- name: step_report
SELECT * FROM migration_step_runs WHERE job_id = $1 ORDER BY step_number;
