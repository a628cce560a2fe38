-- Staging: what steps 2-6 read from the legacy source, keyed by (job, source ID) so a
-- re-run step can never stage a record twice. Step 8 moves it to the target set-wise.

CREATE SCHEMA staging;

-- The legacy organisation as step 1 read it; step 8 creates the entity from it.
CREATE TABLE staging.organizations (
    job_id      text PRIMARY KEY REFERENCES migration_jobs (id) ON DELETE CASCADE,
    legacy_id   text NOT NULL,
    name        text NOT NULL,
    country     text,
    tax_number  text,
    currency    text NOT NULL
);

CREATE TABLE staging.taxes (
    job_id          text NOT NULL REFERENCES migration_jobs (id) ON DELETE CASCADE,
    legacy_id       text NOT NULL,
    name            text NOT NULL,
    abbreviation    text,
    classification  text,
    recoverable     boolean NOT NULL DEFAULT true,
    compound        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (job_id, legacy_id)
);

CREATE TABLE staging.tax_rates (
    job_id         text NOT NULL,
    tax_legacy_id  text NOT NULL,
    valid_from     date NOT NULL,
    rate           numeric(9, 4) NOT NULL,
    PRIMARY KEY (job_id, tax_legacy_id, valid_from),
    FOREIGN KEY (job_id, tax_legacy_id) REFERENCES staging.taxes (job_id, legacy_id) ON DELETE CASCADE
);

CREATE TABLE staging.customers (
    job_id           text NOT NULL REFERENCES migration_jobs (id) ON DELETE CASCADE,
    legacy_id        text NOT NULL,
    name             text NOT NULL,
    address          text,
    address2         text,
    city             text,
    zip              text,
    country          text,
    country_code     text,
    tax_number       text,
    tax_subject      boolean,
    company_number   text,
    email            text,
    phone            text,
    is_end_customer  boolean,
    legacy_type      text NOT NULL,
    PRIMARY KEY (job_id, legacy_id)
);

CREATE TABLE staging.items (
    job_id          text NOT NULL REFERENCES migration_jobs (id) ON DELETE CASCADE,
    legacy_id       text NOT NULL,
    name            text NOT NULL,
    description     text,
    unit_price      numeric(19, 4),
    unit            text,
    tax_legacy_ids  text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (job_id, legacy_id)
);

CREATE TABLE staging.documents (
    job_id                text NOT NULL REFERENCES migration_jobs (id) ON DELETE CASCADE,
    legacy_id             text NOT NULL,
    kind                  text NOT NULL,
    number                text,
    issued_on             date,
    due_on                date,
    currency              text NOT NULL,
    draft                 boolean NOT NULL DEFAULT false,
    canceled              boolean NOT NULL DEFAULT false,
    customer_legacy_id    text,
    client_snapshot       jsonb,
    total_minor           bigint NOT NULL,
    total_with_tax_minor  bigint NOT NULL,
    paid_minor            bigint NOT NULL,
    due_minor             bigint NOT NULL,
    rounding_correction   numeric(19, 4) NOT NULL DEFAULT 0,
    paid_in_full          boolean NOT NULL DEFAULT false,
    PRIMARY KEY (job_id, legacy_id)
);

CREATE TABLE staging.document_lines (
    job_id              text NOT NULL,
    document_legacy_id  text NOT NULL,
    position            integer NOT NULL,
    name                text,
    description         text,
    quantity            numeric(19, 4) NOT NULL,
    unit                text,
    unit_price          numeric(19, 4) NOT NULL,
    discount_percent    numeric(9, 4) NOT NULL DEFAULT 0,
    tax_legacy_ids      text[] NOT NULL DEFAULT '{}',
    tax_rates           numeric(9, 4)[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (job_id, document_legacy_id, position),
    FOREIGN KEY (job_id, document_legacy_id)
        REFERENCES staging.documents (job_id, legacy_id) ON DELETE CASCADE
);

CREATE TABLE staging.payments (
    job_id              text NOT NULL REFERENCES migration_jobs (id) ON DELETE CASCADE,
    legacy_id           text NOT NULL,
    document_legacy_id  text NOT NULL,
    amount_minor        bigint NOT NULL,
    rounding_correction numeric(19, 4) NOT NULL DEFAULT 0,
    currency            text NOT NULL,
    paid_on             date,
    method              text NOT NULL,
    note                text,
    PRIMARY KEY (job_id, legacy_id)
);

-- Source records left out because the target cannot hold them (unsupported data the
-- user confirmed): counted in the report, never migrated.
CREATE TABLE staging.skipped (
    job_id     text NOT NULL REFERENCES migration_jobs (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    legacy_id  text NOT NULL,
    reason     text NOT NULL,
    PRIMARY KEY (job_id, kind, legacy_id)
);
