-- The service's own records: who may call it, and the migration jobs with their steps.

CREATE TABLE accounts (
    id          text PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- API keys are stored as SHA-256 digests only; a key is high-entropy, so a fast
-- digest is enough and lets every request be authenticated with one index lookup.
CREATE TABLE api_keys (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_digest  bytea NOT NULL UNIQUE,
    key_prefix  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE api_key_accounts (
    api_key_id  bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    account_id  text NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (api_key_id, account_id)
);

CREATE TABLE migration_jobs (
    id                        text PRIMARY KEY CHECK (id ~ '^mig_[0-9a-f]{24}$'),
    account_id                text NOT NULL REFERENCES accounts (id),
    legacy_org_id             text NOT NULL,
    legacy_user_id            text NOT NULL,
    environment               text NOT NULL CHECK (environment IN ('live', 'sandbox')),
    confirm_unsupported_data  boolean NOT NULL DEFAULT false,
    status                    text NOT NULL DEFAULT 'pending'
                              CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    step                      text,
    step_number               integer NOT NULL DEFAULT 0 CHECK (step_number BETWEEN 0 AND 8),
    total_steps               integer NOT NULL DEFAULT 8,
    progress_detail           text,
    error                     text,
    error_code                text,
    entity_id                 text,
    -- The legacy access token, encrypted with the service's SECRET_KEY (never in clear),
    -- so that a job outlives a Redis flush; wiped when the job ends.
    legacy_token_sealed       bytea,
    cancel_requested_at       timestamptz,
    lease_owner               text,
    lease_expires_at          timestamptz,
    attempts                  integer NOT NULL DEFAULT 0,
    created_at                timestamptz NOT NULL DEFAULT now(),
    started_at                timestamptz,
    completed_at              timestamptz,
    updated_at                timestamptz NOT NULL DEFAULT now()
);

-- One active job per legacy organisation, whatever the environment; two racing creates
-- meet here and exactly one wins.
CREATE UNIQUE INDEX migration_jobs_one_active_per_org
    ON migration_jobs (legacy_org_id) WHERE status IN ('pending', 'running');

CREATE INDEX migration_jobs_by_account ON migration_jobs (account_id, id DESC);
CREATE INDEX migration_jobs_by_org_done ON migration_jobs (legacy_org_id, environment)
    WHERE status = 'completed';
CREATE INDEX migration_jobs_unfinished ON migration_jobs (status, lease_expires_at)
    WHERE status IN ('pending', 'running');

-- One row per (job, step): its outcome, counts and where a resumed run picks up.
CREATE TABLE migration_step_runs (
    job_id         text NOT NULL REFERENCES migration_jobs (id) ON DELETE CASCADE,
    step_number    integer NOT NULL CHECK (step_number BETWEEN 1 AND 8),
    status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'failed')),
    attempts       integer NOT NULL DEFAULT 1,
    retries        integer NOT NULL DEFAULT 0,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    source_count   bigint NOT NULL DEFAULT 0,
    created_count  bigint NOT NULL DEFAULT 0,
    skipped_count  bigint NOT NULL DEFAULT 0,
    error_count    bigint NOT NULL DEFAULT 0,
    -- how many source records are already staged: a resumed step fetches from here
    cursor         bigint NOT NULL DEFAULT 0,
    -- per-currency sums of what the source sent, in minor units: {"EUR": 12345}
    source_totals  jsonb NOT NULL DEFAULT '{}'::jsonb,
    checks         jsonb,
    PRIMARY KEY (job_id, step_number)
);
