-- The target's guarantees checked once per statement instead of once per row.
--
-- A commit writes hundreds of thousands of rows with one INSERT ... SELECT or COPY per
-- table. A foreign key checks each row with a query of its own, and the deferred balance
-- trigger summed each journal line's entry once per line: together about half of a large
-- commit's time (bench/README.md, issues 8 and 10). The same guarantees hold here, checked
-- set-wise from each statement's transition tables.

-- References. The tables written in bulk (below) lose their foreign keys; each reference
-- becomes two statement triggers that mean the same:
--   * on the referencing table, after INSERT and after UPDATE: every key the statement
--     wrote names an existing row, which is locked FOR KEY SHARE as a foreign key's check
--     locks it, so that no concurrent transaction can delete it before this one commits;
--   * on the referenced table, after DELETE and after UPDATE: no row still names a key the
--     statement removed (NO ACTION, as the foreign keys were).
-- One difference remains: a foreign key also catches a delete, in REPEATABLE READ or
-- SERIALIZABLE, racing an insert that references the row (it checks with a snapshot a
-- trigger cannot take). Nothing deletes target rows; whoever starts to must do so in READ
-- COMMITTED. The small tables (taxes, tax_rates, items, ledger_accounts) keep their keys.

CREATE FUNCTION target.check_references() RETURNS trigger
LANGUAGE plpgsql
-- a statement's keys are hashed in memory (the default 4 MB spills a commit's to disk)
SET work_mem = '64MB'
AS $$
-- TG_ARGV: the referencing column, the referenced table, its key column
DECLARE
    missing bigint;
    example text;
BEGIN
    -- every distinct key written must be one of the rows locked
    EXECUTE format(
        'SELECT (SELECT count(DISTINCT %1$I) FROM new_rows)
              - (SELECT count(*) FROM (SELECT 1 FROM %2$s p
                                       WHERE p.%3$I IN (SELECT %1$I FROM new_rows)
                                       FOR KEY SHARE OF p) locked)',
        TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]) INTO missing;
    IF missing > 0 THEN
        EXECUTE format(
            'SELECT n.%1$I::text FROM new_rows n WHERE n.%1$I IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM %2$s p WHERE p.%3$I = n.%1$I) LIMIT 1',
            TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]) INTO example;
        RAISE EXCEPTION 'insert or update on table "%.%" violates its reference to %',
                        TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[1]
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is not present in table %s.',
                                  TG_ARGV[0], example, TG_ARGV[1]);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION target.check_unreferenced() RETURNS trigger
LANGUAGE plpgsql AS $$
-- TG_ARGV: the key column, the referencing table, its column
DECLARE
    removed text := 'SELECT o.%1$I AS key FROM old_rows o';
    referenced text;
BEGIN
    IF TG_OP = 'UPDATE' THEN  -- only the keys the update changed
        removed := removed || ' WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.%1$I = o.%1$I)';
    END IF;
    EXECUTE format(
        'WITH removed AS (' || removed || ')
         SELECT r.key::text FROM removed r
         WHERE EXISTS (SELECT 1 FROM %2$s c WHERE c.%3$I = r.key) LIMIT 1',
        TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]) INTO referenced;
    IF referenced IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "%.%" violates the reference from %',
                        TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[1]
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is still referenced from table %s.',
                                  TG_ARGV[0], referenced, TG_ARGV[1]);
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES
        ('customers',       'customers_entity_id_fkey',       'entity_id',   'entities',        'id'),
        ('documents',       'documents_entity_id_fkey',       'entity_id',   'entities',        'id'),
        ('documents',       'documents_customer_id_fkey',     'customer_id', 'customers',       'id'),
        ('document_lines',  'document_lines_document_id_fkey', 'document_id', 'documents',      'id'),
        ('payments',        'payments_entity_id_fkey',        'entity_id',   'entities',        'id'),
        ('payments',        'payments_document_id_fkey',      'document_id', 'documents',       'id'),
        ('journal_entries', 'journal_entries_entity_id_fkey', 'entity_id',   'entities',        'id'),
        ('journal_lines',   'journal_lines_entry_id_fkey',    'entry_id',    'journal_entries', 'id'),
        ('journal_lines',   'journal_lines_account_id_fkey',  'account_id',  'ledger_accounts', 'id')
    ) AS refs (child, fkey, col, parent, key)
    LOOP
        EXECUTE format('ALTER TABLE target.%I DROP CONSTRAINT %I', r.child, r.fkey);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON target.%I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION target.check_references(%L, %L, %L)',
                       r.fkey || '_insert', r.child, r.col, 'target.' || r.parent, r.key);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON target.%I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION target.check_references(%L, %L, %L)',
                       r.fkey || '_update', r.child, r.col, 'target.' || r.parent, r.key);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON target.%I '
                       'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION target.check_unreferenced(%L, %L, %L)',
                       r.fkey || '_parent_delete', r.parent, r.key, 'target.' || r.child, r.col);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON target.%I '
                       'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION target.check_unreferenced(%L, %L, %L)',
                       r.fkey || '_parent_update', r.parent, r.key, 'target.' || r.child, r.col);
    END LOOP;
