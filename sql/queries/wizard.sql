-- The migration wizard: the account's VAT scheme, uploads, imports and their staged rows,
-- wizard migrations.

-- name: account_vat_scheme
SELECT vat_scheme FROM accounts WHERE id = $1;

-- name: set_account_vat_scheme
UPDATE accounts SET vat_scheme = $2 WHERE id = $1 RETURNING vat_scheme;

-- name: insert_upload
INSERT INTO uploads (id, account_id, filename, format, size_bytes, sha256, content)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: insert_import
INSERT INTO imports (id, account_id, type, upload_id, sheet, currency, cutover_date, job_id,
                     layout, date_order)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: insert_import_file
INSERT INTO import_files (import_id, position, upload_id, layout, sheet)
VALUES ($1, $2, $3, $4, $5);

-- name: import_files
SELECT f.position, f.layout, f.sheet, u.filename, u.format, u.content
FROM import_files f JOIN uploads u ON u.id = f.upload_id
WHERE f.import_id = $1
ORDER BY f.position;

-- name: save_import_reading
UPDATE imports SET blockers = $2, summary = $3, mapping = $4 WHERE id = $1;

-- name: get_imports
-- Imports with what their job says (status, progress, failure) and their files.
SELECT i.*, u.filename, u.sha256, u.format,
       j.status AS job_status, j.progress_detail, j.error AS job_error,
       j.error_code AS job_error_code, j.updated_at,
       (SELECT jsonb_agg(jsonb_build_object('filename', fu.filename, 'sha256', fu.sha256,
                                            'layout', f.layout, 'sheet', f.sheet,
                                            'sizeBytes', fu.size_bytes) ORDER BY f.position)
        FROM import_files f JOIN uploads fu ON fu.id = f.upload_id
        WHERE f.import_id = i.id) AS files
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
-- Beside what reading the rows found (save_import_reading): the whole import's checks.
UPDATE imports SET created_count = $2, skipped_count = $3, blockers = blockers || $4,
    summary = summary || $5
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
-- Contacts the account's target already has (by name, case and spaces aside). An equi-join
-- on the name, so that an account with many contacts is a hash join, not a comparison of
-- every staged row with every contact.
WITH held AS (
    SELECT DISTINCT lower(btrim(c.name)) AS name
    FROM target.customers c
    JOIN target.entities e ON e.id = c.entity_id
    JOIN migration_jobs j ON j.id = e.source_job_id
    WHERE j.account_id = $2
)
UPDATE staging.import_rows r SET skipped = 'already in the account'
FROM held
WHERE r.import_id = $1 AND r.skipped IS NULL
  AND lower(btrim(r.record ->> 'name')) = held.name;

-- name: skip_contacts_in_earlier_files
-- A contact of an import's later file (files are $2 row numbers apart) that an earlier file
-- has, by name (case and spaces aside): customer and vendor lists may both name a company.
UPDATE staging.import_rows r
SET skipped = 'duplicate of row ' || (e.first % $2) || ' of the import''s file '
              || (e.first / $2 + 1)
FROM (SELECT lower(regexp_replace(btrim(record ->> 'name'), '\s+', ' ', 'g')) AS name,
             min(row_number) AS first
      FROM staging.import_rows WHERE import_id = $1 AND skipped IS NULL GROUP BY 1) e
WHERE r.import_id = $1 AND r.skipped IS NULL
  AND lower(regexp_replace(btrim(r.record ->> 'name'), '\s+', ' ', 'g')) = e.name
  AND r.row_number / $2 > e.first / $2;

-- name: skip_documents_in_target
-- Invoices or bills ($3) the account's target already has, by their identity as
-- proof.document_identity makes it: the number; a bill's with its supplier; a credit
-- note's apart (a sales credit is the target's credit_note); or, for a bill written before
-- bills were told apart by supplier, the bare reference. Equi-joins on (type, number), so
-- that an account with many documents is a hash join, not every row against every document.
WITH staged AS (
    SELECT row_number,
           CASE WHEN credit AND $3 = 'invoice' THEN 'credit_note' ELSE $3 END AS document_type,
           CASE WHEN credit THEN 'credit ' ELSE '' END || number AS number,
           btrim(reference) AS reference
    FROM (SELECT row_number, record ->> 'reference' AS reference,
                 coalesce((record ->> 'credit_note')::boolean, false) AS credit,
                 CASE WHEN $3 = 'bill'
                      THEN lower(regexp_replace(btrim(record ->> 'contact'), '\s+', ' ', 'g'))
                           || ' / ' ELSE '' END || btrim(record ->> 'reference') AS number
          FROM staging.import_rows WHERE import_id = $1 AND skipped IS NULL) rows
), held AS (
    SELECT d.kind AS document_type, d.legacy_id
    FROM target.documents d
    JOIN target.entities e ON e.id = d.entity_id
    JOIN migration_jobs j ON j.id = e.source_job_id
    WHERE j.account_id = $2 AND d.kind IN ($3, 'credit_note')
), found AS (
    SELECT s.row_number FROM staged s
    JOIN held h ON h.document_type = s.document_type AND h.legacy_id = s.number
    UNION
    SELECT s.row_number FROM staged s
    JOIN held h ON h.document_type = s.document_type AND h.legacy_id = s.reference
)
UPDATE staging.import_rows r SET skipped = 'already in the account'
FROM found
WHERE r.import_id = $1 AND r.row_number = found.row_number;

-- name: import_row_counts
SELECT count(*) FILTER (WHERE skipped IS NULL) AS created,
       count(*) FILTER (WHERE skipped IS NOT NULL) AS skipped,
       (SELECT error_count FROM imports WHERE id = $1) AS errors
FROM staging.import_rows WHERE import_id = $1;

-- name: insert_wizard_migration
INSERT INTO wizard_migrations (id, account_id, provider, cutover_date, currency, date_order)
VALUES ($1, $2, $3, $4, $5, $6)
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

-- name: set_wizard_date_order
UPDATE wizard_migrations SET date_order = $2, updated_at = now() WHERE id = $1;

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

-- name: lock_account_uploads
-- Uploads of one account are checked against its quota one at a time (for the rest of the
-- caller's transaction), so two at once cannot both take its last bytes.
SELECT pg_advisory_xact_lock(hashtextextended('uploads:' || $1, 0));

-- name: upload_usage
-- An account's stored upload bytes (not those the retention purge dropped: migration
-- 0022), its files uploaded in the last $2 seconds and when the oldest of those was
-- uploaded (seconds ago).
SELECT coalesce(sum(size_bytes) FILTER (WHERE purged_at IS NULL), 0)::bigint AS bytes,
       count(*) FILTER (WHERE created_at > now() - make_interval(secs => $2)) AS recent,
       extract(epoch FROM now() - min(created_at) FILTER (
           WHERE created_at > now() - make_interval(secs => $2)))::float8 AS oldest_age
FROM uploads WHERE account_id = $1;
