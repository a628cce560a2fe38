-- The audit log (migration 0021): entries written in their action's transaction, and read
-- by operators.

-- name: audit_insert
INSERT INTO audit_log (actor, key_id, key_prefix, key_label, account_id, address, action,
                       subject, details)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: audit_entries
-- Newest first; every filter given must hold; paged by ID (entries before `before_id`).
SELECT id, at, actor, key_id, key_prefix, key_label, account_id, address, action, subject,
       details
FROM audit_log
WHERE ($1::text IS NULL OR action = $1 OR action LIKE $1 || '.%')
  AND ($2::text IS NULL OR account_id = $2)
  AND ($3::text IS NULL OR key_prefix = $3)
  AND ($4::text IS NULL OR subject = $4)
  AND ($5::timestamptz IS NULL OR at >= $5)
  AND ($6::timestamptz IS NULL OR at < $6)
  AND ($7::bigint IS NULL OR id < $7)
ORDER BY id DESC
LIMIT $8;
