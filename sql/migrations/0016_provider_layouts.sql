-- Native provider exports (provider-imports.md): an import knows the layout it was read
-- by and which column fed each record field; an import may read several files (contacts
-- from a customers and a vendors list); a migration or an import may state the order of
-- day and month for files whose dates read either way.

ALTER TABLE wizard_migrations ADD COLUMN date_order text
    CHECK (date_order IN ('DMY', 'MDY'));

-- The layout of the import's (first) file, the order its dates were read in when stated,
-- and record field -> the file's column, filled when its rows are read.
ALTER TABLE imports
    ADD COLUMN layout text,
    ADD COLUMN date_order text CHECK (date_order IN ('DMY', 'MDY')),
    ADD COLUMN mapping jsonb NOT NULL DEFAULT '{}'::jsonb;
UPDATE imports i SET layout = CASE WHEN u.format = 'xlsx' THEN 'freeagent.workbook'
                                   ELSE 'generic.csv' END
FROM uploads u WHERE u.id = i.upload_id;
ALTER TABLE imports ALTER COLUMN layout SET NOT NULL;

-- Every file an import reads, in order (the first is imports.upload_id and .sheet, kept for
-- the readers of one file). An import's staged row numbers are file-relative for its first
-- file and offset by position * 100,000,000 for the others, so no two files' rows meet.
CREATE TABLE import_files (
    import_id  text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    position   smallint NOT NULL CHECK (position BETWEEN 0 AND 20),
    upload_id  text NOT NULL REFERENCES uploads (id),
    layout     text NOT NULL,
    sheet      text,
    PRIMARY KEY (import_id, position)
);
INSERT INTO import_files (import_id, position, upload_id, layout, sheet)
SELECT id, 0, upload_id, layout, sheet FROM imports;
