-- Accounts and API keys.

-- name: insert_account
INSERT INTO accounts (id) VALUES ($1) ON CONFLICT (id) DO NOTHING;

-- name: insert_api_key
INSERT INTO api_keys (key_digest, key_prefix) VALUES ($1, $2) RETURNING id;

-- name: grant_api_key_account
INSERT INTO api_key_accounts (api_key_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: accounts_of_api_key
SELECT a.account_id
FROM api_keys k JOIN api_key_accounts a ON a.api_key_id = k.id
WHERE k.key_digest = $1 AND k.revoked_at IS NULL
ORDER BY a.account_id;
