-- The legacy migration's own fields (legacy_migration_jobs), and its jobs as the job API
-- shows them: the job row joined with them.

-- name: insert_legacy_migration
INSERT INTO legacy_migration_jobs (job_id, legacy_org_id, legacy_user_id, environment,
                                   confirm_unsupported_data, legacy_token_sealed)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: get_legacy_migration
SELECT j.*, l.legacy_org_id, l.legacy_user_id, l.environment, l.confirm_unsupported_data,
       l.legacy_token_sealed
FROM migration_jobs j JOIN legacy_migration_jobs l ON l.job_id = j.id
WHERE j.id = $1;

-- name: get_account_legacy_migration
SELECT j.*, l.legacy_org_id, l.environment
FROM migration_jobs j JOIN legacy_migration_jobs l ON l.job_id = j.id
WHERE j.id = $1 AND j.account_id = $2;

-- name: list_account_legacy_migrations
SELECT j.*, l.legacy_org_id, l.environment
FROM migration_jobs j JOIN legacy_migration_jobs l ON l.job_id = j.id
WHERE j.account_id = $1 AND j.kind = 'legacy_migration'
  AND ($2::text IS NULL OR j.status = $2)
  AND ($3::text IS NULL OR j.id < $3)
ORDER BY j.id DESC
LIMIT $4;

-- name: replace_legacy_token
UPDATE legacy_migration_jobs SET legacy_token_sealed = $2 WHERE job_id = $1;

-- name: wipe_legacy_token
UPDATE legacy_migration_jobs SET legacy_token_sealed = NULL WHERE job_id = $1;

-- name: org_migrated_live
SELECT EXISTS (
    SELECT 1 FROM legacy_migration_jobs l JOIN migration_jobs j ON j.id = l.job_id
    WHERE l.legacy_org_id = $1 AND l.environment = 'live' AND j.status = 'completed');

-- name: migrated_environments
SELECT l.legacy_org_id, array_agg(DISTINCT l.environment) AS environments
FROM legacy_migration_jobs l JOIN migration_jobs j ON j.id = l.job_id
WHERE l.legacy_org_id = ANY($1::text[]) AND j.status = 'completed'
GROUP BY l.legacy_org_id;
