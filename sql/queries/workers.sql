-- The registry of worker processes: registered at start, heartbeats, deregistered at a
-- graceful exit, marked dead when silent.

-- name: register_worker
INSERT INTO workers (id, host, pid, version, concurrency)
VALUES ($1, $2, $3, $4, $5);

-- name: worker_heartbeat
-- A worker presumed dead that speaks again is alive again (it was only slow: its leases
-- were expired, and whatever it still holds is guarded by them).
UPDATE workers SET last_seen_at = now(), running = $2, status = 'alive', stopped_at = NULL
WHERE id = $1 AND status <> 'stopped'
RETURNING id;

-- name: deregister_worker
UPDATE workers SET status = 'stopped', stopped_at = now(), running = 0, last_seen_at = now()
WHERE id = $1;

-- name: bury_silent_workers
-- Live workers silent for longer than $1 seconds are marked dead and the leases they hold
-- expire now, in one statement: no dead worker can be left with its jobs still leased.
WITH dead AS (
    UPDATE workers SET status = 'dead', stopped_at = now()
    WHERE status = 'alive' AND last_seen_at < now() - make_interval(secs => $1)
    RETURNING id
), freed AS (
    UPDATE migration_jobs SET lease_expires_at = now(), updated_at = now()
    WHERE worker_id IN (SELECT id FROM dead) AND status = 'running'
      AND lease_owner IS NOT NULL
    RETURNING id
)
SELECT coalesce((SELECT array_agg(id ORDER BY id) FROM dead), '{}') AS workers,
       coalesce((SELECT array_agg(id ORDER BY id) FROM freed), '{}') AS jobs;

-- name: prune_workers
DELETE FROM workers
WHERE status <> 'alive' AND last_seen_at < now() - make_interval(secs => $1);

-- name: list_workers
SELECT *, extract(epoch FROM now() - last_seen_at)::float8 AS last_seen_seconds_ago
FROM workers WHERE status = ANY($1::text[]) ORDER BY started_at, id;
