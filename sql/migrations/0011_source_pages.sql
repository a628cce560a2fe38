-- The legacy documents' pages as read in step 1 (which must read every document to find
-- unsupported data), kept for step 5 so that it does not read them from the legacy API a
-- second time. Unlogged: writing them costs no WAL, and a page lost to a Postgres crash
-- (unlogged tables are emptied then) is simply read from the legacy API again.
CREATE UNLOGGED TABLE staging.source_pages (
    job_id     text    NOT NULL,
    resource   text    NOT NULL,
    page_size  integer NOT NULL,
    skip       integer NOT NULL,
    body       bytea   NOT NULL,  -- the page as the legacy API sent it (a JSON array)
    PRIMARY KEY (job_id, resource, page_size, skip)
);
-- the count read with the pages (one per job and resource), for step 5's source count
CREATE UNLOGGED TABLE staging.source_counts (
    job_id    text    NOT NULL,
    resource  text    NOT NULL,
    count     integer NOT NULL,
    PRIMARY KEY (job_id, resource)
);
