package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// IdleSession is a conversation untouched for a while that holds a flow's draft (running or set
// aside), with the owner to write to and their language. State is the session's JSON, which
// package flows reads.
type IdleSession struct {
	ChatID    int64
	State     []byte
	UpdatedAt time.Time
	Lang      string
}

// IdleSessionsWithFlow returns the sessions last saved after from and no later than to whose
// running flow or set-aside draft is the named flow, by last save and chat. Owners who deleted
// their data are left out, and so are active staff in staff mode (an owner-mode draft of theirs is
// offered only in owner mode).
func IdleSessionsWithFlow(ctx context.Context, db DB, flow string, from, to time.Time) ([]IdleSession, error) {
	rows, err := db.Query(ctx, `
		SELECT s.chat_id, s.state, s.updated_at, o.lang
		FROM sessions s JOIN owners o ON o.telegram_user_id = s.user_id
		WHERE s.updated_at > $2 AND s.updated_at <= $3 AND o.deleted_at IS NULL
			AND (s.state->>'flow' = $1 OR s.state->'parked' ? $1)
			-- Staff in staff mode: their owner-side draft is not theirs to resume there.
			AND (coalesce((s.state->>'as_owner')::boolean, false)
				OR NOT EXISTS (SELECT 1 FROM staff st WHERE st.telegram_user_id = s.user_id AND st.active))
		ORDER BY s.updated_at, s.chat_id`, flow, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: idle sessions with %s: %w", flow, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (IdleSession, error) {
		var s IdleSession
		err := r.Scan(&s.ChatID, &s.State, &s.UpdatedAt, &s.Lang)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: idle sessions with %s: %w", flow, err)
	}
	return out, nil
}
