-- Staging: what steps 1-6 read, and what step 7 checks before step 8 commits.

-- name: lock_job_staging
-- Serialises clears of one job's staging (its worker and a sweep may both try).
SELECT pg_advisory_xact_lock(hashtext('staging:' || $1));

-- name: clear_staging
WITH lines AS (DELETE FROM staging.document_lines WHERE job_id = $1),
     payments AS (DELETE FROM staging.payments WHERE job_id = $1),
     rates AS (DELETE FROM staging.tax_rates WHERE job_id = $1),
     docs AS (DELETE FROM staging.documents WHERE job_id = $1),
     taxes AS (DELETE FROM staging.taxes WHERE job_id = $1),
     customers AS (DELETE FROM staging.customers WHERE job_id = $1),
     items AS (DELETE FROM staging.items WHERE job_id = $1),
     skipped AS (DELETE FROM staging.skipped WHERE job_id = $1),
     pages AS (DELETE FROM staging.source_pages WHERE job_id = $1),
     counts AS (DELETE FROM staging.source_counts WHERE job_id = $1)
DELETE FROM staging.organizations WHERE job_id = $1;

-- name: stage_organization
INSERT INTO staging.organizations (job_id, legacy_id, name, country, tax_number, currency)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (job_id) DO UPDATE SET
    legacy_id = EXCLUDED.legacy_id, name = EXCLUDED.name, country = EXCLUDED.country,
    tax_number = EXCLUDED.tax_number, currency = EXCLUDED.currency;

-- name: staged_organization
-- Step 8 creates the entity from it.
SELECT legacy_id, name, country, tax_number, currency
FROM staging.organizations WHERE job_id = $1;

-- name: staged_document_currencies
SELECT legacy_id, currency FROM staging.documents
WHERE job_id = $1 AND legacy_id = ANY($2::text[]);

-- name: skipped_ids
SELECT legacy_id FROM staging.skipped
WHERE job_id = $1 AND kind = $2 AND legacy_id = ANY($3::text[]);

-- name: staged_counts
SELECT 'taxes' AS kind, count(*) AS n FROM staging.taxes WHERE job_id = $1
UNION ALL SELECT 'clients', count(*) FROM staging.customers WHERE job_id = $1
UNION ALL SELECT 'items', count(*) FROM staging.items WHERE job_id = $1
UNION ALL SELECT 'documents', count(*) FROM staging.documents WHERE job_id = $1
UNION ALL SELECT 'payments', count(*) FROM staging.payments WHERE job_id = $1;

-- name: skipped_counts
SELECT kind, count(*) AS n FROM staging.skipped WHERE job_id = $1 GROUP BY kind;

-- name: staged_document_totals
SELECT currency, sum(total_with_tax_minor)::bigint AS total
FROM staging.documents WHERE job_id = $1 GROUP BY currency;

-- name: staged_payment_totals
SELECT currency, sum(amount_minor)::bigint AS total
FROM staging.payments WHERE job_id = $1 GROUP BY currency;

-- name: unresolved_references
SELECT 'documents -> clients' AS reference, count(*) AS n
FROM staging.documents d
WHERE d.job_id = $1 AND d.customer_legacy_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM staging.customers c
                  WHERE c.job_id = $1 AND c.legacy_id = d.customer_legacy_id)
UNION ALL
SELECT 'payments -> documents', count(*)
FROM staging.payments p
WHERE p.job_id = $1
  AND NOT EXISTS (SELECT 1 FROM staging.documents d
                  WHERE d.job_id = $1 AND d.legacy_id = p.document_legacy_id)
UNION ALL
SELECT 'document lines -> taxes', count(*)
FROM staging.document_lines l, unnest(l.tax_legacy_ids) AS t(tax_id)
WHERE l.job_id = $1
  AND NOT EXISTS (SELECT 1 FROM staging.taxes x WHERE x.job_id = $1 AND x.legacy_id = t.tax_id)
UNION ALL
SELECT 'items -> taxes', count(*)
FROM staging.items i, unnest(i.tax_legacy_ids) AS t(tax_id)
WHERE i.job_id = $1
  AND NOT EXISTS (SELECT 1 FROM staging.taxes x WHERE x.job_id = $1 AND x.legacy_id = t.tax_id);

-- name: keep_source_page
-- Only under the job's lease: a worker that lost it writes nothing (the job may be done and
-- its staging cleared meanwhile). A later read of the same page replaces it.
INSERT INTO staging.source_pages (job_id, resource, page_size, skip, body)
SELECT $1, $2, $3, $4, $5
WHERE EXISTS (SELECT 1 FROM migration_jobs WHERE id = $1 AND lease_owner = $6)
ON CONFLICT (job_id, resource, page_size, skip) DO UPDATE SET body = EXCLUDED.body;

-- name: keep_source_count
INSERT INTO staging.source_counts (job_id, resource, count) VALUES ($1, $2, $3)
ON CONFLICT (job_id, resource) DO UPDATE SET count = EXCLUDED.count;

-- name: kept_source_count
SELECT count FROM staging.source_counts WHERE job_id = $1 AND resource = $2;

-- name: kept_source_page
SELECT body FROM staging.source_pages
WHERE job_id = $1 AND resource = $2 AND page_size = $3 AND skip = $4;

-- name: forget_source_pages
DELETE FROM staging.source_pages WHERE job_id = $1 AND resource = $2 AND skip < $3;
