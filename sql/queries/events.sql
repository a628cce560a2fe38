-- Pushed progress: a job's events after one a client saw, the latest versions of the
-- objects a wizard migration is made of, and the pruning of old events.

-- name: legacy_job_events_after
-- The account's legacy migration job's events after $3, oldest first, each with the job's
-- fixed fields: what GET /legacy-migration/jobs/{id} answered at the time.
SELECT e.id AS event_id, j.id, j.created_at, l.legacy_org_id, l.environment,
       e.status, e.step, e.step_number, e.total_steps, e.progress_detail, e.error,
       e.entity_id, e.started_at, e.completed_at
FROM job_events e
JOIN migration_jobs j ON j.id = e.job_id
JOIN legacy_migration_jobs l ON l.job_id = j.id
WHERE e.job_id = $1 AND j.account_id = $2 AND e.id > $3
ORDER BY e.id
LIMIT $4;

-- name: latest_job_events
-- Each job's latest event ID (0 for a job with none yet).
SELECT coalesce(max(id), 0) FROM job_events WHERE job_id = ANY($1::text[]);

-- name: prune_job_events
-- Up to $2 events older than $1 seconds of jobs that finished over $1 seconds ago. A
-- stream of such a job starts from its row alone (event 0).
DELETE FROM job_events WHERE id IN (
    SELECT e.id FROM job_events e JOIN migration_jobs j ON j.id = e.job_id
    WHERE e.at < now() - make_interval(secs => $1)
      AND j.status IN ('completed', 'failed', 'cancelled')
      AND j.updated_at < now() - make_interval(secs => $1)
    LIMIT $2);
