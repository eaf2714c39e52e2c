package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// Idle drafts: a registration left unfinished is nudged once the conversation has been quiet
// draftIdle, and the nudge is useful until draftStale (later, the owner has moved on; the draft
// is still offered when they return).
const (
	draftFlow  = "register"
	draftIdle  = 48 * time.Hour
	draftStale = 7 * 24 * time.Hour
)

// IdleDrafts nudges an owner whose registration is unfinished (running or set aside) and whose
// conversation has been quiet for 2 days, once per quiet spell, with a button to go on where they
// left off.
func (j *Jobs) IdleDrafts(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	sessions, err := store.IdleSessionsWithFlow(ctx, db, draftFlow, now.Add(-draftStale), now.Add(-draftIdle))
	if err != nil {
		return nil, fmt.Errorf("idle drafts: %w", err)
	}
	var msgs []Message
	for _, s := range sessions {
		var sess flows.Session
		if err := json.Unmarshal(s.State, &sess); err != nil {
			continue // a session this version cannot read is replaced when the owner writes
		}
		if sess.Flow != draftFlow && sess.Parked[draftFlow] == nil {
			continue
		}
		l := j.localizer(s.Lang)
		msgs = append(msgs, Message{
			ChatID: s.ChatID,
			Key:    fmt.Sprintf("draft:%s:chat:%d:%d", draftFlow, s.ChatID, s.UpdatedAt.Unix()),
			Reply: flows.Reply{Text: l.T("ReminderDraftRegister"), Buttons: [][]flows.Button{
				{{Label: l.T("ReminderDraftResumeButton"), Data: "a:resume:" + draftFlow}},
			}},
		})
	}
	return msgs, nil
}
