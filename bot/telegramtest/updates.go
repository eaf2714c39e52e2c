package telegramtest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"
)

// queued is an update waiting to be confirmed (polling) or accepted (webhook).
type queued struct {
	u          models.Update
	redelivery bool // a duplicate given again on purpose; survives one confirmation
	sent       bool
	attempts   int // webhook deliveries tried
}

type updateQueue struct {
	lastID  int64
	pending []*queued
	history map[int64]models.Update
}

// enqueueLocked queues an update, numbering it when it has no id yet.
func (s *Server) enqueueLocked(u models.Update) int64 {
	q := &s.updates
	if u.ID == 0 {
		u.ID = q.lastID + 1
	}
	q.lastID = max(q.lastID, u.ID)
	if q.history == nil {
		q.history = map[int64]models.Update{}
	}
	q.history[u.ID] = u
	q.pending = append(q.pending, &queued{u: u})
	s.notifyLocked()
	return u.ID
}

// PushRaw queues any update as if Telegram received it; an update without an id gets the next
// one. It returns the update_id.
func (s *Server) PushRaw(update models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueueLocked(update)
}

// Redeliver queues an update that was already delivered once more, with the same update_id, as
// Telegram does when it did not see the bot's confirmation. Long polling returns it on the next
// getUpdates whatever the offset; a webhook receives it again.
func (s *Server) Redeliver(updateID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.updates.history[updateID]
	if !ok {
		return fmt.Errorf("telegramtest: no update %d was ever queued", updateID)
	}
	s.updates.pending = append(s.updates.pending, &queued{u: u, redelivery: true})
	s.notifyLocked()
	return nil
}

// PendingUpdates is how many updates are queued and not yet confirmed or delivered.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates.pending)
}

// confirmLocked drops what an offset confirms: every update below it (a negative offset keeps
// only the last -offset updates, as in the Bot API).
func (s *Server) confirmLocked(offset int64) {
	q := &s.updates
	if offset < 0 {
		if keep := int(-offset); keep < len(q.pending) {
			q.pending = q.pending[len(q.pending)-keep:]
		}
		return
	}
	kept := q.pending[:0]
	for _, e := range q.pending {
		if e.u.ID >= offset || (e.redelivery && !e.sent) {
			kept = append(kept, e)
		}
	}
	clear(q.pending[len(kept):])
	q.pending = kept
}

var errWebhookActive = &apiError{Code: http.StatusConflict,
	Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}

// getUpdates is long polling: it answers at once when updates are queued, else waits up to
// timeout seconds for one to arrive.
func (s *Server) getUpdates(ctx context.Context, p Params) (any, *apiError) {
	offset := p.Int("offset")
	limit := int(p.Int("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timer := time.NewTimer(time.Duration(max(0, p.Int("timeout"))) * time.Second)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.webhook.url != "" {
			s.mu.Unlock()
			return nil, errWebhookActive
		}
		s.confirmLocked(offset)
		out := []models.Update{}
		for _, e := range s.updates.pending {
			if len(out) == limit {
				break
			}
			if e.u.ID >= offset || e.redelivery {
				e.sent = true
				out = append(out, e.u)
			}
		}
		changed := s.changed
		s.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return out, nil
		case <-ctx.Done():
			return out, nil
		case <-s.ctx.Done():
			return out, nil
		}
	}
}
