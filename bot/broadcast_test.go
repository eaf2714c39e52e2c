package bot

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/flows/staff"
	"umkmbot/locales"
	"umkmbot/store"
)

// broadcastRig is a sender rig with owners in Ngada and a staff member (9001, in English), for
// the broadcaster's tests.
type broadcastRig struct {
	*senderRig
	msgs *locales.Bundle
}

func newBroadcastRig(t *testing.T, owners int) *broadcastRig {
	t.Helper()
	r := newSenderRig(t)
	ctx := context.Background()
	db := r.db.DB()
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for user := int64(1001); user < 1001+int64(owners); user++ {
		lang := "id"
		if user%5 == 0 {
			lang = "en"
		}
		r.srv.User(user, "Owner", lang)
		o, _, err := store.UpsertOwner(ctx, db, user, user, lang)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SaveBusiness(ctx, db, &store.Business{OwnerID: o.ID, Name: "Usaha", Kabupaten: "ngada"}); err != nil {
			t.Fatal(err)
		}
	}
	r.srv.User(9001, "Staff", "en")
	if _, _, err := store.UpsertOwner(ctx, db, 9001, 9001, "en"); err != nil { // the staff member's own row
		t.Fatal(err)
	}
	return &broadcastRig{senderRig: r, msgs: msgs}
}

// create stores a broadcast to Ngada from staff chat 9001.
func (r *broadcastRig) create(change func(b *store.Broadcast)) store.Broadcast {
	r.t.Helper()
	b := store.Broadcast{StaffChat: 9001, Audience: store.Audience{Kind: store.AudienceKabupaten, Kabupaten: []string{"ngada"}},
		Texts: map[string]string{"id": "Pengumuman: pelatihan PKP", "en": "Announcement: PKP course"}}
	if change != nil {
		change(&b)
	}
	if err := store.CreateBroadcast(context.Background(), r.db.DB(), &b); err != nil {
		r.t.Fatal(err)
	}
	return b
}

// delivered maps each chat to the texts (or captions) Telegram accepted for it.
func (r *broadcastRig) delivered() map[int64][]string {
	got := map[int64][]string{}
	for _, method := range []string{"sendMessage", "sendPhoto", "sendDocument"} {
		for _, c := range r.srv.Calls(method) {
			if c.Status == 200 {
				text := c.Params.Get("text") + c.Params.Get("caption")
				got[c.Params.Int("chat_id")] = append(got[c.Params.Int("chat_id")], text)
			}
		}
	}
	return got
}

// staffMessages is the staff chat as it stands: the bot's messages, edits applied.
func (r *broadcastRig) staffMessages() []string {
	var out []string
	for _, e := range r.srv.User(9001, "Staff", "en").Transcript() {
		if e.FromBot && !e.Deleted {
			out = append(out, e.Text)
		}
	}
	return out
}

