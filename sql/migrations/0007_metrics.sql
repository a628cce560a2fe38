-- Metrics every web process can show for the whole fleet (operations.md): what workers on
-- any host did reaches /metrics through Postgres, not an in-process registry.

-- Counters and histogram buckets, incremented in the transaction of the event they count
-- (a job finished, a step finished or retried, a job started), so that they are exact. A
-- histogram is its buckets (`le` label, not cumulative here), `_sum` and `_count`.
CREATE TABLE metric_totals (
    name    text NOT NULL,
    -- the labels as Prometheus writes them, in a fixed order: kind="…",step="…"
    labels  text NOT NULL DEFAULT '',
    value   double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (name, labels)
);

-- The gauges counted from the jobs themselves, cheaply with millions of rows.
CREATE INDEX migration_jobs_by_kind_status ON migration_jobs (kind, status);
CREATE INDEX migration_jobs_waiting ON migration_jobs (created_at) WHERE status = 'pending';
CREATE INDEX migration_jobs_finished_at ON migration_jobs (updated_at)
    WHERE status IN ('completed', 'failed', 'cancelled');
