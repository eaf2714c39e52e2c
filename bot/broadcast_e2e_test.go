package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"umkmbot/bot"
	"umkmbot/store"
)

// A staff member's /umumkan through Telegram: the confirmation they get is the message the
// broadcaster edits into the progress and then the report (no second message), and each owner of
// the office's area gets the announcement once.
func TestE2EBroadcastProgressEditsTheConfirmation(t *testing.T) {
	e := newE2E(t, "polling")
	ctx := context.Background()
	db := e.db.DB()
	for user := int64(501); user <= 504; user++ {
		e.srv.User(user, "Owner", "id")
		o, _, err := store.UpsertOwner(ctx, db, user, user, "id")
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SaveBusiness(ctx, db, &store.Business{OwnerID: o.ID, Name: "Usaha", Kabupaten: "ngada"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SaveStaff(ctx, db, &store.Staff{TelegramUserID: 9001, Name: "Petugas", Unit: "bbpom_kupang", Role: "staff", Active: true}); err != nil {
		t.Fatal(err)
	}
	e.start(true)
	s := &person{e: e, u: e.srv.User(9001, "Petugas", "id")}
	s.send("/umumkan")
	s.send("Pelatihan PKP di Bajawa, 10 Desember, gratis.")
	s.press("BroadcastNoFile")
	s.press("BroadcastAudience_area")
	s.press("BroadcastNowButton")
	s.press("BroadcastSendButton")
	s.expect(e.T("BroadcastStarted", map[string]any{"ID": 1, "Count": 4}))
	before := len(s.u.BotMessages())

	caster := bot.NewBroadcaster(bot.BroadcasterConfig{Store: e.db, Messages: e.msgs})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := caster.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		if rep, err := store.BroadcastReportOf(ctx, db, 1); err != nil {
			t.Fatal(err)
		} else if rep.Status == store.BroadcastDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the broadcast did not end")
		}
		time.Sleep(20 * time.Millisecond) // the sender works meanwhile; look again
	}
	e.idle(9001)
	msgs := s.u.BotMessages()
	last := msgs[len(msgs)-1]
	if len(msgs) != before || !last.Edited || !strings.Contains(last.Text, "Terkirim: 4") {
		t.Fatalf("the confirmation is not the report (%d messages, %d before):\n%v", len(msgs), before, s.u.Transcript())
	}
	for user := int64(501); user <= 504; user++ {
		got := e.srv.User(user, "Owner", "id").BotMessages()
		if len(got) != 1 || !strings.Contains(got[0].Text, "Pelatihan PKP di Bajawa") {
			t.Fatalf("owner %d got %d messages", user, len(got))
		}
	}
}
