package bot

import (
	"container/heap"
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"umkmbot/store"
)

// pass is one run of claiming and sending: Run's, which lasts, or Flush's, which ends when nothing
// is due. Its parts:
//   - the claim loop claims reply queues whenever it is nudged and there is room, and reminder and
//     broadcast queues on its poll tick, each kind within its own Batch, so a broadcast in hand
//     never keeps a reply from being claimed;
//   - workers take claimed queues, the most urgent first, and deliver them; a reminder or broadcast
//     is handed to a worker only when the bulk rate allows its send, so workers never sit waiting
//     for the bulk rate while a reply waits for a worker;
//   - the recorder writes outcomes to the database in batches, retrying until they stick; a queue
//     stays held by this pass (its lease renewed, never claimed again by it) until its outcome is
//     recorded.
type pass struct {
	s         *Sender
	untilIdle bool // Flush: stop when a claim finds nothing and nothing is in hand

	mu      sync.Mutex
	jobs    jobHeap
	held    map[store.QueueKey]store.ClaimedQueue // claimed, outcome not yet recorded
	busy    int                                   // jobs with a worker
	room    [2]int                                // claimed and not recorded, by kind (reply, bulk)
	urgent  bool                                  // a reply queue was recorded that may have more to send
	recheck bool                                  // a nudge came while reply queues were held
	changed chan struct{}                         // closed and replaced on every change
	closed  bool

	outcomes chan store.QueueOutcome
}

func (s *Sender) newPass(untilIdle bool) *pass {
	return &pass{s: s, untilIdle: untilIdle, changed: make(chan struct{}), held: map[store.QueueKey]store.ClaimedQueue{},
		outcomes: make(chan store.QueueOutcome, 4*s.cfg.Batch)}
}

func (p *pass) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// kind is 0 for reply queues, 1 for reminder and broadcast queues.
func kind(priority int) int {
	if priority == store.PriorityReply {
		return 0
	}
	return 1
}

// run runs the pass until ctx ends (or, for Flush, until nothing is left), then stops the
// workers, gives back what was claimed and not sent, and records every outcome it can.
func (p *pass) run(ctx context.Context) error {
	var workers, helpers sync.WaitGroup
	for range p.s.cfg.Workers {
		workers.Go(func() { p.work(ctx) })
	}
	// The recorder and the renewer outlive ctx: what was sent must be recorded after a stop.
	bg, stopHelpers := context.WithCancel(context.WithoutCancel(ctx))
	recorded := make(chan struct{})
	helpers.Go(func() { p.record(bg); close(recorded) })
	helpers.Go(func() { p.renew(bg) })

	err := p.claimLoop(ctx)
	p.close()
	workers.Wait()
	p.releaseQueued()
	close(p.outcomes)
	select {
	case <-recorded:
	case <-time.After(stopRecordBound):
		p.s.log.Error("sender: stopping before everything sent was recorded; those messages may go again")
	}
	stopHelpers()
	helpers.Wait()
	return err
}

