-- Per-step runs: attempts, counts, the resume cursor and the report.

-- name: start_step
-- Under the lease ($3): a step re-run counts one more attempt and keeps its cursor. The
-- same statement is the step's first checkpoint: the job shows the step ($4, number $2)
-- with progress $5 (one visible state, one event), and says whether cancellation was
-- requested. No row: the lease is lost.
WITH job AS (
    UPDATE migration_jobs SET step = $4, step_number = $2, progress_detail = $5,
                              updated_at = now()
    WHERE id = $1 AND lease_owner = $3
    RETURNING cancel_requested_at IS NOT NULL AS cancel_requested
)
INSERT INTO migration_step_runs AS r (job_id, step_number)
SELECT $1, $2 FROM job
ON CONFLICT (job_id, step_number) DO UPDATE
    SET attempts = r.attempts + 1, status = 'running', finished_at = NULL
RETURNING r.*, (SELECT cancel_requested FROM job) AS cancel_requested;

-- name: save_step_progress
UPDATE migration_step_runs SET
    source_count = $3, created_count = $4, skipped_count = $5, error_count = $6,
    cursor = $7, source_totals = $8, checks = $9
WHERE job_id = $1 AND step_number = $2;

-- name: finish_step
UPDATE migration_step_runs SET status = 'finished', finished_at = clock_timestamp()
WHERE job_id = $1 AND step_number = $2;

-- name: finish_step_counted
-- The step done and its metrics added ($3-$5 as add_metrics takes them), in one statement
-- (atomic without a transaction of its own, one round trip).
WITH done AS (
    UPDATE migration_step_runs SET status = 'finished', finished_at = clock_timestamp()
    WHERE job_id = $1 AND step_number = $2
)
INSERT INTO metric_totals (name, labels, value)
SELECT name, labels, sum(value)
FROM unnest($3::text[], $4::text[], $5::float8[]) AS added(name, labels, value)
GROUP BY name, labels
ORDER BY name, labels
ON CONFLICT (name, labels) DO UPDATE SET value = metric_totals.value + EXCLUDED.value;

-- name: checkpoint_step
-- A checkpoint in one statement: the job's progress under the lease ($2; the job row stays
-- locked until the caller's transaction ends), and the step's counts and cursor saved
-- with it only if the lease is held. No row: the lease is lost. Run last in a page's
-- transaction, after what the page staged, so that a lost lease or a cancellation rolls
-- the page back and heartbeats are not held up while it stages.
WITH job AS (
    UPDATE migration_jobs SET step = $3, step_number = $4, progress_detail = $5,
                              updated_at = now()
    WHERE id = $1 AND lease_owner = $2
    RETURNING cancel_requested_at IS NOT NULL AS cancel_requested
), saved AS (
    UPDATE migration_step_runs SET
        source_count = $6, created_count = $7, skipped_count = $8, error_count = $9,
        cursor = $10, source_totals = $11, checks = $12
    WHERE job_id = $1 AND step_number = $4 AND EXISTS (SELECT 1 FROM job)
)
SELECT cancel_requested FROM job;

-- name: fail_step
-- Under the lease ($3).
UPDATE migration_step_runs SET status = 'failed', finished_at = clock_timestamp()
WHERE job_id = $1 AND step_number = $2
  AND EXISTS (SELECT 1 FROM migration_jobs WHERE id = $1 AND lease_owner = $3);

-- name: count_step_retry
UPDATE migration_step_runs SET retries = retries + 1 WHERE job_id = $1 AND step_number = $2;

-- name: step_report
SELECT * FROM migration_step_runs WHERE job_id = $1 ORDER BY step_number;
