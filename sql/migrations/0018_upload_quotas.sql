-- Per-account upload quotas (security.md, "Tenants"): the bytes an account keeps stored
-- and the files it uploaded in the last hour, read from the account's own uploads.
CREATE INDEX uploads_by_account ON uploads (account_id, created_at);
