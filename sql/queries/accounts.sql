-- Accounts and API keys.

-- name: insert_account
INSERT INTO accounts (id) VALUES ($1) ON CONFLICT (id) DO NOTHING;

-- name: insert_api_key
INSERT INTO api_keys (key_digest, key_prefix, operator) VALUES ($1, $2, $3) RETURNING id;

-- name: api_key_of_digest
-- The key (its ID, whether it is an operator's) and its accounts.
SELECT k.id, k.operator,
       coalesce(array_agg(a.account_id ORDER BY a.account_id)
                FILTER (WHERE a.account_id IS NOT NULL), '{}') AS accounts
FROM api_keys k LEFT JOIN api_key_accounts a ON a.api_key_id = k.id
WHERE k.key_digest = $1 AND k.revoked_at IS NULL
GROUP BY k.id;

-- name: grant_api_key_account
INSERT INTO api_key_accounts (api_key_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;
