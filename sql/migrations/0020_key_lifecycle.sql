-- Key lifecycle (issue 20): a label, when a key was last used, an optional expiry, and
-- rotation. `revoked_at` (0001) is when a key stops working: a revocation sets it to now, a
-- rotation to the end of the old key's grace period, so one column answers "is it valid".
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE api_keys ADD COLUMN label text;
-- written by the web processes at most once a minute per key, not on every request
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
-- when the key was replaced by a rotation, and by which key (its grace end is revoked_at)
ALTER TABLE api_keys ADD COLUMN rotated_at timestamptz;
ALTER TABLE api_keys ADD COLUMN replaced_by bigint REFERENCES api_keys (id);
