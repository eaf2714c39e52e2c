package store

import (
	"context"
	"fmt"
)

// DetachOwnerApplications is the last step of /hapus_data (after DeleteOwnerData, in the same
// transaction): the owner's submitted applications stay with the office that handles them,
// anonymised, but no longer point to the owner or their business. So they are no longer the
// chat's: /pengajuan does not list them, /status shows them as to anyone holding the number, no
// notice or reminder about them reaches the chat, also after the person fills a new profile.
// It returns how many applications were let go.
func DetachOwnerApplications(ctx context.Context, db DB, ownerID int64) (int64, error) {
	tag, err := db.Exec(ctx, `
		UPDATE applications a SET owner_id = NULL, business_id = NULL
		WHERE `+ownerApplicationsSQL, ownerID)
	if err != nil {
		return 0, fmt.Errorf("store: detach applications of owner %d: %w", ownerID, err)
	}
	return tag.RowsAffected(), nil
}
