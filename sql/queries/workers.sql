-- The registry of worker processes: registered at start, heartbeats, deregistered at a
-- graceful exit, marked dead when silent.

-- name: register_worker
INSERT INTO workers (id, host, pid, version, concurrency)
VALUES ($1, $2, $3, $4, $5);

-- name: worker_heartbeat
-- A worker presumed dead that speaks again is alive again (it was only slow: its leases
-- were expired, and whatever it still holds is guarded by them).
UPDATE workers SET last_seen_at = now(), running = $2, status = 'alive'
WHERE id = $1 AND status <> 'stopped'
RETURNING id;

-- name: deregister_worker
UPDATE workers SET status = 'stopped', stopped_at = now(), running = 0, last_seen_at = now()
WHERE id = $1;

-- name: mark_silent_workers_dead
UPDATE workers SET status = 'dead', stopped_at = now()
WHERE status = 'alive' AND last_seen_at < now() - make_interval(secs => $1)
RETURNING id;

-- name: prune_workers
DELETE FROM workers
WHERE status <> 'alive' AND last_seen_at < now() - make_interval(secs => $1);

-- name: list_workers
SELECT *, extract(epoch FROM now() - last_seen_at)::float8 AS last_seen_seconds_ago
FROM workers WHERE status = ANY($1::text[]) ORDER BY started_at, id;
