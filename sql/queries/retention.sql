-- Retention (migration 0022; worker/process/retention.py): what is due and its removal, in
-- batches. Every batch's rows are taken with FOR UPDATE SKIP LOCKED, so that two sweeps at
-- once take different rows and neither waits for the other; $1 is always the cutoff (what
-- ended before it is due) and $2 the batch's size.

-- name: retention_batch_begins
-- First in each batch's transaction: the due queries' estimates (a subquery per row of a
-- large table) are far above jit_above_cost, and compiling them took a second, for a batch
-- that runs in a tenth of that.
SET LOCAL jit = off;

-- name: retention_purge_uploads
-- The bytes of at most $2 files (and $3 bytes, the first file whatever its size) whose
-- retention is over: no import reading them is waiting or running, and every migration
-- using them (as its provider upload, or through an import it has attached) completed or
-- was abandoned before $1; a file no migration uses is due $1 after its upload. The row,
-- its name, size and SHA-256 stay.
WITH due AS (
    SELECT u.id, u.size_bytes, u.created_at
    FROM uploads u
    WHERE u.purged_at IS NULL AND u.created_at < $1
      -- (scalar subqueries: probed by index per file read, never a hash of a whole table)
      AND (SELECT 1 FROM import_files f
           JOIN imports i ON i.id = f.import_id
           JOIN migration_jobs j ON j.id = i.job_id
           WHERE f.upload_id = u.id AND j.status IN ('pending', 'running') LIMIT 1) IS NULL
      AND (SELECT 1 FROM wizard_migrations m
           WHERE m.provider_upload_id = u.id
             AND (m.status NOT IN ('completed', 'abandoned')
                  OR coalesce(m.completed_at, m.updated_at) >= $1) LIMIT 1) IS NULL
      AND (SELECT 1 FROM import_files f
           JOIN wizard_migrations m
             ON m.contacts_import_id = f.import_id OR m.balances_import_id = f.import_id
                OR m.invoices_import_id = f.import_id OR m.bills_import_id = f.import_id
           WHERE f.upload_id = u.id
             AND (m.status NOT IN ('completed', 'abandoned')
                  OR coalesce(m.completed_at, m.updated_at) >= $1) LIMIT 1) IS NULL
    ORDER BY u.created_at, u.id
    LIMIT $2
    -- a row locked elsewhere is skipped: another sweep's, or a new import of the file
    -- being inserted (its foreign key check holds a lock on the upload)
    FOR UPDATE OF u SKIP LOCKED
), taken AS (
    SELECT id FROM (
        SELECT id, sum(size_bytes) OVER (ORDER BY created_at, id) - size_bytes AS before
        FROM due) d
    WHERE before < $3
)
UPDATE uploads u SET content = NULL, purged_at = now()
FROM taken WHERE u.id = taken.id
RETURNING u.id, u.size_bytes;

