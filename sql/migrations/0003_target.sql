-- The new platform's data. Every migrated row keeps its source ID, unique per entity and
-- kind, so nothing can be inserted twice whatever a step or a retry does.

CREATE SCHEMA target;

CREATE TABLE target.entities (
    id             text PRIMARY KEY,
    environment    text NOT NULL CHECK (environment IN ('live', 'sandbox')),
    -- exactly one entity per job, even if two commits race
    source_job_id  text UNIQUE,
    legacy_org_id  text,
    name           text NOT NULL,
    country        text,
    tax_number     text,
    currency       text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- A legacy organisation reaches the live environment at most once.
CREATE UNIQUE INDEX entities_one_live_per_legacy_org
    ON target.entities (legacy_org_id) WHERE environment = 'live' AND legacy_org_id IS NOT NULL;

CREATE TABLE target.taxes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id       text NOT NULL REFERENCES target.entities (id),
    legacy_id       text NOT NULL,
    name            text NOT NULL,
    abbreviation    text,
    classification  text,
    recoverable     boolean NOT NULL,
    compound        boolean NOT NULL,
    UNIQUE (entity_id, legacy_id)
);

CREATE TABLE target.tax_rates (
    tax_id      bigint NOT NULL REFERENCES target.taxes (id),
    valid_from  date NOT NULL,
    rate        numeric(9, 4) NOT NULL,
    PRIMARY KEY (tax_id, valid_from)
);

CREATE TABLE target.customers (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id        text NOT NULL REFERENCES target.entities (id),
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
    UNIQUE (entity_id, legacy_id)
);

CREATE TABLE target.items (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id    text NOT NULL REFERENCES target.entities (id),
    legacy_id    text NOT NULL,
    name         text NOT NULL,
    description  text,
    unit_price   numeric(19, 4),
    unit         text,
    tax_ids      bigint[] NOT NULL DEFAULT '{}',
    UNIQUE (entity_id, legacy_id)
);

CREATE TABLE target.documents (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id             text NOT NULL REFERENCES target.entities (id),
    kind                  text NOT NULL
                          CHECK (kind IN ('invoice', 'estimate', 'credit_note', 'advance_invoice', 'bill')),
    legacy_id             text NOT NULL,
    number                text,
    issued_on             date,
    due_on                date,
    currency              text NOT NULL,
    customer_id           bigint REFERENCES target.customers (id),
    draft                 boolean NOT NULL DEFAULT false,
    canceled              boolean NOT NULL DEFAULT false,
    client_snapshot       jsonb,
    total_minor           bigint NOT NULL,
    total_with_tax_minor  bigint NOT NULL,
    paid_minor            bigint NOT NULL,
    due_minor             bigint NOT NULL,
    rounding_correction   numeric(19, 4) NOT NULL DEFAULT 0,
    paid_in_full          boolean NOT NULL DEFAULT false,
    UNIQUE (entity_id, kind, legacy_id)
);

CREATE TABLE target.document_lines (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id       bigint NOT NULL REFERENCES target.documents (id),
    position          integer NOT NULL,
    name              text,
    description       text,
    quantity          numeric(19, 4) NOT NULL,
    unit              text,
    unit_price        numeric(19, 4) NOT NULL,
    discount_percent  numeric(9, 4) NOT NULL DEFAULT 0,
    tax_ids           bigint[] NOT NULL DEFAULT '{}',
    tax_rates         numeric(9, 4)[] NOT NULL DEFAULT '{}',
    UNIQUE (document_id, position)
);

CREATE TABLE target.payments (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id            text NOT NULL REFERENCES target.entities (id),
    legacy_id            text NOT NULL,
    document_id          bigint NOT NULL REFERENCES target.documents (id),
    amount_minor         bigint NOT NULL,
    rounding_correction  numeric(19, 4) NOT NULL DEFAULT 0,
    currency             text NOT NULL,
    paid_on              date,
    method               text NOT NULL,
    note                 text,
    UNIQUE (entity_id, legacy_id)
);

CREATE TABLE target.ledger_accounts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id  text NOT NULL REFERENCES target.entities (id),
    code       text NOT NULL,
    name       text NOT NULL,
    category   text,
    UNIQUE (entity_id, code)
);

CREATE TABLE target.journal_entries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id    text NOT NULL REFERENCES target.entities (id),
    kind         text NOT NULL,
    legacy_id    text NOT NULL,
    entry_date   date NOT NULL,
    description  text,
    UNIQUE (entity_id, kind, legacy_id)
);

CREATE TABLE target.journal_lines (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id      bigint NOT NULL REFERENCES target.journal_entries (id),
    account_id    bigint NOT NULL REFERENCES target.ledger_accounts (id),
    currency      text NOT NULL,
    debit_minor   bigint NOT NULL DEFAULT 0 CHECK (debit_minor >= 0),
    credit_minor  bigint NOT NULL DEFAULT 0 CHECK (credit_minor >= 0),
    CHECK ((debit_minor = 0) <> (credit_minor = 0))
);
