-- Fair share of the workers' slots across accounts (security.md, "Tenants"). A pending job
-- picked while its account already holds its share of the fleet's slots, and another
-- account waits, is parked: it stays pending in Postgres but leaves the arq queue, and is
-- put back on it (parked_at cleared) when its account is under its share again.
ALTER TABLE migration_jobs ADD COLUMN parked_at timestamptz;

-- The accounts with pending jobs, read one index probe per account (a loose index scan).
CREATE INDEX migration_jobs_pending_by_account ON migration_jobs (account_id)
    WHERE status = 'pending';
-- The parked jobs, oldest first per account.
CREATE INDEX migration_jobs_parked ON migration_jobs (account_id, created_at, id)
    WHERE parked_at IS NOT NULL;
