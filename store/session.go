package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// LoadSession returns the chat's conversation state (JSON the store does not interpret) and when
// it was saved, or ErrNotFound when the chat has none. The row stays locked until the caller's
// transaction ends, so two updates of one chat that race past the chat lock still serialise.
// Note that PostgreSQL stores the state as jsonb: it comes back with the same meaning, not
// necessarily the same bytes (key order and spacing are normalised).
func LoadSession(ctx context.Context, db DB, chatID int64) (state []byte, updatedAt time.Time, err error) {
	err = db.QueryRow(ctx, `SELECT state, updated_at FROM sessions WHERE chat_id = $1 FOR UPDATE`, chatID).
		Scan(&state, &updatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, time.Time{}, fmt.Errorf("store: session of chat %d: %w", chatID, ErrNotFound)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: session of chat %d: %w", chatID, err)
	}
	return state, updatedAt, nil
}

// SaveSession writes the chat's conversation state (empty means {}), creating the row or
// replacing it.
func SaveSession(ctx context.Context, db DB, chatID, userID int64, state []byte, at time.Time) error {
	if len(state) == 0 {
		state = []byte(`{}`)
	}
	if _, err := db.Exec(ctx, `
		INSERT INTO sessions (chat_id, user_id, state, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (chat_id) DO UPDATE SET user_id = excluded.user_id, state = excluded.state, updated_at = excluded.updated_at`,
		chatID, userID, state, at); err != nil {
		return fmt.Errorf("store: save session of chat %d: %w", chatID, err)
	}
	return nil
}

// DeleteSession forgets the chat's conversation state; no session is no error.
func DeleteSession(ctx context.Context, db DB, chatID int64) error {
	if _, err := db.Exec(ctx, `DELETE FROM sessions WHERE chat_id = $1`, chatID); err != nil {
		return fmt.Errorf("store: delete session of chat %d: %w", chatID, err)
	}
	return nil
}
