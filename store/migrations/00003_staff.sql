-- Staff as a real actor (issue 9): one-time invites, read-only staff, claiming an application.
-- Migrations only grow: never edit this file once it has landed.

-- +goose Up

-- staff.unit now holds an office code (a BPOM unit or a kabupaten health office, flows/domain);
-- a viewer sees the office's queue and cards but acts on nothing.
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('staff', 'viewer', 'admin'));

-- staff_invites: a one-time deep link (/start staf_<code>) an admin made for an office and role.
-- Only the code's SHA-256 is kept: the table does not hold a usable link.
CREATE TABLE staff_invites (
    id          bigserial PRIMARY KEY,
    code_hash   bytea       NOT NULL UNIQUE,
    office      text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('staff', 'viewer')),
    created_by  bigint      REFERENCES staff (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    used_by     bigint      REFERENCES staff (id) ON DELETE SET NULL
);

-- Who is handling an application ("saya tangani"), so two officers don't work the same one.
ALTER TABLE applications ADD COLUMN claimed_by bigint REFERENCES staff (id) ON DELETE SET NULL;
ALTER TABLE applications ADD COLUMN claimed_at timestamptz;
CREATE INDEX applications_open_idx ON applications (submitted_at, id) WHERE status IN ('submitted', 'in_review', 'needs_fix', 'awaiting_payment');

-- +goose Down
DROP INDEX applications_open_idx;
ALTER TABLE applications DROP COLUMN claimed_at, DROP COLUMN claimed_by;
DROP TABLE staff_invites;
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('staff', 'admin'));