// A broadcast to 30 owners, fanned out 7 at a time and sent through the fake Bot API with its
// limits: every reachable owner gets it exactly once in their language, a fan-out started again
// (a restart) sends nobody anything twice, the owner who blocked the bot before and the two who
// block it during are counted unreachable, and the staff member's one progress message ends as
// the final report.
func TestBroadcasterDeliversOnceAndReports(t *testing.T) {
	r := newBroadcastRig(t, 30)
	ctx := context.Background()
	db := r.db.DB()
	if err := store.MarkOwnerUnreachable(ctx, db, 1001, r.now()); err != nil {
		t.Fatal(err)
	}
	r.srv.Block(1002)
	r.srv.Block(1003)
	b := r.create(nil)

	caster := NewBroadcaster(BroadcasterConfig{Store: r.db, Messages: r.msgs, Batch: 7, Now: r.now})
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	// A second instance (or a restart) that lost the place: nothing is queued twice.
	if _, err := db.Exec(ctx, `UPDATE broadcasts SET status = 'queued', fanned_to = 0, queued = 0 WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	s := r.sender(func(c *SenderConfig) { c.GlobalRate = 1000; c.OverallRate = 1000 })
	r.flush(s)
	if err := caster.Pass(ctx); err != nil { // finishes it and edits the report in
		t.Fatal(err)
	}
	r.flush(s)

	got := r.delivered()
	for user := int64(1004); user <= 1030; user++ {
		want := "Pengumuman: pelatihan PKP"
		if user%5 == 0 {
			want = "Announcement: PKP course"
		}
		if len(got[user]) != 1 || got[user][0] != want {
			t.Fatalf("owner %d got %q, want %q once", user, got[user], want)
		}
	}
	for _, user := range []int64{1001, 1002, 1003} {
		if len(got[user]) != 0 {
			t.Fatalf("unreachable owner %d got %q", user, got[user])
		}
	}
	if n := r.srv.TooManyRequestsCount(); n != 0 {
		t.Fatalf("%d 429s", n)
	}
	rep, err := store.BroadcastReportOf(ctx, db, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != store.BroadcastDone || rep.Delivered != 27 || rep.Unreachable != 3 || rep.Failed != 0 || rep.Waiting != 0 {
		t.Fatalf("report %+v", rep)
	}
	staff := r.staffMessages()
	if len(staff) != 1 || !strings.Contains(staff[0], "Delivered: 27") || !strings.Contains(staff[0], "blocked the bot): 3") {
		t.Fatalf("the staff member's chat: %q", staff)
	}
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	r.flush(s)
	if n := len(r.srv.Calls("sendMessage")); n != 30 {
		t.Fatalf("%d sendMessage calls after another pass, want 30 (27 owners, 2 blocked, 1 progress message)", n)
	}
}

// The progress message is edited as the broadcast goes, never twice within ProgressEvery by the
// broadcaster's clock, not at all when nothing changed, and its last edit is the final report.
func TestBroadcasterProgressEdits(t *testing.T) {
	r := newBroadcastRig(t, 12)
	ctx := context.Background()
	db := r.db.DB()
	if err := store.MarkOwnerUnreachable(ctx, db, 1001, r.now()); err != nil {
		t.Fatal(err)
	}
	b := r.create(nil)
	var mu sync.Mutex
	clock := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	const every = 5 * time.Second
	caster := NewBroadcaster(BroadcasterConfig{Store: r.db, Messages: r.msgs, Now: now, ProgressEvery: every})
	noted := func() (at time.Time, sig string) {
		t.Helper()
		var p *time.Time
		if err := db.QueryRow(ctx, `SELECT progress_at, progress_sig FROM broadcasts WHERE id = $1`, b.ID).Scan(&p, &sig); err != nil {
			t.Fatal(err)
		}
		if p != nil {
			at = *p
		}
		return at, sig
	}

	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	first, sig := noted()
	if !strings.Contains(sig, "Delivered 0 / 12 · 1 unreachable") {
		t.Fatalf("first progress %q", sig)
	}
	// Nothing sent meanwhile: no edit, however long it has been.
	advance(3 * every)
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if at, _ := noted(); !at.Equal(first) {
		t.Fatal("an edit was queued with nothing changed")
	}

	// The sender goes at 4 owners a second; the broadcaster passes every second of its clock.
	s := r.sender(func(c *SenderConfig) { c.GlobalRate = 4; c.OverallRate = 1000 })
	r.run(s)
	last, lastSig, edits, passes := first, sig, 1, 0
	for {
		rep, err := store.BroadcastReportOf(ctx, db, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status == store.BroadcastDone {
			break
		}
		if passes++; passes > 1000 {
			t.Fatal("the broadcast does not end")
		}
		advance(time.Second)
		if err := caster.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		if at, sig := noted(); !at.Equal(last) {
			if at.Sub(last) < every {
				t.Fatalf("two progress edits %v apart, want at least %v", at.Sub(last), every)
			}
			if sig == lastSig {
				t.Fatalf("an edit that changes nothing: %q", sig)
			}
			last, lastSig, edits = at, sig, edits+1
		}
		// Wait for the sender to send one more (or the last), so the passes see it go.
		r.waitDB("a send", func() bool {
			now, err := store.BroadcastReportOf(ctx, db, b.ID)
			return err == nil && (now.Delivered > rep.Delivered || now.Waiting == 0)
		})
	}
	if edits < 2 {
		t.Fatalf("%d progress edits over %d passes: the message did not move", edits, passes)
	}
	r.waitFor("the report", func() bool {
		m := r.staffMessages()
		return len(m) == 1 && strings.Contains(m[0], "Delivered: 11")
	})
	m := r.staffMessages()
	if !strings.Contains(m[0], "blocked the bot): 1") || !strings.Contains(m[0], "finished") {
		t.Fatalf("the final report: %q", m[0])
	}
	sends, editCalls := 0, 0
	for _, c := range r.srv.Calls("sendMessage") {
		if c.Params.Int("chat_id") == 9001 {
			sends++
		}
	}
	for _, c := range r.srv.Calls("editMessageText") {
		if c.Params.Int("chat_id") == 9001 {
			editCalls++
		}
	}
	if sends != 1 || editCalls != edits { // the first progress is the message, the rest and the report edits
		t.Fatalf("staff chat: %d messages and %d edits, want 1 and %d", sends, editCalls, edits)
	}
}

// A broadcast with a send time waits for it; one cancelled before it never goes.
func TestBroadcasterWaitsForSendTime(t *testing.T) {
	r := newBroadcastRig(t, 3)
	ctx := context.Background()
	db := r.db.DB()
	var mu sync.Mutex
	clock := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	at, other := clock.Add(time.Hour), clock.Add(2*time.Hour)
	b := r.create(func(b *store.Broadcast) { b.SendAt = &at })
	c := r.create(func(b *store.Broadcast) { b.SendAt = &other })
	caster := NewBroadcaster(BroadcasterConfig{Store: r.db, Messages: r.msgs, Now: now})
	s := r.sender(nil)
	queued := func(id int64) int {
		t.Helper()
		bc, err := store.BroadcastByID(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		return bc.Queued
	}

	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	r.flush(s)
	if queued(b.ID) != 0 || len(r.srv.Calls("sendMessage")) != 0 {
		t.Fatal("a broadcast went before its time")
	}
	if _, err := store.CancelBroadcast(ctx, db, c.ID, now()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	clock = clock.Add(3 * time.Hour)
	mu.Unlock()
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	r.flush(s)
	got := r.delivered()
	for user := int64(1001); user <= 1003; user++ {
		if len(got[user]) != 1 {
			t.Fatalf("owner %d got %q, want the scheduled broadcast once (and not the cancelled one)", user, got[user])
		}
	}
	if queued(c.ID) != 0 {
		t.Fatal("the broadcast cancelled before its time was fanned out")
	}
}

// The attachment goes with the text as its caption; a text too long for a caption follows the
// file as a message of its own.
func TestBroadcasterSendsAttachment(t *testing.T) {
	r := newBroadcastRig(t, 2)
	ctx := context.Background()
	photo := r.srv.AddFile("poster.jpg", "image/jpeg", []byte("jpeg"))
	long := strings.Repeat("Pelatihan PKP di Bajawa. ", 60) // 1,500 characters
	r.create(func(b *store.Broadcast) { b.FileID, b.FilePhoto = photo, true })
	r.create(func(b *store.Broadcast) { b.FileID, b.Texts = photo, map[string]string{"id": long} })
	caster := NewBroadcaster(BroadcasterConfig{Store: r.db, Messages: r.msgs, Now: r.now})
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	r.run(r.sender(nil))
	r.waitFor("both broadcasts", func() bool {
		got := r.delivered()
		return len(got[1001]) == 3 && len(got[1002]) == 3 // the photo, the document, its text
	})
	for _, user := range []int64{1001, 1002} {
		var photos, docs, texts []string
		for _, c := range r.srv.Calls("") {
			if c.Params.Int("chat_id") != user || c.Status != 200 {
				continue
			}
			switch c.Method {
			case "sendPhoto":
				photos = append(photos, c.Params.Get("caption"))
			case "sendDocument":
				docs = append(docs, c.Params.Get("caption"))
			case "sendMessage":
				texts = append(texts, c.Params.Get("text"))
			}
		}
		if len(photos) != 1 || photos[0] != "Pengumuman: pelatihan PKP" && photos[0] != "Announcement: PKP course" {
			t.Fatalf("owner %d: photos %q", user, photos)
		}
		if len(docs) != 1 || docs[0] != "" || len(texts) != 1 || texts[0] != strings.TrimSpace(long) && texts[0] != long {
			t.Fatalf("owner %d: documents %q then texts %d (want the long text after the file)", user, docs, len(texts))
		}
	}
}

// An owner who blocked the bot and unblocks it later (writes again) does not get the broadcasts
// of meanwhile, even when a fan-out runs again; a broadcast made after they came back reaches them.
func TestBroadcastNotResentAfterUnblock(t *testing.T) {
	r := newBroadcastRig(t, 3)
	ctx := context.Background()
	db := r.db.DB()
	r.srv.Block(1002)
	b := r.create(nil)
	caster := NewBroadcaster(BroadcasterConfig{Store: r.db, Messages: r.msgs, Now: r.now})
	s := r.sender(nil)
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	r.flush(s)
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err := store.BroadcastReportOf(ctx, db, b.ID); err != nil || rep.Unreachable != 1 || rep.Status != store.BroadcastDone {
		t.Fatalf("report %+v, %v", rep, err)
	}

	r.srv.Unblock(1002)
	if _, _, err := store.UpsertOwner(ctx, db, 1002, 1002, "id"); err != nil { // they write again
		t.Fatal(err)
	}
	// The fan-out runs again from the start (a lost place after a restart).
	if _, err := db.Exec(ctx, `UPDATE broadcasts SET status = 'queued', fanned_to = 0, queued = 0 WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := caster.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		r.flush(s)
	}
	if got := r.delivered()[1002]; len(got) != 0 {
		t.Fatalf("the owner who unblocked got the old broadcast: %q", got)
	}
	r.create(nil)
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	r.flush(s)
	if got := r.delivered()[1002]; len(got) != 1 {
		t.Fatalf("the owner who came back got %q of a new broadcast, want it once", got)
	}
}

