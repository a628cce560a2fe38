-- The target's one writer (worker/target/writer.py): an entity, then a job's staged canonical
-- records (worker/target/records.py) moved set-wise in one transaction. $1 = the job,
-- $2 = the entity's ID. Source keys map to target IDs by join, so each statement runs after
-- those of the records it names.

-- name: insert_entity
-- The columns in the order of worker.target.records.Entity's fields.
INSERT INTO target.entities (id, environment, name, currency, source_job_id,
                             source_migration_id, legacy_org_id, country, tax_number)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: commit_taxes
INSERT INTO target.taxes (entity_id, legacy_id, name, abbreviation, classification,
                          recoverable, compound)
SELECT $2, legacy_id, name, abbreviation, classification, recoverable, compound
FROM staging.taxes WHERE job_id = $1;

-- name: commit_tax_rates
INSERT INTO target.tax_rates (tax_id, valid_from, rate)
SELECT t.id, r.valid_from, r.rate
FROM staging.tax_rates r
JOIN target.taxes t ON t.entity_id = $2 AND t.legacy_id = r.tax_legacy_id
WHERE r.job_id = $1;

-- name: commit_customers
INSERT INTO target.customers (entity_id, legacy_id, name, address, address2, city, zip, country,
                              country_code, tax_number, tax_subject, company_number, email,
                              phone, is_end_customer, legacy_type)
SELECT $2, legacy_id, name, address, address2, city, zip, country, country_code, tax_number,
       tax_subject, company_number, email, phone, is_end_customer, legacy_type
FROM staging.customers WHERE job_id = $1;

-- name: commit_items
INSERT INTO target.items (entity_id, legacy_id, name, description, unit_price, unit, tax_ids)
SELECT $2, i.legacy_id, i.name, i.description, i.unit_price, i.unit,
       ARRAY(SELECT t.id FROM unnest(i.tax_legacy_ids) WITH ORDINALITY AS u(legacy_id, ord)
             JOIN target.taxes t ON t.entity_id = $2 AND t.legacy_id = u.legacy_id
             ORDER BY u.ord)
FROM staging.items i WHERE i.job_id = $1;

-- name: commit_documents
INSERT INTO target.documents (entity_id, kind, legacy_id, number, issued_on, due_on, currency,
                              customer_id, draft, canceled, client_snapshot, total_minor,
                              total_with_tax_minor, paid_minor, due_minor, rounding_correction,
                              paid_in_full)
SELECT $2, d.kind, d.legacy_id, d.number, d.issued_on, d.due_on, d.currency, c.id, d.draft,
       d.canceled, d.client_snapshot, d.total_minor, d.total_with_tax_minor, d.paid_minor,
       d.due_minor, d.rounding_correction, d.paid_in_full
FROM staging.documents d
LEFT JOIN target.customers c ON c.entity_id = $2 AND c.legacy_id = d.customer_legacy_id
WHERE d.job_id = $1;

-- name: commit_document_lines
-- A job's lines name a handful of tax combinations: each is mapped to target IDs once
-- (MATERIALIZED, or the planner maps every line again).
WITH combinations AS (
    SELECT DISTINCT tax_legacy_ids FROM staging.document_lines WHERE job_id = $1
),
mapped AS MATERIALIZED (
    SELECT c.tax_legacy_ids,
           ARRAY(SELECT t.id FROM unnest(c.tax_legacy_ids) WITH ORDINALITY AS u(legacy_id, ord)
                 JOIN target.taxes t ON t.entity_id = $2 AND t.legacy_id = u.legacy_id
                 ORDER BY u.ord) AS tax_ids
    FROM combinations c
)
INSERT INTO target.document_lines (document_id, position, name, description, quantity, unit,
                                   unit_price, discount_percent, tax_ids, tax_rates)
SELECT d.id, l.position, l.name, l.description, l.quantity, l.unit, l.unit_price,
       l.discount_percent, m.tax_ids, l.tax_rates
FROM staging.document_lines l
JOIN mapped m ON m.tax_legacy_ids = l.tax_legacy_ids
JOIN staging.documents sd ON sd.job_id = $1 AND sd.legacy_id = l.document_legacy_id
JOIN target.documents d ON d.entity_id = $2 AND d.kind = sd.kind AND d.legacy_id = sd.legacy_id
WHERE l.job_id = $1;

-- name: commit_payments
INSERT INTO target.payments (entity_id, legacy_id, document_id, amount_minor,
                             rounding_correction, currency, paid_on, method, note)
SELECT $2, p.legacy_id, d.id, p.amount_minor, p.rounding_correction, p.currency, p.paid_on,
       p.method, p.note
FROM staging.payments p
JOIN staging.documents sd ON sd.job_id = $1 AND sd.legacy_id = p.document_legacy_id
JOIN target.documents d ON d.entity_id = $2 AND d.kind = sd.kind AND d.legacy_id = sd.legacy_id
WHERE p.job_id = $1;

-- name: staged_row_counts
SELECT (SELECT count(*) FROM staging.taxes WHERE job_id = $1) AS taxes,
       (SELECT count(*) FROM staging.tax_rates WHERE job_id = $1) AS tax_rates,
       (SELECT count(*) FROM staging.customers WHERE job_id = $1) AS customers,
       (SELECT count(*) FROM staging.items WHERE job_id = $1) AS items,
       (SELECT count(*) FROM staging.documents WHERE job_id = $1) AS documents,
       (SELECT count(*) FROM staging.document_lines WHERE job_id = $1) AS document_lines,
       (SELECT count(*) FROM staging.payments WHERE job_id = $1) AS payments;

-- name: account_totals
-- What the journal posted to each account of an entity, read back from the target.
SELECT a.code AS account_code, a.name AS account_name,
       sum(l.debit_minor)::bigint AS debit_minor, sum(l.credit_minor)::bigint AS credit_minor
FROM target.journal_lines l
JOIN target.journal_entries e ON e.id = l.entry_id
JOIN target.ledger_accounts a ON a.id = l.account_id
WHERE e.entity_id = $1
GROUP BY a.code, a.name
ORDER BY a.code;

-- name: target_ledger_account_ids
-- An entity's rows just written from memory, by source key (worker.target.writer).
SELECT code, id FROM target.ledger_accounts WHERE entity_id = $1;

-- name: target_customer_ids
SELECT legacy_id, id FROM target.customers WHERE entity_id = $1;

-- name: target_journal_entry_ids
SELECT kind, legacy_id, id FROM target.journal_entries WHERE entity_id = $1;
