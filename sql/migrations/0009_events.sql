-- Pushed progress (GET …/{id}/events): every change a client can see is numbered from one
-- sequence and announced with NOTIFY in the transaction that makes it, whatever process
-- or host writes it.

-- One sequence for every version below, so that versions of different rows compare: a
-- migration's version is the greatest of its own, its imports' and its jobs' events'.
CREATE SEQUENCE object_versions;

-- Each visible state of a job (status, step, progress, error, entity), in the order its
-- transactions committed: a client resuming with Last-Event-ID replays what it missed.
-- Events of jobs finished long ago are pruned by the sweep (EVENTS_KEEP_SECONDS).
CREATE TABLE job_events (
    id               bigint PRIMARY KEY DEFAULT nextval('object_versions'),
    job_id           text NOT NULL REFERENCES migration_jobs (id) ON DELETE CASCADE,
    status           text NOT NULL,
    step             text,
    step_number      integer NOT NULL,
    total_steps      integer NOT NULL,
    progress_detail  text,
    error            text,
    error_code       text,
    entity_id        text,
    started_at       timestamptz,
    completed_at     timestamptz,
    at               timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX job_events_by_job ON job_events (job_id, id);
CREATE INDEX job_events_by_age ON job_events (at);

CREATE FUNCTION record_job_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event_id bigint;
BEGIN
    INSERT INTO job_events (job_id, status, step, step_number, total_steps,
                            progress_detail, error, error_code, entity_id, started_at,
                            completed_at)
    VALUES (NEW.id, NEW.status, NEW.step, NEW.step_number, NEW.total_steps,
            NEW.progress_detail, NEW.error, NEW.error_code, NEW.entity_id, NEW.started_at,
            NEW.completed_at)
    RETURNING id INTO event_id;
    -- delivered at commit, to every web process listening
    PERFORM pg_notify('object_changes', NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER job_event_on_insert AFTER INSERT ON migration_jobs
    FOR EACH ROW EXECUTE FUNCTION record_job_event();
-- lease renewals and other bookkeeping change none of these and make no event
CREATE TRIGGER job_event_on_change AFTER UPDATE ON migration_jobs
    FOR EACH ROW
    WHEN ((OLD.status, OLD.step, OLD.step_number, OLD.progress_detail, OLD.error,
           OLD.error_code, OLD.entity_id, OLD.started_at, OLD.completed_at)
          IS DISTINCT FROM
          (NEW.status, NEW.step, NEW.step_number, NEW.progress_detail, NEW.error,
           NEW.error_code, NEW.entity_id, NEW.started_at, NEW.completed_at))
    EXECUTE FUNCTION record_job_event();

-- Wizard migrations and imports: a version bumped by every change, and a notification.
ALTER TABLE wizard_migrations ADD COLUMN version bigint NOT NULL DEFAULT nextval('object_versions');
ALTER TABLE imports ADD COLUMN version bigint NOT NULL DEFAULT nextval('object_versions');

CREATE FUNCTION bump_object_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('object_versions');
    PERFORM pg_notify('object_changes', NEW.id);
    RETURN NEW;
END $$;

CREATE TRIGGER wizard_migration_version BEFORE UPDATE ON wizard_migrations
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION bump_object_version();
CREATE TRIGGER import_version BEFORE UPDATE ON imports
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION bump_object_version();
