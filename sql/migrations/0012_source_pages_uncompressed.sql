-- Kept pages are written once and read once: compressing them (pglz, Postgres's default
-- for values over 2 kB) cost step 1 more CPU than the bytes it saved.
ALTER TABLE staging.source_pages ALTER COLUMN body SET STORAGE EXTERNAL;
