-- The operators' views of every account's jobs (/ops).

-- name: ops_throughput
-- Jobs finished per minute over the last hour, by how they finished.
SELECT date_trunc('minute', updated_at) AS minute, status, count(*) AS n
FROM migration_jobs
WHERE status IN ('completed', 'failed', 'cancelled')
  AND updated_at > now() - interval '60 minutes'
GROUP BY 1, 2
ORDER BY 1;

-- name: ops_step_timings
-- Each kind's steps finished over the last hour: how many, and their durations' median
-- and 95th percentile (first start to finish).
SELECT j.kind, r.step_number, count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM r.finished_at - r.started_at)) AS p50,
       percentile_cont(0.95) WITHIN GROUP (
           ORDER BY extract(epoch FROM r.finished_at - r.started_at)) AS p95
FROM migration_step_runs r JOIN migration_jobs j ON j.id = r.job_id
WHERE r.status = 'finished' AND r.finished_at > now() - interval '60 minutes'
GROUP BY 1, 2
ORDER BY 1, 2;

-- name: ops_running_by_worker
SELECT worker_id, array_agg(id ORDER BY id) AS jobs
FROM migration_jobs
WHERE status = 'running' AND worker_id IS NOT NULL
GROUP BY worker_id;

-- name: ops_find_jobs
-- Every account's jobs matching a filter (each condition optional), newest first, after
-- the job `starting_after` when given.
SELECT id, kind, account_id, status, step, step_number, total_steps, progress_detail,
       error_code, error, entity_id, attempts, created_at, started_at, completed_at,
       updated_at, worker_id, cancel_requested_at
FROM migration_jobs
WHERE ($1::text IS NULL OR kind = $1)
  AND ($2::text IS NULL OR status = $2)
  AND ($3::text IS NULL OR account_id = $3)
  AND ($4::text IS NULL OR error_code = $4)
  AND ($5::timestamptz IS NULL OR created_at >= $5)
  AND ($6::text[] IS NULL OR id = ANY($6::text[]))
  AND ($7::text IS NULL OR (created_at, id) < (
        SELECT created_at, id FROM migration_jobs WHERE id = $7))
ORDER BY created_at DESC, id DESC
LIMIT $8;

-- name: ops_count_jobs
SELECT count(*) FROM migration_jobs
WHERE ($1::text IS NULL OR kind = $1)
  AND ($2::text IS NULL OR status = $2)
  AND ($3::text IS NULL OR account_id = $3)
  AND ($4::text IS NULL OR error_code = $4)
  AND ($5::timestamptz IS NULL OR created_at >= $5)
  AND ($6::text[] IS NULL OR id = ANY($6::text[]));

-- name: ops_job
SELECT * FROM migration_jobs WHERE id = $1;
