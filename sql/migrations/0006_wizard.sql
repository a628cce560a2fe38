-- The migration wizard (seed 001, wizard-api.md): uploaded files, imports of their rows,
-- migrations that attach imports and execute them into the target, and the ledger's own
-- guarantee that every journal entry balances.

-- The account's VAT scheme: a cash-accounting account cannot be migrated.
ALTER TABLE accounts ADD COLUMN vat_scheme text NOT NULL DEFAULT 'standard'
    CHECK (vat_scheme IN ('standard', 'flat_rate', 'cash', 'none'));

-- Jobs of the wizard's kinds have `job_` IDs; legacy migrations keep their `mig_` ones.
ALTER TABLE migration_jobs DROP CONSTRAINT migration_jobs_id_check;
ALTER TABLE migration_jobs ADD CONSTRAINT migration_jobs_id_check
    CHECK (id ~ '^(mig|job)_[0-9a-f]{24}$');

-- Files as uploaded, kept in Postgres so that a worker on any host can read them.
CREATE TABLE uploads (
    id          text PRIMARY KEY CHECK (id ~ '^upl_[0-9a-f]{24}$'),
    account_id  text NOT NULL REFERENCES accounts (id),
    filename    text NOT NULL,
    format      text NOT NULL CHECK (format IN ('xlsx', 'csv')),
    size_bytes  integer NOT NULL CHECK (size_bytes >= 0),
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content     bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One import of one sheet (or CSV file) into staged records. Its status comes from its
-- job (queued, processing, needs_review once the job completed, failed) until it is
-- confirmed.
CREATE TABLE imports (
    id             text PRIMARY KEY CHECK (id ~ '^dimp_[0-9a-f]{24}$'),
    account_id     text NOT NULL REFERENCES accounts (id),
    type           text NOT NULL CHECK (type IN ('contacts', 'balances', 'invoices', 'bills')),
    upload_id      text NOT NULL REFERENCES uploads (id),
    sheet          text,  -- the workbook's sheet read; NULL for a CSV file
    currency       text NOT NULL,
    cutover_date   date,  -- invoices and bills dated after it are row errors
    job_id         text NOT NULL UNIQUE REFERENCES migration_jobs (id),
    total_rows     integer NOT NULL DEFAULT 0,
    created_count  integer NOT NULL DEFAULT 0,
    skipped_count  integer NOT NULL DEFAULT 0,
    error_count    integer NOT NULL DEFAULT 0,
    -- the first 100 row errors: [{sheet, row, column, message}]
    errors         jsonb NOT NULL DEFAULT '[]'::jsonb,
    -- what stops the import being confirmed (a trial balance that does not balance, ...)
    blockers       jsonb NOT NULL DEFAULT '[]'::jsonb,
    -- what the import noticed beside its rows (the rounding line of a trial balance, ...)
    summary        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    confirmed_at   timestamptz,
    CHECK (created_count + skipped_count + error_count <= total_rows)
);
CREATE INDEX imports_by_account ON imports (account_id, id DESC);

-- The records an import read, one per data row without errors, keyed by the row number
-- so that a parse resumed after a crash can never stage a row twice.
CREATE TABLE staging.import_rows (
    import_id   text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    row_number  integer NOT NULL,
    -- why this row will not be created (a duplicate); NULL when it will be
    skipped     text,
    record      jsonb NOT NULL,
    PRIMARY KEY (import_id, row_number)
);

CREATE TABLE wizard_migrations (
    id                  text PRIMARY KEY CHECK (id ~ '^mig_[0-9a-f]{24}$'),
    account_id          text NOT NULL REFERENCES accounts (id),
    provider            text NOT NULL CHECK (provider IN ('freeagent', 'xero', 'quickbooks', 'other')),
    cutover_date        date NOT NULL,
    currency            text NOT NULL DEFAULT 'GBP',
    status              text NOT NULL DEFAULT 'setup'
                        CHECK (status IN ('setup', 'files_attached', 'preview_ready',
                                          'ready_to_execute', 'executing', 'completed',
                                          'abandoned')),
    contacts_import_id  text REFERENCES imports (id),
    balances_import_id  text REFERENCES imports (id),
    invoices_import_id  text REFERENCES imports (id),
    bills_import_id     text REFERENCES imports (id),
    -- the provider workbook, and its invoice and bill sheets not yet imported (deferred
    -- until the opening balances are confirmed): {"invoices": "<sheet>", "bills": "<sheet>"}
    provider_upload_id  text REFERENCES uploads (id),
    deferred_sheets     jsonb NOT NULL DEFAULT '{}'::jsonb,
    execute_job_id      text REFERENCES migration_jobs (id),
    -- the last execute's failure, shown until the next execute: {code, message}
    execute_error       jsonb,
    entity_id           text,
    reconciliation      jsonb,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    completed_at        timestamptz,
    CHECK ((status = 'completed') = (reconciliation IS NOT NULL AND entity_id IS NOT NULL))
);
-- One active migration per account; two racing creates meet here and one wins.
CREATE UNIQUE INDEX wizard_migrations_one_active_per_account ON wizard_migrations (account_id)
    WHERE status NOT IN ('completed', 'abandoned');
CREATE INDEX wizard_migrations_history ON wizard_migrations (account_id, created_at DESC, id DESC);

-- The target entity a wizard migration created (one at most).
ALTER TABLE target.entities ADD COLUMN source_migration_id text UNIQUE;

-- Every journal entry balances, checked when its transaction commits (a deferred
-- constraint trigger sees all of the entry's lines, whatever order they were written in).
CREATE FUNCTION target.journal_entry_balances() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    entry bigint := coalesce(NEW.entry_id, OLD.entry_id);
    difference bigint;
BEGIN
    SELECT coalesce(sum(debit_minor) - sum(credit_minor), 0) INTO difference
    FROM target.journal_lines WHERE entry_id = entry;
    IF difference <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits - credits = %', entry, difference
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER journal_entry_balances
    AFTER INSERT OR UPDATE OR DELETE ON target.journal_lines
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION target.journal_entry_balances();

CREATE INDEX journal_lines_by_entry ON target.journal_lines (entry_id);