// A broadcast cancelled while a sender held one of its messages: the report shown at the cancel
// counts it cancelled, the sender sends it anyway, and SettleAfter later the report is shown once
// more with it delivered — once, however many passes follow.
func TestBroadcasterSettlesTheReportAfterACancel(t *testing.T) {
	r := newBroadcastRig(t, 5)
	ctx := context.Background()
	db := r.db.DB()
	b := r.create(nil)
	var mu sync.Mutex
	clock := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	caster := NewBroadcaster(BroadcasterConfig{Store: r.db, Messages: r.msgs, Now: now, SettleAfter: 15 * time.Second})
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	held, err := store.ClaimOutbox(ctx, db, now(), store.ClaimOptions{MinPriority: store.PriorityBroadcast,
		MaxPriority: store.PriorityBroadcast, Limit: 1, Lease: time.Minute})
	if err != nil || len(held) != 1 {
		t.Fatalf("claim: %v, %v", held, err)
	}
	if _, err := store.CancelBroadcast(ctx, db, b.ID, now()); err != nil {
		t.Fatal(err)
	}
	q := held[0]
	if err := store.RecordOutbox(ctx, db, []store.QueueOutcome{{QueueKey: q.QueueKey, Claim: q.Claim, At: now(),
		Sent: []int64{q.Messages[0].ID}}}); err != nil {
		t.Fatal(err)
	}
	settled := func() []string {
		t.Helper()
		rows, err := db.Query(ctx, `SELECT payload FROM outbox WHERE dedupe_key = $1`, "bcsettled:"+strconv.FormatInt(b.ID, 10))
		if err != nil {
			t.Fatal(err)
		}
		payloads, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, raw := range payloads {
			p, err := DecodePayload(raw)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, p.Reply.Text+" edits "+p.Reply.EditRef)
		}
		return texts
	}
	advance(10 * time.Second)
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if got := settled(); len(got) != 0 {
		t.Fatalf("the report was settled before SettleAfter: %q", got)
	}
	for range 3 {
		advance(10 * time.Second)
		if err := caster.Pass(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := settled()
	if len(got) != 1 || !strings.Contains(got[0], "Delivered: 1\n") || !strings.Contains(got[0], "Cancelled: 4") ||
		!strings.Contains(got[0], "edits "+staff.BroadcastRef(b.ID)) {
		t.Fatalf("settled report: %q, want one edit of the progress message with 1 delivered and 4 cancelled", got)
	}
}
