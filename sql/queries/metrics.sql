-- Metrics: counters and histogram buckets kept in Postgres (metric_totals), and the gauges
-- counted from the jobs and the workers registry.

-- name: add_metrics
-- Several increments at once, in (name, labels) order so that two transactions adding to
-- the same rows take their locks in the same order.
INSERT INTO metric_totals (name, labels, value)
SELECT name, labels, sum(value)
FROM unnest($1::text[], $2::text[], $3::float8[]) AS added(name, labels, value)
GROUP BY name, labels
ORDER BY name, labels
ON CONFLICT (name, labels) DO UPDATE SET value = metric_totals.value + EXCLUDED.value;

-- name: metric_totals
SELECT name, labels, value FROM metric_totals ORDER BY name, labels;

-- name: metric_jobs_by_status
SELECT kind, status, count(*) AS n FROM migration_jobs GROUP BY kind, status;

-- name: metric_queue_gauges
SELECT
    coalesce(extract(epoch FROM now() - (SELECT min(created_at) FROM migration_jobs
                                        WHERE status = 'pending')), 0)::float8
        AS oldest_wait_seconds,
    (SELECT count(*) FROM migration_jobs
     WHERE status = 'running' AND lease_expires_at < now()) AS leases_expired,
    (SELECT count(*) FROM workers
     WHERE status = 'alive' AND last_seen_at > now() - make_interval(secs => $1))
        AS workers_alive,
    (SELECT count(*) FROM migration_jobs WHERE parked_at IS NOT NULL AND status = 'pending')
        AS parked;
