-- Fair share of the fleet's job slots across accounts (migration 0017 defines the terms:
-- fair_share_slots, fair_share_cap, fair_share_running, fair_share_starved). A job's first
-- start waits (parks) when its account holds the cap while another account is starved;
-- parked jobs return to the queue as slots free up for them.

-- name: lock_account_leases
-- Leases of one account's jobs are decided one at a time (for the rest of the caller's
-- transaction), so two workers cannot both take the account's last slot.
SELECT pg_advisory_xact_lock(hashtextextended('fair-share:' || account_id, 0)), status
FROM migration_jobs WHERE id = $1;

-- name: over_fair_share
-- Whether the pending job $1 must wait for its account's share ($2: FAIR_SHARE).
WITH me AS (
    SELECT account_id FROM migration_jobs WHERE id = $1
), cap AS (
    SELECT fair_share_cap($2::float8) AS n
)
SELECT coalesce((SELECT r.n FROM fair_share_running r, me WHERE r.account_id = me.account_id),
                0) >= (SELECT n FROM cap)
       AND EXISTS (SELECT 1 FROM fair_share_starved((SELECT n FROM cap)) AS s(account_id), me
                   WHERE s.account_id <> me.account_id) AS must_wait;

-- name: park_job
UPDATE migration_jobs SET parked_at = now(), updated_at = now(), progress_detail = $2
WHERE id = $1 AND status = 'pending'
RETURNING id;

-- name: unpark_jobs
-- The parked jobs that may go back on the queue ($1: FAIR_SHARE), oldest first: per
-- account, as many as it is under the cap while another account is starved, else as many
-- slots as are free; less the account's jobs already queued, which take those slots first.
-- A job parked under a second ago is left: its worker may not have let arq forget it yet,
-- and arq would refuse to queue it again under the same ID.
WITH cap AS (
    SELECT fair_share_cap($1::float8) AS n, fair_share_slots() AS slots,
           (SELECT coalesce(sum(n), 0) FROM fair_share_running) AS busy
), starved AS (
    SELECT account_id FROM fair_share_starved((SELECT n FROM cap)) AS s(account_id)
), parked AS (
    SELECT id, account_id,
           row_number() OVER (PARTITION BY account_id ORDER BY created_at, id) AS rank
    FROM migration_jobs
    WHERE parked_at IS NOT NULL AND status = 'pending'
      AND parked_at < now() - interval '1 second'
), allowance AS (
    SELECT a.account_id,
           CASE WHEN EXISTS (SELECT 1 FROM starved s WHERE s.account_id <> a.account_id)
                THEN (SELECT n FROM cap) - coalesce(r.n, 0)
                ELSE (SELECT slots - busy FROM cap) END
           - (SELECT count(*) FROM migration_jobs q
              WHERE q.account_id = a.account_id AND q.status = 'pending'
                AND q.parked_at IS NULL) AS n
    FROM (SELECT DISTINCT account_id FROM parked) AS a
    LEFT JOIN fair_share_running r USING (account_id)
)
UPDATE migration_jobs j SET parked_at = NULL, updated_at = now(), progress_detail = $2
FROM parked p JOIN allowance a USING (account_id)
WHERE j.id = p.id AND j.parked_at IS NOT NULL AND j.status = 'pending' AND p.rank <= a.n
RETURNING j.id;

