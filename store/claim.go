package store

import (
	"context"
	"fmt"
)

// UnclaimApplication ends staffID's claim on the application; false when they did not hold it
// (nobody did, or someone else does).
func UnclaimApplication(ctx context.Context, db DB, applicationID, staffID int64) (bool, error) {
	tag, err := db.Exec(ctx, `UPDATE applications SET claimed_by = NULL, claimed_at = NULL WHERE id = $1 AND claimed_by = $2`,
		applicationID, staffID)
	if err != nil {
		return false, fmt.Errorf("store: unclaim application %d: %w", applicationID, err)
	}
	return tag.RowsAffected() == 1, nil
}
