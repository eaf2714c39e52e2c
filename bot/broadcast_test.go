package bot

import (
	"context"
	"strings"
	"testing"

	"umkmbot/locales"
	"umkmbot/store"
)

// A broadcast to 30 owners, fanned out 7 at a time and sent through the fake Bot API with its
// limits: every reachable owner gets it exactly once in their language, a fan-out started again
// (a restart) sends nobody anything twice, the owner who blocked the bot before and the two who
// block it during are counted unreachable, and the staff member gets the final report once.
func TestBroadcasterDeliversOnceAndReports(t *testing.T) {
	r := newSenderRig(t)
	ctx := context.Background()
	db := r.db.DB()
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for user := int64(1001); user <= 1030; user++ {
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
	if err := store.MarkOwnerUnreachable(ctx, db, 1001, r.now()); err != nil {
		t.Fatal(err)
	}
	r.srv.Block(1002)
	r.srv.Block(1003)
	b := store.Broadcast{StaffChat: 9001, Audience: store.Audience{Kind: store.AudienceKabupaten, Value: "ngada"},
		Texts: map[string]string{"id": "Pengumuman: pelatihan PKP", "en": "Announcement: PKP course"}}
	if err := store.CreateBroadcast(ctx, db, &b); err != nil {
		t.Fatal(err)
	}

	caster := NewBroadcaster(BroadcasterConfig{Store: r.db, Messages: msgs, Batch: 7, Now: r.now})
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
	if err := caster.Pass(ctx); err != nil { // finishes it and queues the report
		t.Fatal(err)
	}
	r.flush(s)

	got := map[int64][]string{}
	for _, c := range r.srv.Calls("sendMessage") {
		if c.Status == 200 {
			got[c.Params.Int("chat_id")] = append(got[c.Params.Int("chat_id")], c.Params.Get("text"))
		}
	}
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
	if len(got[9001]) != 1 || !strings.Contains(got[9001][0], "Delivered: 27") || !strings.Contains(got[9001][0], "blocked the bot): 3") {
		t.Fatalf("the staff member's report: %q", got[9001])
	}
	if err := caster.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	r.flush(s)
	if n := len(r.srv.Calls("sendMessage")); n != 30 {
		t.Fatalf("%d sendMessage calls after another pass, want 30 (27 owners, 2 blocked, 1 report)", n)
	}
}
