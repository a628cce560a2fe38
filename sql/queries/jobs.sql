-- Jobs of every kind: created by the enqueue layer, read by the API, advanced by workers.
-- Every write a worker makes is guarded by its lease ($2 = lease owner), so a worker that
-- lost its lease can change nothing. A kind's own fields are in its own table.

-- name: insert_job
-- With the jobs-created metric's increments ($7-$9 as add_metrics takes them) in the same
-- statement: one round trip, and nothing counted when the insert is refused.
WITH job AS (
    INSERT INTO migration_jobs (id, kind, account_id, singleton_key, total_steps,
                                step, step_number, progress_detail)
    VALUES ($1, $2, $3, $4, $5, 'Queued', 0, $6)
    RETURNING *
), counted AS (
    INSERT INTO metric_totals (name, labels, value)
    SELECT name, labels, sum(value)
    FROM unnest($7::text[], $8::text[], $9::float8[]) AS added(name, labels, value)
    WHERE EXISTS (SELECT 1 FROM job)
    GROUP BY name, labels
    ORDER BY name, labels
    ON CONFLICT (name, labels) DO UPDATE SET value = metric_totals.value + EXCLUDED.value
)
SELECT * FROM job;

-- name: get_account_job
SELECT * FROM migration_jobs WHERE id = $1 AND account_id = $2 AND kind = $3;

-- name: request_cancel
-- A pending job is cancelled at once (no worker holds it); a running one is flagged and
-- its worker stops at the next checkpoint. `already_requested`: it was flagged before
-- (asking again changes nothing).
UPDATE migration_jobs j SET
    cancel_requested_at = coalesce(j.cancel_requested_at, now()),
    status = CASE WHEN j.status = 'pending' THEN 'cancelled' ELSE j.status END,
    progress_detail = CASE WHEN j.status = 'pending' THEN $4
        ELSE 'Cancellation requested: stopping at the next checkpoint.' END,
    updated_at = now()
FROM (SELECT id, cancel_requested_at FROM migration_jobs WHERE id = $1 FOR UPDATE) before
WHERE j.id = before.id AND j.account_id = $2 AND j.kind = $3
  AND j.status IN ('pending', 'running')
RETURNING j.*, before.cancel_requested_at IS NOT NULL AS already_requested;

-- name: requeue_failed_job
UPDATE migration_jobs SET
    status = 'pending', step = 'Queued', step_number = 0, progress_detail = $4,
    error = NULL, error_code = NULL, cancel_requested_at = NULL,
    lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL, updated_at = now()
WHERE id = $1 AND account_id = $2 AND kind = $3 AND status = 'failed'
RETURNING *;

-- name: acquire_lease
-- Atomic: only one worker can hold an unexpired lease. A dead worker's lease expires.
-- $5: the kinds this worker runs; a job of another kind is left as it is. With the row:
-- the steps an earlier run finished (where this run resumes), in the same round trip.
UPDATE migration_jobs SET
    status = 'running',
    lease_owner = $2,
    worker_id = $4,
    lease_expires_at = now() + make_interval(secs => $3),
    attempts = attempts + 1,
    started_at = coalesce(started_at, now()),
    parked_at = NULL,
    updated_at = now()
WHERE id = $1
  AND status IN ('pending', 'running')
  AND (lease_owner IS NULL OR lease_expires_at < now())
  AND kind = ANY($5::text[])
RETURNING *, ARRAY(SELECT step_number FROM migration_step_runs
                   WHERE job_id = $1 AND status = 'finished') AS finished_steps;

-- name: renew_lease
UPDATE migration_jobs SET lease_expires_at = now() + make_interval(secs => $3)
WHERE id = $1 AND lease_owner = $2
RETURNING cancel_requested_at IS NOT NULL AS cancel_requested;

-- name: holds_lease
SELECT 1 FROM migration_jobs WHERE id = $1 AND lease_owner = $2;

-- name: release_lease
UPDATE migration_jobs SET
    lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL, updated_at = now(),
    progress_detail = $3
WHERE id = $1 AND lease_owner = $2;

-- name: checkpoint_job
-- Progress, under the lease; takes the job row lock for the rest of the caller's
-- transaction, so a take-over waits until this checkpoint commits or rolls back.
UPDATE migration_jobs SET step = $3, step_number = $4, progress_detail = $5, updated_at = now()
WHERE id = $1 AND lease_owner = $2
RETURNING cancel_requested_at IS NOT NULL AS cancel_requested;

-- name: fail_job
UPDATE migration_jobs SET
    status = 'failed', error = $3, error_code = $4, progress_detail = $5,
    lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL, updated_at = now()
WHERE id = $1 AND lease_owner = $2
RETURNING id;

-- name: cancel_job_now
UPDATE migration_jobs SET
    status = 'cancelled', progress_detail = $3,
    lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL, updated_at = now()
WHERE id = $1 AND lease_owner = $2
RETURNING id;

-- name: complete_job
-- Under the lease and unless cancelled: in a kind whose last step finishes the job, the
-- last statement of that step's transaction (nothing updated: the caller rolls back).
UPDATE migration_jobs SET
    status = 'completed', step = 'Completed', step_number = total_steps, entity_id = $3,
    progress_detail = $4, completed_at = clock_timestamp(),
    lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL, updated_at = now()
WHERE id = $1 AND lease_owner = $2 AND cancel_requested_at IS NULL AND status = 'running'
RETURNING id;

-- name: jobs_to_sweep
-- Pending jobs (older than a moment, so as not to race their own enqueue; not parked for
-- the fair share: unpark_jobs puts those back), running jobs
-- whose lease was released (paused for a shutdown, or a lost connection) and running jobs
-- whose worker stopped renewing its lease (lease_expired).
SELECT id, status, coalesce(lease_expires_at < now(), false) AS lease_expired
FROM migration_jobs
WHERE (status = 'pending' AND parked_at IS NULL
       AND created_at < now() - make_interval(secs => $1))
   OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now()))
ORDER BY id
LIMIT $2;

-- name: jobs_to_clean_up
-- Completed or cancelled jobs whose kind's clean-up did not run (their worker died), ended
-- over $2 seconds ago: the finishing worker runs it itself right after, and a sweep in
-- between would run it a second time beside it.
SELECT id, kind FROM migration_jobs
WHERE cleaned_up_at IS NULL AND status IN ('completed', 'cancelled')
  AND updated_at < now() - make_interval(secs => $2)
ORDER BY id
LIMIT $1;

-- name: mark_cleaned_up
UPDATE migration_jobs SET cleaned_up_at = now() WHERE id = $1;
