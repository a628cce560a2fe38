-- The migration wizard: the account's VAT scheme, uploads, imports and their staged rows,
-- wizard migrations.

-- name: account_vat_scheme
SELECT vat_scheme FROM accounts WHERE id = $1;

-- name: set_account_vat_scheme
UPDATE accounts SET vat_scheme = $2 WHERE id = $1 RETURNING vat_scheme;

-- name: insert_upload
INSERT INTO uploads (id, account_id, filename, format, size_bytes, sha256, content)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: upload_content
SELECT id, filename, format, sha256, content FROM uploads WHERE id = $1;

-- name: insert_import
INSERT INTO imports (id, account_id, type, upload_id, sheet, currency, cutover_date, job_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: get_imports
-- Imports with what their job says (status, progress, failure) and their file.
SELECT i.*, u.filename, u.sha256, u.format,
       j.status AS job_status, j.progress_detail, j.error AS job_error,
       j.error_code AS job_error_code, j.updated_at
FROM imports i
JOIN uploads u ON u.id = i.upload_id
JOIN migration_jobs j ON j.id = i.job_id
WHERE i.id = ANY($1::text[]) AND i.account_id = $2;

-- name: import_of_job
SELECT i.*, u.filename FROM imports i JOIN uploads u ON u.id = i.upload_id
WHERE i.job_id = $1;

-- name: save_import_progress
UPDATE imports SET total_rows = $2, created_count = $3, skipped_count = $4,
    error_count = $5, errors = $6
WHERE id = $1;

-- name: finish_import
UPDATE imports SET created_count = $2, skipped_count = $3, blockers = $4, summary = $5
WHERE id = $1;

-- name: confirm_import
-- needs_review (its job completed) and nothing blocking: confirmed.
UPDATE imports i SET confirmed_at = now()
FROM migration_jobs j
WHERE i.id = $1 AND i.account_id = $2 AND j.id = i.job_id AND j.status = 'completed'
  AND i.confirmed_at IS NULL AND i.blockers = '[]'::jsonb
RETURNING i.id;

-- name: import_rows
SELECT row_number, skipped, record FROM staging.import_rows
WHERE import_id = $1 ORDER BY row_number;

-- name: skip_contacts_in_target
-- Contacts the account's target already has (by name, case and spaces aside).
UPDATE staging.import_rows r SET skipped = 'already in the account'
WHERE r.import_id = $1 AND r.skipped IS NULL AND EXISTS (
    SELECT 1 FROM target.customers c
    JOIN target.entities e ON e.id = c.entity_id
    JOIN migration_jobs j ON j.id = e.source_job_id
    WHERE j.account_id = $2
      AND lower(btrim(c.name)) = lower(btrim(r.record ->> 'name')));

-- name: skip_documents_in_target
-- Invoices or bills ($3) the account's target already has, by reference.
UPDATE staging.import_rows r SET skipped = 'already in the account'
WHERE r.import_id = $1 AND r.skipped IS NULL AND EXISTS (
    SELECT 1 FROM target.documents d
    JOIN target.entities e ON e.id = d.entity_id
    JOIN migration_jobs j ON j.id = e.source_job_id
    WHERE j.account_id = $2 AND d.kind = $3
      AND d.legacy_id = r.record ->> 'reference');

-- name: import_row_counts
SELECT count(*) FILTER (WHERE skipped IS NULL) AS created,
       count(*) FILTER (WHERE skipped IS NOT NULL) AS skipped,
       (SELECT error_count FROM imports WHERE id = $1) AS errors
FROM staging.import_rows WHERE import_id = $1;

-- name: insert_wizard_migration
INSERT INTO wizard_migrations (id, account_id, provider, cutover_date, currency)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: get_wizard_migration
SELECT m.*, j.status AS job_status, j.progress_detail AS job_progress
FROM wizard_migrations m LEFT JOIN migration_jobs j ON j.id = m.execute_job_id
WHERE m.id = $1 AND m.account_id = $2;

-- name: active_wizard_migration
SELECT m.*, j.status AS job_status, j.progress_detail AS job_progress
FROM wizard_migrations m LEFT JOIN migration_jobs j ON j.id = m.execute_job_id
WHERE m.account_id = $1 AND m.status NOT IN ('completed', 'abandoned');

-- name: wizard_migration_history
SELECT m.*, j.status AS job_status, j.progress_detail AS job_progress
FROM wizard_migrations m LEFT JOIN migration_jobs j ON j.id = m.execute_job_id
WHERE m.account_id = $1
ORDER BY m.created_at DESC, m.id DESC
LIMIT $2;

-- name: lock_wizard_migration
-- For an attach, an upload or a validate: the row, locked until the caller's transaction
-- ends, so that status changes are computed from what is really attached.
SELECT * FROM wizard_migrations WHERE id = $1 AND account_id = $2 FOR UPDATE;

-- name: save_wizard_attachments
UPDATE wizard_migrations SET
    contacts_import_id = $2, balances_import_id = $3, invoices_import_id = $4,
    bills_import_id = $5, provider_upload_id = $6, deferred_sheets = $7, status = $8,
    updated_at = now()
WHERE id = $1
RETURNING *;

-- name: set_wizard_status
UPDATE wizard_migrations SET status = $2, updated_at = now() WHERE id = $1 RETURNING *;

-- name: start_wizard_execute
UPDATE wizard_migrations SET status = 'executing', execute_job_id = $2, execute_error = NULL,
    updated_at = now()
WHERE id = $1 AND status = 'ready_to_execute'
RETURNING *;

-- name: wizard_migration_of_job
SELECT * FROM wizard_migrations WHERE execute_job_id = $1;

-- name: complete_wizard_migration
UPDATE wizard_migrations SET status = 'completed', entity_id = $2, reconciliation = $3,
    completed_at = clock_timestamp(), updated_at = now()
WHERE id = $1 AND status = 'executing'
RETURNING id;

-- name: wizard_execute_failed
-- The execute job failed: the migration may be executed again once the cause is fixed.
UPDATE wizard_migrations SET status = 'ready_to_execute', execute_error = $2,
    updated_at = now()
WHERE execute_job_id = $1 AND status = 'executing';

-- name: abandon_wizard_migration
UPDATE wizard_migrations SET status = 'abandoned', updated_at = now()
WHERE id = $1 AND account_id = $2
  AND status NOT IN ('completed', 'abandoned', 'executing')
RETURNING *;