// claimLoop claims queues whenever there is room and a reason to look, until ctx ends (or, for
// Flush, until nothing is left).
func (p *pass) claimLoop(ctx context.Context) error {
	s := p.s
	tick := time.NewTicker(s.cfg.PollInterval)
	defer tick.Stop()
	lookReplies, lookBulk := true, true // the first look is always made
	bulkMore := false                   // the last bulk claim took all it had room for
	failures := 0
	for ctx.Err() == nil {
		if wait := s.lim.paused(s.now()); wait > 0 {
			if deadline, ok := ctx.Deadline(); p.untilIdle && ok && time.Until(deadline) < wait {
				// A flush at a stop sends what can go in its time; Telegram asked us to wait longer.
				return nil
			}
			if !sleepCtx(ctx, wait) {
				break
			}
			lookReplies, lookBulk = true, true
		}
		p.mu.Lock()
		replyRoom, bulkRoom := s.cfg.Batch-p.room[0], s.cfg.Batch-p.room[1]
		lookReplies = lookReplies || p.urgent
		p.urgent = false
		idle := len(p.held) == 0
		changed := p.changed
		p.mu.Unlock()

		found := false
		for k, look := range []bool{lookReplies, lookBulk} {
			room := []int{replyRoom, bulkRoom}[k]
			if !look || room <= 0 {
				continue
			}
			opts := store.ClaimOptions{MinPriority: store.PriorityReply, MaxPriority: store.PriorityReply, Limit: room,
				Lease: s.cfg.Lease, PerReplyQueue: s.cfg.PerReplyQueue, Held: p.heldKeys()}
			if k == 1 {
				opts.MinPriority, opts.MaxPriority = store.PriorityReminder, store.PriorityBroadcast
			}
			wctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
			qs, err := store.ClaimOutbox(wctx, s.cfg.Store.DB(), s.now(), opts)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				failures++
				s.log.Warn("sender: claiming from the outbox", "err", err)
				if p.untilIdle && failures >= 3 {
					return err
				}
				sleepCtx(ctx, min(time.Duration(failures)*time.Second, 30*time.Second))
				found = true // look again at once
				continue
			}
			failures = 0
			if k == 0 {
				lookReplies = false
			} else {
				lookBulk, bulkMore = false, len(qs) == room
			}
			if len(qs) > 0 {
				p.push(qs)
				found = true
				// More replies may wait: look again as soon as there is room. More reminders and
				// broadcasts are claimed when those in hand run low (bulkMore, below), never
				// straight away: their queues are recorded while a claim runs, so there is always
				// some room again, and claiming into it at once kept this loop from ever getting
				// to a reply's nudge while a broadcast went faster than its claims (replies waited
				// 25 s in a broadcast of 20,000).
				if len(qs) == room && k == 0 {
					lookReplies = true
				}
			}
		}
		if found {
			continue
		}
		if p.untilIdle && idle {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-s.nudge:
			lookReplies = true
			p.mu.Lock()
			if p.room[0] > 0 {
				// A reply queue in hand may just have got more messages: claim again once it
				// is recorded.
				p.recheck = true
			}
			p.mu.Unlock()
		case <-tick.C:
			lookReplies, lookBulk = true, true
		case <-changed:
			// Look again only for a reason: a reply queue recorded that may have more to send
			// (urgent), or reminders and broadcasts in hand running low while the last claim
			// found more than it could take. A mere change (a send finished) is no reason: a
			// claim that finds nothing still costs the database a statement.
			p.mu.Lock()
			lookReplies = lookReplies || p.urgent
			lookBulk = lookBulk || (bulkMore && p.room[1] <= s.cfg.Batch/4)
			if p.untilIdle && len(p.held) == 0 {
				lookReplies, lookBulk = true, true
			}
			p.mu.Unlock()
		}
	}
	return nil
}

// heldKeys lists the queues this pass holds.
func (p *pass) heldKeys() []store.QueueKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := make([]store.QueueKey, 0, len(p.held))
	for k := range p.held {
		keys = append(keys, k)
	}
	return keys
}

func (p *pass) push(qs []store.ClaimedQueue) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range qs {
		p.held[q.QueueKey] = q
		p.room[kind(q.Priority)]++
		heap.Push(&p.jobs, q)
	}
	p.notifyLocked()
}

