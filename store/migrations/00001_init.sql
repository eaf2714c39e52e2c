-- The first schema of umkmbot. Migrations only grow: never edit this file once it has landed;
-- add 00002_… instead. Object names are unqualified so that a migration applies to whatever schema
-- is first on the search_path (tests run each in a schema of its own).

-- +goose Up

-- owners: the pelaku usaha, one row per Telegram user who has written to the bot.
CREATE TABLE owners (
    id               bigserial PRIMARY KEY,
    telegram_user_id bigint      NOT NULL UNIQUE,
    chat_id          bigint      NOT NULL,
    lang             text        NOT NULL DEFAULT 'id' CHECK (lang IN ('id', 'en')),
    name             text,
    phone            text,       -- E.164 (+628…); never logged
    unreachable_at   timestamptz, -- Telegram answered 403 (blocked); cleared when they write again
    deleted_at       timestamptz, -- /hapus_data: personal fields cleared, row kept for references
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- businesses: the usaha of an owner (usually one).
CREATE TABLE businesses (
    id           bigserial PRIMARY KEY,
    owner_id     bigint      NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    nib          text,        -- Nomor Induk Berusaha from OSS; NULL = belum punya
    kabupaten    text,        -- code from flows/domain (e.g. 'ngada')
    desa         text,        -- desa/kelurahan
    ovop_product text,        -- the village's One Village One Product flagship
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX businesses_owner_idx ON businesses (owner_id);

-- applications: an owner's request for help with one product's permit (pengajuan).
CREATE TABLE applications (
    id                 bigserial PRIMARY KEY,
    number             text        UNIQUE, -- NTT-XXXX-XXXX, given on submit
    owner_id           bigint      REFERENCES owners (id) ON DELETE SET NULL,
    business_id        bigint      REFERENCES businesses (id) ON DELETE SET NULL,
    path               text        NOT NULL CHECK (path IN ('spp_irt', 'md', 'kosmetik', 'obat_tradisional')),
    status             text        NOT NULL DEFAULT 'draft' CHECK (status IN (
                           'draft', 'submitted', 'in_review', 'needs_fix', 'awaiting_payment',
                           'approved', 'rejected', 'withdrawn')),
    product            jsonb       NOT NULL DEFAULT '{}', -- name, brand, type, composition, packaging, net content, shelf life, storage
    product_name       text        NOT NULL,
    kabupaten          text,        -- copied at submit: staff routing survives profile edits
    status_note        text,        -- the latest note (correction request, rejection reason)
    due_at             timestamptz, -- the latest due date (corrections, payment)
    permit_number      text,        -- canonical form, set on approval
    permit_valid_until date,
    submitted_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_owner_idx ON applications (owner_id);
CREATE INDEX applications_status_idx ON applications (status, due_at);
CREATE UNIQUE INDEX applications_permit_idx ON applications (permit_number) WHERE permit_number IS NOT NULL;

-- application_status_history: every transition, with who, when and why.
CREATE TABLE application_status_history (
    id             bigserial PRIMARY KEY,
    application_id bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    from_status    text,
    to_status      text        NOT NULL,
    actor_kind     text        NOT NULL CHECK (actor_kind IN ('owner', 'staff', 'system')),
    actor_id       bigint,      -- owners.id or staff.id
    note           text,
    due_at         timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_status_history_app_idx ON application_status_history (application_id, id);

-- application_documents: one row per required document of the application's path; a missing
-- one ("nanti") has no file yet.
CREATE TABLE application_documents (
    id             bigserial PRIMARY KEY,
    application_id bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind           text        NOT NULL, -- document code from flows/domain (e.g. 'label_design')
    required       boolean     NOT NULL DEFAULT true,
    file_id        text,        -- Telegram file_id (valid for this bot only)
    file_unique_id text,
    file_name      text,
    mime_type      text,
    size_bytes     bigint,
    uploaded_at    timestamptz,
    UNIQUE (application_id, kind)
);

-- staff: BPOM petugas; admins come from ADMIN_TELEGRAM_IDS and may add staff.
CREATE TABLE staff (
    id               bigserial PRIMARY KEY,
    telegram_user_id bigint      NOT NULL UNIQUE,
    name             text        NOT NULL DEFAULT '',
    unit             text,        -- BPOM unit code (kupang, manggarai_barat, ende, belu, sumba_timur)
    role             text        NOT NULL DEFAULT 'staff' CHECK (role IN ('staff', 'admin')),
    active           boolean     NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- trainings (pelatihan) and who registered.
CREATE TABLE trainings (
    id               bigserial PRIMARY KEY,
    title            text        NOT NULL,
    kind             text        NOT NULL, -- pkp, bimtek_cppob, label, clinic, ...
    starts_at        timestamptz NOT NULL,
    duration_minutes integer     NOT NULL CHECK (duration_minutes > 0),
    place            text        NOT NULL,
    online_url       text,
    kabupaten        text,
    quota            integer     NOT NULL CHECK (quota >= 0),
    organiser        text        NOT NULL DEFAULT '',
    description      text        NOT NULL DEFAULT '',
    created_by       bigint      REFERENCES staff (id) ON DELETE SET NULL,
    cancelled_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trainings_starts_idx ON trainings (starts_at);

CREATE TABLE training_registrations (
    training_id   bigint      NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    owner_id      bigint      NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    registered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (training_id, owner_id)
);
CREATE INDEX training_registrations_owner_idx ON training_registrations (owner_id);

-- broadcasts (pengumuman) from staff; each recipient becomes an outbox row.
CREATE TABLE broadcasts (
    id         bigserial PRIMARY KEY,
    created_by bigint      REFERENCES staff (id) ON DELETE SET NULL,
    text       text        NOT NULL,
    kabupaten  text,        -- NULL = every owner
    status     text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'done', 'cancelled')),
    recipients integer     NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- inbox: every Telegram update, kept before it is acknowledged. update_id is unique within the
-- retention window (Telegram may restart ids after a long idle), so old rows are pruned.
CREATE TABLE inbox (
    update_id   bigint      PRIMARY KEY,
    chat_id     bigint,
    payload     jsonb       NOT NULL,
    status      text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts    integer     NOT NULL DEFAULT 0,
    last_error  text,
    received_at timestamptz NOT NULL DEFAULT now(),
    handled_at  timestamptz
);
CREATE INDEX inbox_pending_idx ON inbox (chat_id, update_id) WHERE status = 'pending';
CREATE INDEX inbox_received_idx ON inbox (received_at);

-- outbox: every message the bot sends. priority 0 = reply, 1 = reminder, 2 = broadcast.
-- dedupe_key makes a scheduled message exactly-once across instances and restarts.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    chat_id      bigint      NOT NULL,
    priority     smallint    NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 2),
    payload      jsonb       NOT NULL,
    dedupe_key   text        UNIQUE,
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0,
    not_before   timestamptz NOT NULL DEFAULT now(),
    last_error   text,
    broadcast_id bigint      REFERENCES broadcasts (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (priority, not_before, id) WHERE status = 'pending';
CREATE INDEX outbox_chat_idx ON outbox (chat_id, id);

-- sessions: where each chat is in its conversation.
CREATE TABLE sessions (
    chat_id    bigint      PRIMARY KEY,
    user_id    bigint      NOT NULL,
    state      jsonb       NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- reminders: the record of each reminder decided (the message itself is an outbox row with the
-- same dedupe key).
CREATE TABLE reminders (
    dedupe_key text        PRIMARY KEY,
    kind       text        NOT NULL, -- training, document_due, payment_due, permit_expiry
    owner_id   bigint      REFERENCES owners (id) ON DELETE CASCADE,
    subject_id bigint,
    due_at     timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- lookups: status lookups per Telegram user, for rate limiting (enumeration guard).
CREATE TABLE lookups (
    id               bigserial PRIMARY KEY,
    telegram_user_id bigint      NOT NULL,
    found            boolean     NOT NULL,
    at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lookups_user_idx ON lookups (telegram_user_id, at);

-- audit_log: who did what, for staff actions and personal-data events.
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_kind   text        NOT NULL CHECK (actor_kind IN ('owner', 'staff', 'system')),
    actor_id     bigint,
    action       text        NOT NULL,
    subject_kind text,
    subject_id   bigint,
    detail       jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_kind, subject_id);

-- +goose Down
DROP TABLE audit_log, lookups, reminders, sessions, outbox, inbox, broadcasts,
    training_registrations, trainings, staff, application_documents,
    application_status_history, applications, businesses, owners;
