-- An import's staged records as json, not jsonb: they are written once (COPY, from the
-- JSON text the reading child made) and read back whole by validate and execute, never
-- searched inside but for two end-of-import queries (->>, fine on json). jsonb parsed each
-- record on the way in and printed it again on the way out: about twice the Postgres time
-- of json both ways (1.04 against 0.47 s in, 0.70 against 0.26 s out, for the 170,006
-- records of bench.wizard's workbook).
ALTER TABLE staging.import_rows ALTER COLUMN record TYPE json USING record::json;