-- name: retention_staging_due
-- Failed and cancelled jobs that ended before $1 and whose staging was not cleared since,
-- oldest first, at most $2, locked for the batch (a retry of one waits for it). Only those
-- not yet due for deletion (ended at or after $3, the jobs' cutoff, when there is one): the
-- jobs part clears the staging of the jobs it removes, in its own batches. And the kept
-- jobs (an import's: never deleted) whatever their age, should one be retried and fail.
WITH recent AS (
    SELECT id, status FROM migration_jobs
    WHERE status IN ('failed', 'cancelled')
      AND (staging_purged_at IS NULL OR staging_purged_at < updated_at)
      AND updated_at < $1 AND updated_at >= coalesce($3, '-infinity'::timestamptz)
    ORDER BY updated_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
), kept AS (
    SELECT id, status FROM migration_jobs
    WHERE kept_by IS NOT NULL AND status IN ('failed', 'cancelled')
      AND (staging_purged_at IS NULL OR staging_purged_at < updated_at)
      AND updated_at < $3
    ORDER BY updated_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
SELECT id, status FROM recent
UNION ALL
SELECT id, status FROM kept
LIMIT $2;

-- name: retention_clear_staging
-- At most $2 rows of each staging table of the jobs $1 (by row address: a bounded DELETE
-- whatever a job staged), with how many went from each. Every table of the staging schema
-- is named here (tests/integration/test_retention.py checks it against the schema); an
-- import's rows are its job's.
WITH
organizations AS (DELETE FROM staging.organizations WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.organizations WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
taxes AS (DELETE FROM staging.taxes WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.taxes WHERE job_id = ANY ($1::text[]) LIMIT $2)) RETURNING 1),
tax_rates AS (DELETE FROM staging.tax_rates WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.tax_rates WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
customers AS (DELETE FROM staging.customers WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.customers WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
items AS (DELETE FROM staging.items WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.items WHERE job_id = ANY ($1::text[]) LIMIT $2)) RETURNING 1),
documents AS (DELETE FROM staging.documents WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.documents WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
document_lines AS (DELETE FROM staging.document_lines WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.document_lines WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
payments AS (DELETE FROM staging.payments WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.payments WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
skipped AS (DELETE FROM staging.skipped WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.skipped WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
source_pages AS (DELETE FROM staging.source_pages WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.source_pages WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
source_counts AS (DELETE FROM staging.source_counts WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM staging.source_counts WHERE job_id = ANY ($1::text[]) LIMIT $2))
    RETURNING 1),
import_rows AS (DELETE FROM staging.import_rows WHERE ctid = ANY (ARRAY(
    SELECT r.ctid FROM staging.import_rows r JOIN imports i ON i.id = r.import_id
    WHERE i.job_id = ANY ($1::text[]) LIMIT $2)) RETURNING 1)
SELECT (SELECT count(*) FROM organizations) AS organizations,
       (SELECT count(*) FROM taxes) AS taxes,
       (SELECT count(*) FROM tax_rates) AS tax_rates,
       (SELECT count(*) FROM customers) AS customers,
       (SELECT count(*) FROM items) AS items,
       (SELECT count(*) FROM documents) AS documents,
       (SELECT count(*) FROM document_lines) AS document_lines,
       (SELECT count(*) FROM payments) AS payments,
       (SELECT count(*) FROM skipped) AS skipped,
       (SELECT count(*) FROM source_pages) AS source_pages,
       (SELECT count(*) FROM source_counts) AS source_counts,
       (SELECT count(*) FROM import_rows) AS import_rows;

-- name: retention_staging_cleared
UPDATE migration_jobs SET staging_purged_at = now() WHERE id = ANY ($1::text[]);

-- name: retention_forget_steps
-- A failed job's step runs, once its staging goes: a retry then starts again at step 1
-- (re-staging is idempotent) instead of resuming after steps whose rows are gone.
DELETE FROM migration_step_runs WHERE job_id = ANY ($1::text[]);

-- name: retention_jobs_due
-- Finished jobs that ended before $1 with their kind's clean-up done (a failed one has
-- none), oldest first, at most $2, locked for the batch. `kept_by` names what points at one
-- for good (an import, a target entity): those are kept, and marked so as not to be read
-- again. The execute job a migration names is kept while it does (a later execute replaces
-- it), unmarked. `staged`: a failed or cancelled job whose staging was not cleared since.
-- (Scalar subqueries, not EXISTS: each probed by index for the rows read, where an EXISTS
-- under OR may be planned as a hash of the whole table, every entity ever, every batch.)
SELECT j.id, j.status,
       coalesce((SELECT 'import' FROM imports i WHERE i.job_id = j.id LIMIT 1),
                (SELECT 'target_entity' FROM target.entities e
                 WHERE e.source_job_id = j.id LIMIT 1)) AS kept_by,
       j.status IN ('failed', 'cancelled')
           AND (j.staging_purged_at IS NULL OR j.staging_purged_at < j.updated_at) AS staged
FROM migration_jobs j
WHERE j.status IN ('completed', 'failed', 'cancelled') AND j.kept_by IS NULL
  AND j.entity_id IS NULL
  AND j.updated_at < $1
  AND (j.status = 'failed' OR j.cleaned_up_at IS NOT NULL)
  AND ((SELECT 1 FROM wizard_migrations m WHERE m.execute_job_id = j.id LIMIT 1) IS NULL
       OR (SELECT 1 FROM imports i WHERE i.job_id = j.id LIMIT 1) IS NOT NULL
       OR (SELECT 1 FROM target.entities e WHERE e.source_job_id = j.id LIMIT 1) IS NOT NULL)
ORDER BY j.updated_at, j.id
LIMIT $2
FOR UPDATE OF j SKIP LOCKED;

-- name: retention_keep_jobs
-- The jobs kept for good ($1, what points at each $2), their staging cleared when $3.
UPDATE migration_jobs j SET kept_by = k.kept_by,
    staging_purged_at = CASE WHEN k.staged THEN now() ELSE j.staging_purged_at END
FROM unnest($1::text[], $2::text[], $3::boolean[]) AS k(id, kept_by, staged)
WHERE j.id = k.id;

-- name: retention_delete_jobs
-- Their kind's row and events go with them (ON DELETE CASCADE); the caller cleared their
-- staging and deleted their step runs first, to count them.
DELETE FROM migration_jobs
WHERE id = ANY ($1::text[]) AND status IN ('completed', 'failed', 'cancelled');

-- name: retention_lock_audit
-- One sweep at a time purges the audit log (audit_log_purge takes no SKIP LOCKED): the
-- others skip it for this pass instead of waiting.
SELECT pg_try_advisory_xact_lock(hashtextextended('retention:audit_log', 0));

-- name: retention_purge_audit
-- Through the audit log's own path (migration 0021): entries before $1, at most $2.
SELECT audit_log_purge($1, $2);
