package store

import (
	"context"
	"fmt"
	"time"
)

// RecordLookup records one status lookup by the Telegram user, and whether it found an
// application; the flow rate-limits lookups with CountLookups (a guard against walking through
// other people's numbers).
func RecordLookup(ctx context.Context, db DB, telegramUserID int64, found bool, at time.Time) error {
	if _, err := db.Exec(ctx, `INSERT INTO lookups (telegram_user_id, found, at) VALUES ($1, $2, $3)`,
		telegramUserID, found, at); err != nil {
		return fmt.Errorf("store: record lookup: %w", err)
	}
	return nil
}

// CountLookups returns how many lookups the Telegram user made at or after since, and how many of
// them found nothing.
func CountLookups(ctx context.Context, db DB, telegramUserID int64, since time.Time) (total, failed int, err error) {
	err = db.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE NOT found) FROM lookups WHERE telegram_user_id = $1 AND at >= $2`,
		telegramUserID, since).Scan(&total, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count lookups: %w", err)
	}
	return total, failed, nil
}
