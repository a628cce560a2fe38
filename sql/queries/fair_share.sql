-- Fair share of the fleet's job slots across accounts (migration 0017). Terms:
--   the cap: the share ($2, FAIR_SHARE) of the slots of the workers alive, at least 1;
--   an account's running jobs: those whose lease is held;
--   a starved account: one with pending jobs and fewer running jobs than the cap.
-- A job's first start waits (parks) when its account holds the cap while another
-- account is starved; parked jobs return to the queue as their account falls under it.

-- name: lock_account_leases
-- Leases of one account's jobs are decided one at a time (for the rest of the caller's
-- transaction), so two workers cannot both take the account's last slot.
SELECT pg_advisory_xact_lock(hashtextextended('fair-share:' || account_id, 0)), status
FROM migration_jobs WHERE id = $1;

-- name: over_fair_share
-- Whether the pending job $1 must wait for its account's share ($2: FAIR_SHARE).
WITH RECURSIVE me AS (
    SELECT account_id FROM migration_jobs WHERE id = $1
), cap AS (
    SELECT greatest(1, floor($2 * coalesce(sum(concurrency), 0)))::int AS n
    FROM workers WHERE status = 'alive'
), running AS (
    SELECT account_id, count(*) AS n FROM migration_jobs
    WHERE status = 'running' AND lease_owner IS NOT NULL AND lease_expires_at > now()
    GROUP BY account_id
), waiting(account_id) AS (
    (SELECT account_id FROM migration_jobs WHERE status = 'pending'
     ORDER BY account_id LIMIT 1)
    UNION ALL
    SELECT (SELECT m.account_id FROM migration_jobs m
            WHERE m.status = 'pending' AND m.account_id > w.account_id
            ORDER BY m.account_id LIMIT 1)
    FROM waiting w WHERE w.account_id IS NOT NULL
)
SELECT coalesce((SELECT r.n FROM running r, me WHERE r.account_id = me.account_id), 0)
           >= (SELECT n FROM cap)
       AND EXISTS (SELECT 1 FROM waiting w LEFT JOIN running r USING (account_id), me
                   WHERE w.account_id IS NOT NULL AND w.account_id <> me.account_id
                     AND coalesce(r.n, 0) < (SELECT n FROM cap)) AS must_wait;

-- name: park_job
UPDATE migration_jobs SET parked_at = now(), updated_at = now(),
    progress_detail = $2
WHERE id = $1 AND status = 'pending'
RETURNING id;

-- name: unpark_jobs
-- The parked jobs that may go back on the queue: all of an account's when no other
-- account is starved, else as many as its account is under the cap ($1: FAIR_SHARE).
-- A parked job asked to cancel is never parked (a pending job is cancelled at once).
WITH RECURSIVE cap AS (
    SELECT greatest(1, floor($1 * coalesce(sum(concurrency), 0)))::int AS n
    FROM workers WHERE status = 'alive'
), running AS (
    SELECT account_id, count(*) AS n FROM migration_jobs
    WHERE status = 'running' AND lease_owner IS NOT NULL AND lease_expires_at > now()
    GROUP BY account_id
), waiting(account_id) AS (
    (SELECT account_id FROM migration_jobs WHERE status = 'pending'
     ORDER BY account_id LIMIT 1)
    UNION ALL
    SELECT (SELECT m.account_id FROM migration_jobs m
            WHERE m.status = 'pending' AND m.account_id > w.account_id
            ORDER BY m.account_id LIMIT 1)
    FROM waiting w WHERE w.account_id IS NOT NULL
), starved AS (
    SELECT w.account_id FROM waiting w LEFT JOIN running r USING (account_id)
    WHERE w.account_id IS NOT NULL AND coalesce(r.n, 0) < (SELECT n FROM cap)
), parked AS (
    SELECT id, account_id,
           row_number() OVER (PARTITION BY account_id ORDER BY created_at, id) AS rank
    FROM migration_jobs WHERE parked_at IS NOT NULL AND status = 'pending'
)
UPDATE migration_jobs j SET parked_at = NULL, updated_at = now(), progress_detail = $2
FROM parked p LEFT JOIN running r USING (account_id)
WHERE j.id = p.id AND j.parked_at IS NOT NULL AND j.status = 'pending'
  AND (NOT EXISTS (SELECT 1 FROM starved s WHERE s.account_id <> p.account_id)
       OR p.rank <= (SELECT n FROM cap) - coalesce(r.n, 0))
RETURNING j.id;

-- name: parked_counts
-- Parked jobs per account, for operators.
SELECT account_id, count(*) AS n FROM migration_jobs
WHERE parked_at IS NOT NULL AND status = 'pending'
GROUP BY account_id ORDER BY account_id;
