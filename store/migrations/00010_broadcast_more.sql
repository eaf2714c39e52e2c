-- Broadcasts, part 2 (issue 10): messages named for later edits (a broadcast's progress), an
-- attachment, a send time, the expected count and the progress edits' pace. Migrations only
-- grow: never edit this file once it has landed.

-- +goose Up

-- message_refs: a message the sender sent with a Ref (flows.Reply.Ref), by chat and ref, so that
-- a later reply with EditRef edits it. Written in the same batch as the send's outcome.
CREATE TABLE message_refs (
    chat_id    bigint      NOT NULL,
    ref        text        NOT NULL,
    message_id bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, ref)
);
CREATE INDEX message_refs_updated_idx ON message_refs (updated_at);

-- file_id/file_photo: one photo or document sent with the text (a Telegram file id).
-- send_at: when the fan-out may start (NULL: at once). expected: the audience's size at the
-- confirmation (the progress message's total until every recipient is queued).
-- progress_at/progress_sig: the last progress edit queued and what it said, so that edits keep
-- Telegram's pace and an edit that would change nothing is skipped.
ALTER TABLE broadcasts
    ADD COLUMN file_id      text,
    ADD COLUMN file_photo   boolean     NOT NULL DEFAULT false,
    ADD COLUMN send_at      timestamptz,
    ADD COLUMN expected     integer     NOT NULL DEFAULT 0,
    ADD COLUMN progress_at  timestamptz,
    ADD COLUMN progress_sig text        NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE broadcasts DROP COLUMN file_id, DROP COLUMN file_photo, DROP COLUMN send_at, DROP COLUMN expected,
    DROP COLUMN progress_at, DROP COLUMN progress_sig;
DROP TABLE message_refs;