END $$;

-- Balance. Every journal entry still balances when its transaction commits, whatever order
-- its lines were written in, and a deferred constraint trigger still refuses the commit;
-- but the sums are no longer made line by line. Entries balance before the transaction
-- (the invariant), so an entry balances at its commit if every statement's lines for it
-- net to zero. Each statement writing lines nets them per entry from its transition
-- tables (in memory) and notes only the entries it left unbalanced (one row here, never
-- committed: the deferred check deletes it); at commit those entries' lines are summed
-- in the table, where later statements may have balanced them. An execute writes each
-- entry's lines in one COPY, so it notes nothing and sums nothing at commit.
DROP TRIGGER journal_entry_balances ON target.journal_lines;
DROP FUNCTION target.journal_entry_balances();

CREATE UNLOGGED TABLE target.journal_balance_checks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_ids  bigint[] NOT NULL
);

CREATE FUNCTION target.note_journal_entries() RETURNS trigger
LANGUAGE plpgsql
SET work_mem = '64MB'
AS $$
BEGIN
    -- the statement's transition tables: new_rows (INSERT, UPDATE), old_rows (UPDATE,
    -- DELETE); a line moved to another entry counts against one and for the other
    IF TG_OP = 'INSERT' THEN
        INSERT INTO target.journal_balance_checks (entry_ids)
        SELECT array_agg(entry_id) FROM (
            SELECT entry_id FROM new_rows GROUP BY entry_id
            HAVING sum(debit_minor) <> sum(credit_minor)) unbalanced
        HAVING count(*) > 0;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO target.journal_balance_checks (entry_ids)
        SELECT array_agg(entry_id) FROM (
            SELECT entry_id FROM (
                SELECT entry_id, debit_minor - credit_minor AS net FROM new_rows
                UNION ALL
                SELECT entry_id, credit_minor - debit_minor FROM old_rows) changed
            GROUP BY entry_id HAVING sum(net) <> 0) unbalanced
        HAVING count(*) > 0;
    ELSE
        INSERT INTO target.journal_balance_checks (entry_ids)
        SELECT array_agg(entry_id) FROM (
            SELECT entry_id FROM old_rows GROUP BY entry_id
            HAVING sum(debit_minor) <> sum(credit_minor)) unbalanced
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_lines_noted_on_insert AFTER INSERT ON target.journal_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target.note_journal_entries();
CREATE TRIGGER journal_lines_noted_on_update AFTER UPDATE ON target.journal_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target.note_journal_entries();
CREATE TRIGGER journal_lines_noted_on_delete AFTER DELETE ON target.journal_lines
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target.note_journal_entries();

CREATE FUNCTION target.journal_entries_balance() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    entry bigint;
    difference bigint;
BEGIN
    SELECT l.entry_id, sum(l.debit_minor) - sum(l.credit_minor) INTO entry, difference
    FROM target.journal_lines l
    WHERE l.entry_id = ANY (NEW.entry_ids)
    GROUP BY l.entry_id
    HAVING sum(l.debit_minor) <> sum(l.credit_minor)
    LIMIT 1;
    IF entry IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits - credits = %', entry, difference
            USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM target.journal_balance_checks WHERE id = NEW.id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER journal_entries_balance
    AFTER INSERT ON target.journal_balance_checks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION target.journal_entries_balance();
