-- The audit log (issue 20, spec/security.md "Keys and audit"): who did what, when, from
-- where. Each entry is written in the transaction of the action it records, so an action
-- that rolled back leaves none and an entry never exists without its action.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- the action's transaction time
    at          timestamptz NOT NULL DEFAULT now(),
    -- who: an account's key, an operator's key, the CLI on a host of the service (which
    -- needs the database's credentials), or the service itself (the retention purge)
    actor       text NOT NULL CHECK (actor IN ('account', 'operator', 'cli', 'service')),
    key_id      bigint,
    key_prefix  text,
    key_label   text,
    -- the account acted for (an account's key) or on (an operator's action on its job)
    account_id  text,
    address     text,
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    -- what was acted on: a job, migration, import or key ID
    subject     text,
    -- the action's own facts: a bulk action's filter and counts, an upload's SHA-256
    details     jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_by_account ON audit_log (account_id, id DESC);
CREATE INDEX audit_log_by_action ON audit_log (action, id DESC);
CREATE INDEX audit_log_by_subject ON audit_log (subject, id DESC);
CREATE INDEX audit_log_by_at ON audit_log (at);

-- Append-only: UPDATE, TRUNCATE and DELETE are refused, except DELETE by the retention
-- purge's own function below (it marks its transaction; the mark cannot be set by a plain
-- statement through the API, and a role that can run arbitrary SQL could drop the
-- trigger anyway: that is the database's permissions' job, see the README).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('migration_worker.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'entries leave only through audit_log_purge() after their retention';
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The retention purge's path: at most `batch` entries older than `before`, oldest first;
-- how many went.
CREATE FUNCTION audit_log_purge(before timestamptz, batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    removed integer;
BEGIN
    PERFORM set_config('migration_worker.audit_purge', 'on', true);
    DELETE FROM audit_log
    WHERE id IN (SELECT id FROM audit_log WHERE at < before ORDER BY id LIMIT batch);
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('migration_worker.audit_purge', 'off', true);
    RETURN removed;
END;
$$;
