-- A broadcast's sending office (issue 10): only its staff and admins may cancel it, so the office
-- is kept as it was when the broadcast was made (a staff member moved to another office later
-- does not take their old broadcasts along). Migrations only grow: never edit this file once it
-- has landed.

-- +goose Up

-- office: the sending staff member's office code; NULL for an admin's broadcast (admins alone
-- cancel it). Earlier broadcasts take their sender's present office.
ALTER TABLE broadcasts ADD COLUMN office text;
UPDATE broadcasts b SET office = s.unit
FROM staff s
WHERE s.id = b.created_by AND s.role <> 'admin' AND coalesce(s.unit, '') <> '';

-- +goose Down
ALTER TABLE broadcasts DROP COLUMN office;
