package flows

import (
	"context"
	"time"

	"umkmbot/store"
)

// Act runs fn for actor outside any conversation (a CSV import from the command line): a Ctx
// with no event and an empty session that is never saved, in the caller's transaction db. What fn
// said and notified is returned for the caller to print and queue.
func (e *Engine) Act(ctx context.Context, db store.DB, actor Actor, lang string, now time.Time, fn func(c *Ctx) error) (Result, error) {
	c := &Ctx{Context: ctx, e: e, DB: db, Owner: actor.Owner, Actor: actor, Sess: &Session{}, Now: now, L: e.msgs.For(lang)}
	c.set = e.setFor(actor.Role)
	if err := fn(c); err != nil {
		return Result{}, err
	}
	return c.res, nil
}

// TakeNotices returns the notices queued so far and forgets them: a batch (a CSV import) queues
// them itself, under keys of its own.
func (c *Ctx) TakeNotices() []Notice {
	n := c.res.Notices
	c.res.Notices = nil
	return n
}
