package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DeleteOwnerData carries out /hapus_data for the owner: every place their personal data lives
// is cleared or deleted, table by table (keep this list in step with the schema; the flows test
// TestDeleteDataLeavesNoTrace walks every table to prove it):
//
//   - owners: name and phone cleared, deleted_at set. The row stays (Telegram user and chat id,
//     language): it is how the bot knows the person when they write again.
//   - businesses: the name becomes "(dihapus)", NIB and desa are cleared; the kabupaten and the
//     village's OVOP product stay (the programme's statistics).
//   - applications never submitted (status draft): deleted, with their documents and history.
//   - applications submitted: kept as the record of a request to a government programme
//     (number, permit path, product name and description, kabupaten, status and its history,
//     permit number, dates) at the office that handles it. /hapus_data then lets go of them
//     (DetachOwnerApplications, same transaction): they no longer point to the owner or the
//     business, so they are no longer the chat's. Their documents lose the Telegram file ids
//     and file names (the files are the owner's papers: the NIB page, labels, photos); which
//     kind was sent, when, its type and size stay.
//   - application_notes: the internal notes staff wrote on the owner's applications are deleted
//     (staff text, but it may quote the owner's name or phone: it goes with their personal data).
//   - training_registrations: deleted; so are the owner's places on waiting lists
//     (training_waitlist), wishes to be told of trainings (training_interests) and which
//     openings they were told of (training_openings_told).
//   - held_permits: deleted (permits the owner recorded with /izin_saya: numbers and products
//     of their own, and no request to the programme).
//   - sessions: the chat's is deleted (answers in progress, drafts). The engine must not save
//     it again after this.
//   - inbox: the chat's raw updates already handled, and askingUpdateID (the update that asked
//     for the deletion, still pending while it is handled; 0 when none), keep only their ids:
//     the id still recognises a redelivery, the payload (names, contact, texts, files) goes.
//     Later updates still pending are left to be handled.
//   - outbox: messages still waiting to be sent to the chat are dropped (they quote the name,
//     phone and NIB back). What the caller sends after this, the confirmation, still goes.
//   - audit_log: one "owner.delete_data" row, with counts only.
//
// Left as they are, holding no name, phone or NIB: lookups (user id, time, found: the
// rate-limit guard against walking through application numbers, which deleting would reset;
// pruned after a day), reminders already decided (ids), audit rows of earlier actions (ids),
// notices to staff, sent or held (number, product, permit path, kabupaten).
//
// The steps commit together: in the caller's transaction (as a savepoint) or, given the pool,
// in a transaction of their own. ErrNotFound when there is no such owner.
func DeleteOwnerData(ctx context.Context, db DB, ownerID, askingUpdateID int64, at time.Time) error {
	err := inTx(ctx, db, func(tx DB) error {
		var chatID int64
		err := tx.QueryRow(ctx, `
			UPDATE owners SET name = NULL, phone = NULL, deleted_at = $2, updated_at = $2
			WHERE id = $1 RETURNING chat_id`, ownerID, at).Scan(&chatID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		counts := map[string]any{}
		exec := func(name, sql string, args ...any) error {
			tag, err := tx.Exec(ctx, sql, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			counts[name] = tag.RowsAffected()
			return nil
		}
		if err := exec("businesses", `
			UPDATE businesses SET name = '(dihapus)', nib = NULL, desa = NULL, updated_at = $2
			WHERE owner_id = $1`, ownerID, at); err != nil {
			return err
		}
		if err := exec("draft_applications", `
			DELETE FROM applications a WHERE a.status = 'draft'
			  AND (`+ownerApplicationsSQL+`)`, ownerID); err != nil {
			return err
		}
		if err := exec("documents", `
			UPDATE application_documents d SET file_id = NULL, file_unique_id = NULL, file_name = NULL
			FROM applications a
			WHERE a.id = d.application_id
			  AND (`+ownerApplicationsSQL+`)
			  AND (d.file_id IS NOT NULL OR d.file_unique_id IS NOT NULL OR d.file_name IS NOT NULL)`, ownerID); err != nil {
			return err
		}
		if err := exec("application_notes", `
			DELETE FROM application_notes n USING applications a
			WHERE a.id = n.application_id
			  AND (`+ownerApplicationsSQL+`)`, ownerID); err != nil {
			return err
		}
		if err := exec("training_registrations", `DELETE FROM training_registrations WHERE owner_id = $1`, ownerID); err != nil {
			return err
		}
		if err := exec("training_waitlist", `DELETE FROM training_waitlist WHERE owner_id = $1`, ownerID); err != nil {
			return err
		}
		if err := exec("training_interests", `DELETE FROM training_interests WHERE owner_id = $1`, ownerID); err != nil {
			return err
		}
		if err := exec("training_openings_told", `DELETE FROM training_openings_told WHERE owner_id = $1`, ownerID); err != nil {
			return err
		}
		if err := exec("held_permits", `DELETE FROM held_permits WHERE owner_id = $1`, ownerID); err != nil {
			return err
		}
		if err := DeleteSession(ctx, tx, chatID); err != nil {
			return err
		}
		if counts["inbox_updates"], err = scrubChatInbox(ctx, tx, chatID, askingUpdateID); err != nil {
			return err
		}
		if counts["outbox_messages"], err = DropChatOutbox(ctx, tx, chatID); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{ActorKind: "owner", ActorID: ownerID, Action: "owner.delete_data",
			SubjectKind: "owner", SubjectID: ownerID, Detail: counts}, at)
	})
	if err != nil {
		return fmt.Errorf("store: delete data of owner %d: %w", ownerID, err)
	}
	return nil
}

// ownerApplicationsSQL is the condition on applications a that selects the owner $1's: theirs, or
// made for one of their businesses.
const ownerApplicationsSQL = `a.owner_id = $1 OR a.business_id IN (SELECT id FROM businesses WHERE owner_id = $1)`

// scrubChatInbox empties the raw update of the chat's handled and failed inbox rows, and of the
// pending row askingUpdateID, keeping the rows (their update_id recognises a redelivery). It
// returns how many rows were scrubbed. The literal '{}' is an empty JSON object whether the
// column is jsonb or bytea.
func scrubChatInbox(ctx context.Context, db DB, chatID, askingUpdateID int64) (int64, error) {
	tag, err := db.Exec(ctx, `
		UPDATE inbox SET payload = '{}'
		WHERE chat_id = $1 AND (status <> 'pending' OR update_id = $2) AND payload <> '{}'`, chatID, askingUpdateID)
	if err != nil {
		return 0, fmt.Errorf("scrub inbox of chat %d: %w", chatID, err)
	}
	return tag.RowsAffected(), nil
}
