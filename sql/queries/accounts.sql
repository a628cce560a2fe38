-- Accounts and API keys.

-- name: insert_account
INSERT INTO accounts (id) VALUES ($1) ON CONFLICT (id) DO NOTHING;

-- name: insert_api_key
INSERT INTO api_keys (key_digest, key_prefix, operator, label, expires_at)
VALUES ($1, $2, $3, $4, $5) RETURNING id;

-- name: api_key_of_digest
-- The key (its ID, whether it is an operator's), its accounts, and whether it still works
-- (judged by the database's clock, the one that wrote revoked_at).
SELECT k.id, k.operator, k.key_prefix, k.label, k.revoked_at, k.expires_at, k.rotated_at,
       k.revoked_at <= now() AS revoked, k.expires_at <= now() AS expired,
       coalesce(array_agg(a.account_id ORDER BY a.account_id)
                FILTER (WHERE a.account_id IS NOT NULL), '{}') AS accounts
FROM api_keys k LEFT JOIN api_key_accounts a ON a.api_key_id = k.id
WHERE k.key_digest = $1
GROUP BY k.id;

-- name: grant_api_key_account
INSERT INTO api_key_accounts (api_key_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: api_keys_listed
-- Every key with what an operator needs to tell them apart; never the digest.
SELECT k.id, k.key_prefix, k.operator, k.label, k.created_at, k.last_used_at, k.expires_at,
       k.revoked_at, k.rotated_at, k.replaced_by,
       coalesce(array_agg(a.account_id ORDER BY a.account_id)
                FILTER (WHERE a.account_id IS NOT NULL), '{}') AS accounts
FROM api_keys k LEFT JOIN api_key_accounts a ON a.api_key_id = k.id
GROUP BY k.id
ORDER BY k.id;

-- name: api_keys_matching
-- The keys an operator named by ID or by visible prefix (several when a prefix is ambiguous).
SELECT k.id, k.key_prefix, k.operator, k.label, k.expires_at, k.revoked_at, k.rotated_at,
       k.replaced_by, k.revoked_at <= now() AS revoked,
       coalesce(array_agg(a.account_id ORDER BY a.account_id)
                FILTER (WHERE a.account_id IS NOT NULL), '{}') AS accounts
FROM api_keys k LEFT JOIN api_key_accounts a ON a.api_key_id = k.id
WHERE k.id::text = $1 OR k.key_prefix = $1
GROUP BY k.id
ORDER BY k.id;

-- name: revoke_api_key
-- Now, or sooner if a rotation's grace period already ends before now.
UPDATE api_keys SET revoked_at = least(coalesce(revoked_at, now()), now())
WHERE id = $1 RETURNING revoked_at;

-- name: notify_api_key_revoked
-- Every web process drops this key ($1, its ID) from its cache when the transaction
-- commits (api_stub/key_cache.py), so a revocation holds everywhere within a second.
SELECT pg_notify('api_key_revoked', $1::bigint::text);

-- name: retire_rotated_api_key
-- The old key of a rotation works until its grace period ends ($2), unless revoked sooner.
UPDATE api_keys SET rotated_at = now(), replaced_by = $3,
                    revoked_at = least(coalesce(revoked_at, $2), $2)
WHERE id = $1 RETURNING revoked_at;

-- name: touch_api_keys
-- The keys used since the last flush ($1 their IDs, $2 when each was last used).
UPDATE api_keys k SET last_used_at = greatest(k.last_used_at, u.at)
FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at)
WHERE k.id = u.id;
