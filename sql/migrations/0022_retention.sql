-- Retention (issue 20, spec/security.md "Retention"): the sweep's purge
-- (worker/process/retention.py, its queries in sql/queries/retention.sql) drops uploaded
-- files' bytes, the staging of failed and cancelled jobs, finished jobs nothing points at,
-- and old audit entries, in small batches. What it needs: the marks of what it did, and
-- indexes that find what is due without reading the whole history on every sweep.

-- An uploaded file's bytes go; its row stays (name, size, SHA-256: imports, migrations and
-- their proofs still name the file, and the audit log's upload.stored entries still match).
ALTER TABLE uploads ALTER COLUMN content DROP NOT NULL;
ALTER TABLE uploads ADD COLUMN purged_at timestamptz;
ALTER TABLE uploads ADD CONSTRAINT uploads_content_or_purged
    CHECK ((content IS NULL) = (purged_at IS NOT NULL));
CREATE INDEX uploads_to_purge ON uploads (created_at, id) WHERE purged_at IS NULL;
-- which imports read a file, and which migration uses it directly or through its imports
CREATE INDEX import_files_by_upload ON import_files (upload_id);
CREATE INDEX wizard_migrations_by_provider_upload ON wizard_migrations (provider_upload_id)
    WHERE provider_upload_id IS NOT NULL;
CREATE INDEX wizard_migrations_by_contacts ON wizard_migrations (contacts_import_id)
    WHERE contacts_import_id IS NOT NULL;
CREATE INDEX wizard_migrations_by_balances ON wizard_migrations (balances_import_id)
    WHERE balances_import_id IS NOT NULL;
CREATE INDEX wizard_migrations_by_invoices ON wizard_migrations (invoices_import_id)
    WHERE invoices_import_id IS NOT NULL;
CREATE INDEX wizard_migrations_by_bills ON wizard_migrations (bills_import_id)
    WHERE bills_import_id IS NOT NULL;
-- a migration's execute job: without it, deleting a job checks the foreign key
-- wizard_migrations.execute_job_id by reading every migration
CREATE INDEX wizard_migrations_by_execute_job ON wizard_migrations (execute_job_id)
    WHERE execute_job_id IS NOT NULL;

-- When a failed or cancelled job's staging was cleared (a job retried and failed again
-- after it is due again: its updated_at is then later).
ALTER TABLE migration_jobs ADD COLUMN staging_purged_at timestamptz;
CREATE INDEX migration_jobs_staging_to_purge ON migration_jobs (updated_at, id)
    WHERE status IN ('failed', 'cancelled')
      AND (staging_purged_at IS NULL OR staging_purged_at < updated_at);

-- A finished job that something will always point at, found by the purge and kept for
-- good: an import's job (imports.job_id: the import's status is its job's), or the job
-- that created a target entity (target.entities.source_job_id: the legacy "already
-- migrated" check and the wizard's duplicate checks read the job's account and status
-- through it). Marked once, so that the purge does not read them again on every sweep; a
-- job that created an entity (entity_id) is never even read.
ALTER TABLE migration_jobs ADD COLUMN kept_by text
    CHECK (kept_by IN ('import', 'target_entity'));
CREATE INDEX migration_jobs_to_purge ON migration_jobs (updated_at, id)
    WHERE status IN ('completed', 'failed', 'cancelled') AND kept_by IS NULL
      AND entity_id IS NULL;
-- A kept job retried and failed again, its staging due after its job's retention (none,
-- usually).
CREATE INDEX migration_jobs_kept_staging_to_purge ON migration_jobs (updated_at, id)
    WHERE kept_by IS NOT NULL AND status IN ('failed', 'cancelled')
      AND (staging_purged_at IS NULL OR staging_purged_at < updated_at);
