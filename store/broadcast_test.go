package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// broadcastOwners makes owners 1-7: 1-3 in Ngada (1 OVOP, 2 with an MD application in review),
// 4-5 in Sikka (5 in English), 6 in Ngada but blocked the bot, 7 deleted their data.
func broadcastOwners(t *testing.T, db store.DB) {
	t.Helper()
	ctx := context.Background()
	kab := map[int64]string{1: "ngada", 2: "ngada", 3: "ngada", 4: "sikka", 5: "sikka", 6: "ngada", 7: "ngada"}
	for id := int64(1); id <= 7; id++ {
		o := newOwner(t, db, id)
		b := store.Business{OwnerID: o.ID, Name: "Usaha", Kabupaten: kab[id]}
		if id == 1 {
			b.OVOPProduct = "kopi"
		}
		if err := store.SaveBusiness(ctx, db, &b); err != nil {
			t.Fatal(err)
		}
		if id == 2 {
			a := newApplication(t, db, o, b, "NTT-0000-0002", nil)
			if _, err := db.Exec(ctx, `UPDATE applications SET path = 'md', status = 'in_review' WHERE id = $1`, a.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, q := range []string{
		`UPDATE owners SET lang = 'en' WHERE telegram_user_id = 5`,
		`UPDATE owners SET unreachable_at = now() WHERE telegram_user_id = 6`,
		`UPDATE owners SET deleted_at = now() WHERE telegram_user_id = 7`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAudienceSize(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	broadcastOwners(t, db)
	for _, tc := range []struct {
		name               string
		a                  store.Audience
		total, unreachable int
	}{
		{"everyone", store.Audience{Kind: store.AudienceAll}, 6, 1},
		{"everyone in an office's area", store.Audience{Kind: store.AudienceAll, Kabupaten: []string{"sikka"}}, 2, 0},
		{"a kabupaten", store.Audience{Kind: store.AudienceKabupaten, Value: "ngada"}, 4, 1},
		{"a kabupaten outside the area", store.Audience{Kind: store.AudienceKabupaten, Value: "ngada", Kabupaten: []string{"sikka"}}, 0, 0},
		{"a path", store.Audience{Kind: store.AudiencePath, Value: "md"}, 1, 0},
		{"a status", store.Audience{Kind: store.AudienceStatus, Value: "in_review"}, 1, 0},
		{"another status", store.Audience{Kind: store.AudienceStatus, Value: "approved"}, 0, 0},
		{"OVOP", store.Audience{Kind: store.AudienceOVOP}, 1, 0},
		{"unknown kind", store.Audience{Kind: "nobody"}, 0, 0},
	} {
		total, unreachable, err := store.AudienceSize(ctx, db, tc.a)
		if err != nil {
			t.Fatal(err)
		}
		if total != tc.total || unreachable != tc.unreachable {
			t.Errorf("%s: %d (%d unreachable), want %d (%d)", tc.name, total, unreachable, tc.total, tc.unreachable)
		}
	}
}

// The fan-out goes in batches, each owner once in their language, the blocked owner straight to
// the failures; a fan-out that lost its place (a restart) repeats nobody; the report counts what
// was delivered; a cancel drops what waits and leaves no queue behind.
func TestFanOutBroadcast(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	broadcastOwners(t, db)
	b := store.Broadcast{StaffChat: 900, Audience: store.Audience{Kind: store.AudienceAll},
		Texts: map[string]string{"id": "Halo", "en": "Hello"}}
	if err := store.CreateBroadcast(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	payloads := map[string][]byte{"id": []byte(`{"t":"id"}`), "en": []byte(`{"t":"en"}`)}
	batches := 0
	for {
		n, done, err := store.FanOutBroadcast(ctx, db, b.ID, payloads, 4)
		if err != nil {
			t.Fatal(err)
		}
		batches++
		if done {
			if n != 2 {
				t.Fatalf("last batch had %d recipients, want 2", n)
			}
			break
		}
	}
	if batches != 2 {
		t.Fatalf("%d batches, want 2", batches)
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.QueryRow(ctx, q, b.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM outbox WHERE broadcast_id = $1 AND priority = 2`); n != 5 {
		t.Fatalf("%d queued, want 5", n)
	}
	if n := count(`SELECT count(*) FROM outbox WHERE broadcast_id = $1 AND chat_id = 5 AND payload = '{"t":"en"}'`); n != 1 {
		t.Fatalf("the English owner's message: %d", n)
	}
	if n := count(`SELECT count(*) FROM outbox_failed WHERE broadcast_id = $1 AND chat_id = 6 AND reason = 'owner unreachable'`); n != 1 {
		t.Fatalf("the blocked owner: %d failures", n)
	}

	// A fan-out that starts again from the beginning queues nobody twice.
	if _, err := db.Exec(ctx, `UPDATE broadcasts SET status = 'queued', fanned_to = 0, queued = 0 WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.FanOutBroadcast(ctx, db, b.ID, payloads, 100); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM outbox WHERE broadcast_id = $1`); n != 5 {
		t.Fatalf("after a restart %d queued, want 5", n)
	}

	// Two delivered (gone from the outbox), then a cancel.
	if _, err := db.Exec(ctx, `DELETE FROM outbox WHERE broadcast_id = $1 AND chat_id IN (1, 2)`, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `UPDATE outbox_queues SET pending = pending - 1 WHERE chat_id IN (1, 2)`); err != nil {
		t.Fatal(err)
	}
	r, err := store.BroadcastReportOf(ctx, db, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.BroadcastReport{Status: "sending", Queued: 6, Waiting: 3, Delivered: 2, Unreachable: 1}); r != want {
		t.Fatalf("report %+v, want %+v", r, want)
	}
	if done, err := store.FinishBroadcast(ctx, db, b.ID, t0); err != nil || done {
		t.Fatalf("finished with messages waiting: %v %v", done, err)
	}
	dropped, err := store.CancelBroadcast(ctx, db, b.ID, t0)
	if err != nil || dropped != 3 {
		t.Fatalf("cancel dropped %d, %v; want 3", dropped, err)
	}
	if n := count(`SELECT count(*) FROM outbox_queues WHERE chat_id IN (3, 4, 5) AND $1 > 0`); n != 0 {
		t.Fatalf("%d queues left after the cancel", n)
	}
	r, _ = store.BroadcastReportOf(ctx, db, b.ID)
	if want := (store.BroadcastReport{Status: "cancelled", Queued: 6, Delivered: 2, Unreachable: 1, Cancelled: 3}); r != want {
		t.Fatalf("report after cancel %+v, want %+v", r, want)
	}
	if _, err := store.CancelBroadcast(ctx, db, b.ID, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second cancel: %v", err)
	}
	if n, done, err := store.FanOutBroadcast(ctx, db, b.ID, payloads, 100); err != nil || !done || n != 0 {
		t.Fatalf("fan-out after cancel: %d %v %v", n, done, err)
	}
}

// A queue that also holds a reply keeps it (and its count) when the broadcast is cancelled.
func TestDropBroadcastOutboxKeepsOtherMessages(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	broadcastOwners(t, db)
	b := store.Broadcast{Audience: store.Audience{Kind: store.AudienceKabupaten, Value: "sikka"}, Texts: map[string]string{"id": "Halo"}}
	if err := store.CreateBroadcast(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	other := store.Broadcast{Audience: store.Audience{Kind: store.AudienceKabupaten, Value: "sikka"}, Texts: map[string]string{"id": "Lain"}}
	if err := store.CreateBroadcast(ctx, db, &other); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{b.ID, other.ID} {
		if _, _, err := store.FanOutBroadcast(ctx, db, id, map[string][]byte{"id": []byte(`{}`)}, 10); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.DropBroadcastOutbox(ctx, db, b.ID); err != nil {
		t.Fatal(err)
	}
	var pending, rows int
	if err := db.QueryRow(ctx, `SELECT coalesce(sum(pending), 0) FROM outbox_queues WHERE chat_id IN (4, 5)`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE chat_id IN (4, 5)`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if pending != 2 || rows != 2 {
		t.Fatalf("after dropping one broadcast: %d pending in queues, %d rows; want 2 and 2", pending, rows)
	}
}

// A progress edit is noted at most once per interval, only when it says something new, and never
// once the broadcast is over.
func TestClaimBroadcastProgress(t *testing.T) {
	db := storetest.New(t).DB()
	ctx := context.Background()
	b := store.Broadcast{Audience: store.Audience{Kind: store.AudienceAll}, Texts: map[string]string{"id": "x"}}
	if err := store.CreateBroadcast(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	t0 := b.CreatedAt
	for _, step := range []struct {
		after time.Duration
		sig   string
		want  bool
	}{
		{0, "0 / 10", true},
		{time.Second, "1 / 10", false},      // too soon
		{5 * time.Second, "1 / 10", true},   // the interval passed
		{20 * time.Second, "1 / 10", false}, // nothing new
		{21 * time.Second, "5 / 10", true},
	} {
		got, err := store.ClaimBroadcastProgress(ctx, db, b.ID, t0.Add(step.after), 5*time.Second, step.sig)
		if err != nil || got != step.want {
			t.Fatalf("at +%v %q: %v, %v; want %v", step.after, step.sig, got, err, step.want)
		}
	}
	if _, err := store.CancelBroadcast(ctx, db, b.ID, t0); err != nil {
		t.Fatal(err)
	}
	if got, err := store.ClaimBroadcastProgress(ctx, db, b.ID, t0.Add(time.Hour), 5*time.Second, "6 / 10"); err != nil || got {
		t.Fatalf("a cancelled broadcast's progress noted: %v, %v", got, err)
	}
}

// A broadcast's report outlives the outbox history it is counted from: pruning outbox_failed
// (RETAIN_OUTBOX) leaves the unreachable and cancelled counts as they were, instead of turning
// them into "delivered".
func TestBroadcastReportOutlivesThePrune(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	broadcastOwners(t, db)
	b := store.Broadcast{Audience: store.Audience{Kind: store.AudienceKabupaten, Value: "ngada"}, Texts: map[string]string{"id": "Halo"}}
	if err := store.CreateBroadcast(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.FanOutBroadcast(ctx, db, b.ID, map[string][]byte{"id": []byte(`{}`)}, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CancelBroadcast(ctx, db, b.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	before, err := store.BroadcastReportOf(ctx, db, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if before.Unreachable != 1 || before.Cancelled != 3 || before.Delivered != 0 {
		t.Fatalf("report before the prune: %+v, want 1 unreachable, 3 cancelled, none delivered", before)
	}
	if _, err := store.PruneOutboxHistory(ctx, db, time.Now().Add(time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM outbox_failed`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("outbox_failed after the prune: %d rows, %v", left, err)
	}
	after, err := store.BroadcastReportOf(ctx, db, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("report after the prune: %+v, want %+v", after, before)
	}
}

// A kabupaten audience with no kabupaten chosen reaches nobody: an empty list bounds the other
// kinds to nothing (the whole province), but here it would make an admin's "none chosen" reach
// every owner. CreateBroadcast refuses it, and one stored anyway (by hand, or before this
// guard) fans out to nobody.
func TestKabupatenAudienceWithoutKabupaten(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	broadcastOwners(t, db)
	for _, a := range []store.Audience{
		{Kind: store.AudienceKabupaten, Kabupaten: []string{}},
		{Kind: store.AudienceKabupaten},
	} {
		total, _, err := store.AudienceSize(ctx, db, a)
		if err != nil || total != 0 {
			t.Fatalf("%+v reaches %d (%v), want nobody", a, total, err)
		}
		b := store.Broadcast{StaffChat: 900, Audience: a, Texts: map[string]string{"id": "Halo"}}
		if err := store.CreateBroadcast(ctx, db, &b); !errors.Is(err, store.ErrEmptyAudience) {
			t.Fatalf("CreateBroadcast(%+v) = %v, want ErrEmptyAudience", a, err)
		}
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM broadcasts`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d broadcasts stored (%v)", n, err)
	}
	// One kabupaten as the value (broadcasts made before several could be chosen) still works.
	if total, _, _ := store.AudienceSize(ctx, db, store.Audience{Kind: store.AudienceKabupaten, Value: "sikka"}); total != 2 {
		t.Fatalf("the kabupaten of the value reaches %d, want 2", total)
	}

	var id int64
	if err := db.QueryRow(ctx, `INSERT INTO broadcasts (staff_chat, text, audience, texts)
		VALUES (900, 'Halo', '{"kind": "kabupaten", "kabupaten": []}', '{"id": "Halo"}') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	got, done, err := store.FanOutBroadcast(ctx, db, id, map[string][]byte{"id": []byte(`{}`)}, 10)
	if err != nil || !done || got != 0 {
		t.Fatalf("fan-out of a stored empty kabupaten audience: %d recipients, done %v (%v); want nobody", got, done, err)
	}
}

// A broadcast keeps its sending office (who may cancel it): read back by id and in the history;
// an admin's has none.
func TestBroadcastOffice(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	office := store.Broadcast{Audience: store.Audience{Kind: store.AudienceKabupaten, Kabupaten: []string{"ngada"}},
		Texts: map[string]string{"id": "Halo"}, Office: "bbpom_kupang"}
	admin := store.Broadcast{Audience: store.Audience{Kind: store.AudienceAll}, Texts: map[string]string{"id": "Halo"}}
	for _, b := range []*store.Broadcast{&office, &admin} {
		if err := store.CreateBroadcast(ctx, db, b); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []store.Broadcast{office, admin} {
		got, err := store.BroadcastByID(ctx, db, want.ID)
		if err != nil || got.Office != want.Office {
			t.Fatalf("broadcast %d: office %q (%v), want %q", want.ID, got.Office, err, want.Office)
		}
	}
	entries, _, err := store.BroadcastHistory(ctx, db, nil, 0, 5)
	if err != nil || len(entries) != 2 || entries[0].Office != "" || entries[1].Office != "bbpom_kupang" {
		t.Fatalf("history %+v (%v)", entries, err)
	}
}

// A broadcast cancelled while a sender held one of its messages: the cancel files it as
// cancelled, the sender sends it anyway (it was in hand), and the record of that send makes it
// count as delivered — the report adds up to what Telegram got.
func TestBroadcastCancelWhileAMessageIsHeld(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	broadcastOwners(t, db)
	b := store.Broadcast{Audience: store.Audience{Kind: store.AudienceKabupaten, Value: "ngada"}, Texts: map[string]string{"id": "Halo"}}
	if err := store.CreateBroadcast(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.FanOutBroadcast(ctx, db, b.ID, map[string][]byte{"id": []byte(`{}`)}, 10); err != nil {
		t.Fatal(err)
	}
	qs, err := store.ClaimOutbox(ctx, db, time.Now(), store.ClaimOptions{MinPriority: 2, MaxPriority: 2, Limit: 1, Lease: time.Minute})
	if err != nil || len(qs) != 1 || len(qs[0].Messages) != 1 {
		t.Fatalf("claim: %+v, %v", qs, err)
	}
	if _, err := store.CancelBroadcast(ctx, db, b.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	q := qs[0]
	if err := store.RecordOutbox(ctx, db, []store.QueueOutcome{{QueueKey: q.QueueKey, Claim: q.Claim, At: time.Now(),
		Sent: []int64{q.Messages[0].ID}}}); err != nil {
		t.Fatal(err)
	}
	r, err := store.BroadcastReportOf(ctx, db, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Delivered != 1 || r.Cancelled != 2 || r.Unreachable != 1 || r.Waiting != 0 {
		t.Fatalf("report: %+v, want 1 delivered (the held one), 2 cancelled, 1 unreachable", r)
	}
}
