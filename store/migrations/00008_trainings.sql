-- Trainings end to end (issue 10; openings of issue 11): the organising office, a waiting list,
-- attendance, and owners who asked to be told when a kind of training opens in their kabupaten.
-- Migrations only grow: never edit this file once it has landed.

-- +goose Up

-- office: the code of the office that organises the training (flows/domain); its staff manage
-- it and see registrants' phones. '' for one an admin made (admins manage every training).
ALTER TABLE trainings ADD COLUMN office text NOT NULL DEFAULT '';
UPDATE trainings t SET office = coalesce(s.unit, '') FROM staff s WHERE s.id = t.created_by AND s.role <> 'admin';
CREATE INDEX trainings_office_idx ON trainings (office, starts_at);

-- Attendance, marked by staff after the day: NULL not marked yet, true attended, false absent.
-- certificate_file_id: a Telegram file id of the certificate staff sent, when they did.
ALTER TABLE training_registrations
    ADD COLUMN attended            boolean,
    ADD COLUMN attendance_marked_at timestamptz,
    ADD COLUMN attendance_marked_by bigint REFERENCES staff (id) ON DELETE SET NULL,
    ADD COLUMN certificate_file_id text;

-- The waiting list of a full training, first come first served: a freed seat goes to the
-- earliest joined_at (the training row is locked while seats are counted and given).
CREATE TABLE training_waitlist (
    training_id bigint      NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    owner_id    bigint      NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    joined_at   timestamptz NOT NULL,
    PRIMARY KEY (training_id, owner_id)
);
CREATE INDEX training_waitlist_order_idx ON training_waitlist (training_id, joined_at, owner_id);
CREATE INDEX training_waitlist_owner_idx ON training_waitlist (owner_id);

-- "Beri tahu saya": an owner asked to be told when a training of a kind opens in a kabupaten.
-- Open until they sign up for a training of that kind or withdraw (fulfilled_at); the
-- training-openings job tells them once per training (dedupe key per training and owner).
CREATE TABLE training_interests (
    id           bigserial PRIMARY KEY,
    owner_id     bigint      NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    kind         text        NOT NULL,
    kabupaten    text        NOT NULL,
    created_at   timestamptz NOT NULL,
    fulfilled_at timestamptz
);
CREATE UNIQUE INDEX training_interests_open_idx ON training_interests (owner_id, kind) WHERE fulfilled_at IS NULL;
CREATE INDEX training_interests_kind_idx ON training_interests (kind, kabupaten) WHERE fulfilled_at IS NULL;

-- +goose Down
DROP TABLE training_interests;
DROP TABLE training_waitlist;
ALTER TABLE training_registrations DROP COLUMN attended, DROP COLUMN attendance_marked_at,
    DROP COLUMN attendance_marked_by, DROP COLUMN certificate_file_id;
DROP INDEX trainings_office_idx;
ALTER TABLE trainings DROP COLUMN office;
