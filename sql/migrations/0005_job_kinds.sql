-- Jobs of several kinds, and the registry of live workers.
--
-- migration_jobs keeps what every job has (status, step, lease, outcome); what only one
-- kind needs moves to that kind's own table, keyed by the job. Existing rows are legacy
-- migrations and migrate in place.

ALTER TABLE migration_jobs ADD COLUMN kind text;
UPDATE migration_jobs SET kind = 'legacy_migration';
ALTER TABLE migration_jobs ALTER COLUMN kind SET NOT NULL;

-- The legacy migration's own fields.
CREATE TABLE legacy_migration_jobs (
    job_id                    text PRIMARY KEY REFERENCES migration_jobs (id) ON DELETE CASCADE,
    legacy_org_id             text NOT NULL,
    legacy_user_id            text NOT NULL,
    environment               text NOT NULL CHECK (environment IN ('live', 'sandbox')),
    confirm_unsupported_data  boolean NOT NULL DEFAULT false,
    -- The legacy access token, encrypted with the service's SECRET_KEY (never in clear),
    -- so that a job outlives a Redis flush; wiped when the job completes or is cancelled.
    legacy_token_sealed       bytea
);
INSERT INTO legacy_migration_jobs (job_id, legacy_org_id, legacy_user_id, environment,
                                   confirm_unsupported_data, legacy_token_sealed)
SELECT id, legacy_org_id, legacy_user_id, environment, confirm_unsupported_data,
       legacy_token_sealed
FROM migration_jobs;
CREATE INDEX legacy_migration_jobs_by_org ON legacy_migration_jobs (legacy_org_id, environment);

-- "One active job per X", whatever the kind's X is (the legacy migration's: the legacy
-- organisation, whatever the environment). Two racing creates meet here; one wins.
ALTER TABLE migration_jobs ADD COLUMN singleton_key text;
UPDATE migration_jobs SET singleton_key = legacy_org_id;
DROP INDEX migration_jobs_one_active_per_org;
CREATE UNIQUE INDEX migration_jobs_one_active_per_key ON migration_jobs (kind, singleton_key)
    WHERE status IN ('pending', 'running') AND singleton_key IS NOT NULL;

DROP INDEX migration_jobs_by_org_done;
ALTER TABLE migration_jobs
    DROP COLUMN legacy_org_id,
    DROP COLUMN legacy_user_id,
    DROP COLUMN environment,
    DROP COLUMN confirm_unsupported_data,
    DROP COLUMN legacy_token_sealed;

-- Listing one kind's jobs of one account, newest first.
DROP INDEX migration_jobs_by_account;
CREATE INDEX migration_jobs_by_account ON migration_jobs (account_id, kind, id DESC);

-- Step numbers are the kind's: 1..total_steps, which the enqueue layer sets from the kind.
ALTER TABLE migration_jobs DROP CONSTRAINT migration_jobs_step_number_check;
ALTER TABLE migration_jobs ALTER COLUMN total_steps DROP DEFAULT;
ALTER TABLE migration_jobs ADD CONSTRAINT migration_jobs_step_number_check
    CHECK (total_steps >= 1 AND step_number BETWEEN 0 AND total_steps);
ALTER TABLE migration_step_runs DROP CONSTRAINT migration_step_runs_step_number_check;
ALTER TABLE migration_step_runs ADD CONSTRAINT migration_step_runs_step_number_check
    CHECK (step_number >= 1);

-- What the kind cleans up when a job completes or is cancelled (the legacy migration: its
-- staging and its sealed token). The sweep finishes what a worker that died left undone.
ALTER TABLE migration_jobs RENAME COLUMN staging_cleared_at TO cleaned_up_at;
DROP INDEX migration_jobs_staging_to_clear;
CREATE INDEX migration_jobs_cleanup_pending ON migration_jobs (id)
    WHERE cleaned_up_at IS NULL AND status IN ('completed', 'cancelled');

-- The registry of worker processes. A worker registers when it starts, says it is alive
-- every few seconds and deregisters when it stops gracefully; one that falls silent is
-- marked dead by the others, who free its leases at once.
CREATE TABLE workers (
    id            text PRIMARY KEY,
    host          text NOT NULL,
    pid           integer NOT NULL,
    version       text NOT NULL,
    concurrency   integer NOT NULL,
    status        text NOT NULL DEFAULT 'alive' CHECK (status IN ('alive', 'stopped', 'dead')),
    running       integer NOT NULL DEFAULT 0,
    started_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz
);
CREATE INDEX workers_alive ON workers (last_seen_at) WHERE status = 'alive';

-- The registered worker holding the job's lease (NULL when none does).
ALTER TABLE migration_jobs ADD COLUMN worker_id text;
CREATE INDEX migration_jobs_by_worker ON migration_jobs (worker_id) WHERE worker_id IS NOT NULL;
