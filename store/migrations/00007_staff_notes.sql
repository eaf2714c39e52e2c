-- Internal notes on an application, and staff notices held a moment to be folded into one message
-- (issue 9). Migrations only grow: never edit this file once it has landed.

-- +goose Up

-- application_notes: what staff write on an application's card for each other. Owners never see
-- them. They may quote the owner (a name, a phone number), so /hapus_data deletes them with the
-- owner's other personal data (store.DeleteOwnerData), and they go with the application.
CREATE TABLE application_notes (
    id             bigserial PRIMARY KEY,
    application_id bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    staff_id       bigint      REFERENCES staff (id) ON DELETE SET NULL,
    body           text        NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at     timestamptz NOT NULL
);
CREATE INDEX application_notes_app_idx ON application_notes (application_id, id);

-- staff_notices_pending: a notice to one staff chat (a new application, documents complete, an
-- owner's resubmission) waiting to be sent. The staff-notices job takes a chat's notices once the
-- first has waited its delay and queues them as one message: the notice itself when it is alone,
-- a summary by kind and kabupaten when several came. Taking deletes them in the transaction that
-- queues the message, so each notice is sent once. text is the notice as it would go alone;
-- dedupe_key keeps a notice decided twice (an update handled again) from being held twice.
CREATE TABLE staff_notices_pending (
    id             bigserial PRIMARY KEY,
    chat_id        bigint      NOT NULL,
    staff_id       bigint      NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kind           text        NOT NULL,
    application_id bigint      NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kabupaten      text        NOT NULL DEFAULT '',
    text           text        NOT NULL,
    dedupe_key     text        NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL
);
CREATE INDEX staff_notices_pending_chat_idx ON staff_notices_pending (chat_id, id);

-- +goose Down
DROP TABLE staff_notices_pending;
DROP TABLE application_notes;
