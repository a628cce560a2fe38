-- Staging is a job's scratch area: written only under the job's lease, read by its own
-- steps, cleared by job (clear_staging) and never reached through a parent's delete (jobs
-- and imports are never deleted). Its foreign keys only cost a check per staged row, a third
-- of a documents page's COPY (bench/README.md, issue 10). What they guarded stays guarded:
-- every row is keyed by its job or import, and the commit's count check refuses a line or
-- payment whose document was not staged (it would not be written: COMMIT_MISMATCH).
ALTER TABLE staging.taxes          DROP CONSTRAINT taxes_job_id_fkey;
ALTER TABLE staging.tax_rates      DROP CONSTRAINT tax_rates_job_id_tax_legacy_id_fkey;
ALTER TABLE staging.customers      DROP CONSTRAINT customers_job_id_fkey;
ALTER TABLE staging.items          DROP CONSTRAINT items_job_id_fkey;
ALTER TABLE staging.documents      DROP CONSTRAINT documents_job_id_fkey;
ALTER TABLE staging.document_lines DROP CONSTRAINT document_lines_job_id_document_legacy_id_fkey;
ALTER TABLE staging.payments       DROP CONSTRAINT payments_job_id_fkey;
ALTER TABLE staging.skipped        DROP CONSTRAINT skipped_job_id_fkey;
ALTER TABLE staging.import_rows    DROP CONSTRAINT import_rows_import_id_fkey;
