-- Wizard migrations get IDs of their own, `wmig_…`, apart from legacy jobs' `mig_…` (one
-- prefix meant two things); migrations created before keep their `mig_` IDs and are still
-- found by them.
ALTER TABLE wizard_migrations DROP CONSTRAINT wizard_migrations_id_check;
ALTER TABLE wizard_migrations ADD CONSTRAINT wizard_migrations_id_check
    CHECK (id ~ '^w?mig_[0-9a-f]{24}$');