// next takes the most urgent claimed queue, waiting for one; false when the pass is over. A bulk
// queue is taken only when the bulk rate allows its send (bulk is true then: its first call's turn
// is taken).
func (p *pass) next(ctx context.Context) (q store.ClaimedQueue, bulk bool, ok bool) {
	for {
		p.mu.Lock()
		if p.closed || ctx.Err() != nil {
			p.mu.Unlock()
			return store.ClaimedQueue{}, false, false
		}
		var wait time.Duration
		if len(p.jobs) > 0 {
			top := p.jobs[0]
			class := p.s.queueClass(top.Priority)
			if class != classReply {
				wait = p.s.lim.take(p.s.now(), top.ChatID, class)
			}
			if wait == 0 {
				q := heap.Pop(&p.jobs).(store.ClaimedQueue)
				p.busy++
				p.mu.Unlock()
				return q, class != classReply, true
			}
		}
		changed := p.changed
		p.mu.Unlock()
		var timer *time.Timer
		var fire <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// finish hands a worker's outcome to the recorder.
func (p *pass) finish(o store.QueueOutcome) {
	p.mu.Lock()
	p.busy--
	p.notifyLocked()
	p.mu.Unlock()
	p.outcomes <- o
}

func (p *pass) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.notifyLocked()
}

// work is one worker: it delivers claimed queues until the pass is over.
func (p *pass) work(ctx context.Context) {
	for {
		q, bulk, ok := p.next(ctx)
		if !ok {
			return
		}
		p.finish(p.safeDeliver(ctx, q, bulk))
	}
}

// safeDeliver is deliver with a panic turned into a retry of the queue's first message (counted,
// so a message that always panics is given up after MaxAttempts), logged with its stack.
func (p *pass) safeDeliver(ctx context.Context, q store.ClaimedQueue, bulk bool) (out store.QueueOutcome) {
	defer func() {
		if r := recover(); r != nil {
			p.s.log.Error("sender: panic while delivering; the message is tried again later", "chat_id", q.ChatID,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			out = store.QueueOutcome{QueueKey: q.QueueKey, Claim: q.Claim, Next: store.QueueRetry,
				At: p.s.now().Add(retryDelay(q.Attempts)), Reason: "panic while delivering"}
			if len(q.Messages) > 0 {
				out.HeadID = q.Messages[0].ID
			}
		}
	}()
	return p.s.deliver(ctx, q, bulk)
}

// releaseQueued gives back the queues claimed and not taken by a worker, due at once, so that the
// next instance need not wait for their lease to run out.
func (p *pass) releaseQueued() {
	p.mu.Lock()
	var out []store.QueueOutcome
	for len(p.jobs) > 0 {
		q := heap.Pop(&p.jobs).(store.ClaimedQueue)
		out = append(out, store.QueueOutcome{QueueKey: q.QueueKey, Claim: q.Claim, Next: store.QueueRelease, At: p.s.now()})
	}
	p.mu.Unlock()
	for _, o := range out {
		p.outcomes <- o
	}
}

// record writes outcomes to the database as they come, many to a round trip, until the outcomes
// channel is closed and drained. A failed write is retried, with a pause growing to
// recordRetryMax, until it sticks: the queues stay held meanwhile.
func (p *pass) record(ctx context.Context) {
	s := p.s
	batch := make([]store.QueueOutcome, 0, 64)
	for {
		o, ok := <-p.outcomes
		if !ok {
			return
		}
		batch = append(batch[:0], o)
	drain:
		for len(batch) < cap(batch) {
			select {
			case o, ok := <-p.outcomes:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		for try := 0; ; try++ {
			wctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
			err := store.RecordOutbox(wctx, s.cfg.Store.DB(), batch)
			cancel()
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				s.log.Error("sender: stopped before recording what was sent; those messages may go again", "count", len(batch), "err", err)
				return
			}
			s.m.MarkRetries.Inc()
			s.log.Warn("sender: recording what was sent failed; trying again", "count", len(batch), "attempt", try+1, "err", err)
			sleepCtx(ctx, min(time.Duration(try+1)*250*time.Millisecond, recordRetryMax))
		}
		p.mu.Lock()
		for _, o := range batch {
			if o.Priority == store.PriorityReply && o.Next == store.QueueDone {
				gone := len(o.Sent)
				if o.FailedID != 0 {
					gone++
				}
				if q := p.held[o.QueueKey]; q.Pending > gone || p.recheck {
					p.urgent = true
				}
			}
			delete(p.held, o.QueueKey)
			p.room[kind(o.Priority)]--
		}
		if p.urgent {
			p.recheck = false
		}
		p.notifyLocked()
		p.mu.Unlock()
	}
}

// renew extends the leases of the queues this pass holds, every Lease/3, until ctx ends.
func (p *pass) renew(ctx context.Context) {
	s := p.s
	t := time.NewTicker(s.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		held := make([]store.ClaimedQueue, 0, len(p.held))
		for _, q := range p.held {
			held = append(held, q)
		}
		p.mu.Unlock()
		wctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
		if _, err := store.RenewOutboxLeases(wctx, s.cfg.Store.DB(), held, s.now().Add(s.cfg.Lease)); err != nil && ctx.Err() == nil {
			s.log.Warn("sender: renewing leases", "count", len(held), "err", err)
		}
		cancel()
	}
}

// jobHeap holds claimed queues waiting for a worker, the most urgent first: by priority, then by
// the id of the first message (the order they were enqueued).
type jobHeap []store.ClaimedQueue

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, j int) bool {
	if h[i].Priority != h[j].Priority {
		return h[i].Priority < h[j].Priority
	}
	return firstID(h[i]) < firstID(h[j])
}
func (h jobHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)   { *h = append(*h, x.(store.ClaimedQueue)) }
func (h *jobHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	*h = old[:len(old)-1]
	return q
}

func firstID(q store.ClaimedQueue) int64 {
	if len(q.Messages) == 0 {
		return 0
	}
	return q.Messages[0].ID
}
