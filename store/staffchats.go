package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// StaffChat is the private chat of someone who is or was staff, with the language they use and
// their role ("" once they are no longer staff): what their command menu should be.
type StaffChat struct {
	ChatID int64
	Lang   string
	Role   string
}

// StaffChats returns the chat of every staff member and admin, active or not, in the language of
// their owners row ("id" when they never wrote). Role is "" for one no longer active, and for one
// using the bot as an owner of their own business just now (/mode_pemilik): the owners' menu.
func StaffChats(ctx context.Context, db DB) ([]StaffChat, error) {
	rows, err := db.Query(ctx, `
		SELECT coalesce(o.chat_id, s.telegram_user_id), coalesce(o.lang, 'id'),
			CASE WHEN s.active AND NOT coalesce((ss.state->>'as_owner')::boolean, false) THEN s.role ELSE '' END
		FROM staff s LEFT JOIN owners o ON o.telegram_user_id = s.telegram_user_id
			LEFT JOIN sessions ss ON ss.chat_id = coalesce(o.chat_id, s.telegram_user_id)
		ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: staff chats: %w", err)
	}
	chats, err := pgx.CollectRows(rows, pgx.RowToStructByPos[StaffChat])
	if err != nil {
		return nil, fmt.Errorf("store: staff chats: %w", err)
	}
	return chats, nil
}
