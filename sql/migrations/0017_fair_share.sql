-- Fair share of the workers' slots across accounts (security.md, "Tenants"). A pending job
-- picked while its account already holds its share of the fleet's slots, and another
-- account is starved, is parked: it stays pending in Postgres but leaves the arq queue, and
-- is put back on it (parked_at cleared) when its account is under its share again.
ALTER TABLE migration_jobs ADD COLUMN parked_at timestamptz;

-- The accounts with pending jobs, read one index probe per account (a loose index scan).
CREATE INDEX migration_jobs_pending_by_account ON migration_jobs (account_id)
    WHERE status = 'pending';
-- The parked jobs, oldest first per account.
CREATE INDEX migration_jobs_parked ON migration_jobs (account_id, created_at, id)
    WHERE parked_at IS NOT NULL;

-- The job slots of the workers alive (their WORKER_CONCURRENCY).
CREATE FUNCTION fair_share_slots() RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(concurrency), 0)::integer FROM workers WHERE status = 'alive'
$$;

-- One account's share of those slots: at least one.
CREATE FUNCTION fair_share_cap(share float8) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT greatest(1, floor(share * fair_share_slots()))::integer
$$;

-- An account's running jobs: those whose lease is held.
CREATE VIEW fair_share_running AS
    SELECT account_id, count(*)::integer AS n FROM migration_jobs
    WHERE status = 'running' AND lease_owner IS NOT NULL AND lease_expires_at > now()
    GROUP BY account_id;

-- The starved accounts: with pending jobs and fewer running than `cap`.
CREATE FUNCTION fair_share_starved(cap integer) RETURNS SETOF text LANGUAGE sql STABLE AS $$
    WITH RECURSIVE waiting(account_id) AS (
        (SELECT account_id FROM migration_jobs WHERE status = 'pending'
         ORDER BY account_id LIMIT 1)
        UNION ALL
        SELECT (SELECT m.account_id FROM migration_jobs m
                WHERE m.status = 'pending' AND m.account_id > w.account_id
                ORDER BY m.account_id LIMIT 1)
        FROM waiting w WHERE w.account_id IS NOT NULL
    )
    SELECT w.account_id FROM waiting w LEFT JOIN fair_share_running r USING (account_id)
    WHERE w.account_id IS NOT NULL AND coalesce(r.n, 0) < cap
$$;
