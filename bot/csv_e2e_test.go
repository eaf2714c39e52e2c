package bot_test

import (
	"context"
	"strings"
	"testing"

	tgbot "github.com/go-telegram/bot"

	"umkmbot/bot"
	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/flows/owner"
	"umkmbot/flows/staff"
	"umkmbot/store"
)

// An admin sends a CSV through Telegram: the bot downloads it from Telegram (getFile and the file
// URL), checks it, and on "apply all" changes the status in one transaction; the owner's notice
// goes through the outbox to their chat, once, also when the same file is sent again; the
// export comes back as a document.
func TestE2EImportFromChat(t *testing.T) {
	e := newE2E(t, "polling")
	tg, err := tgbot.New(e.srv.Token(), tgbot.WithServerURL(e.srv.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	e.engine, err = flows.New(flows.Config{Messages: e.msgs, Rules: rules, Files: bot.NewFiles(tg, nil)}, owner.Flowset(), staff.Flowset())
	if err != nil {
		t.Fatal(err)
	}
	number, err := domain.AppNumberer{Prefix: "NTT"}.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := e.db.DB().Exec(ctx, `
		WITH o AS (INSERT INTO owners (telegram_user_id, chat_id, lang, name) VALUES (300, 300, 'en', 'Maria') RETURNING id)
		INSERT INTO applications (number, owner_id, path, status, product_name, kabupaten, submitted_at)
		SELECT $1, o.id, 'md', 'submitted', 'Kopi Bajawa', 'ngada', now() - interval '3 days' FROM o`, number); err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureAdmins(ctx, e.db.DB(), []int64{9000}); err != nil {
		t.Fatal(err)
	}
	ownerChat := e.srv.User(300, "Maria", "en")
	e.start(true)
	defer e.stop()

	admin := &person{e: e, u: e.srv.User(9000, "Admin", "id")}
	file := []byte("nomor_pengajuan,status,catatan,nomor_izin,berlaku_sampai,batas_waktu\n" + number + ",diperiksa,,,,\n")
	e.idleAfter(9000, admin.u.SendDocument("status.csv", "text/csv", file))
	admin.expect(e.T("ImportChatChangeLine", map[string]any{"Status": e.T("Status_in_review"), "Count": 1}))
	admin.press("ImportChatApplyAll")
	admin.expect(e.T("ImportSummary", map[string]any{"Rows": 1, "Applied": 1, "Unchanged": 0, "Invalid": 0, "Notices": 1}))
	e.idle(300)
	e.idleAfter(9000, admin.u.SendDocument("status.csv", "text/csv", file))
	admin.expect(e.T("ImportChatNothingToChange", map[string]any{"Rows": 1, "Unchanged": 1}))
	e.idle(300)

	notices := 0
	for _, m := range ownerChat.BotMessages() {
		if strings.Contains(m.Text, e.msgs.For("en").T("Status_in_review")) {
			notices++
		}
	}
	if notices != 1 {
		t.Fatalf("the owner got %d notices, want 1:\n%s", notices, ownerChat.Transcript())
	}
	var status string
	if err := e.db.DB().QueryRow(ctx, `SELECT status FROM applications WHERE number = $1`, number).Scan(&status); err != nil || status != "in_review" {
		t.Fatalf("status %q (%v), want in_review", status, err)
	}

	admin.send("/ekspor")
	admin.press("ExportKind_applications")
	admin.press("ExportPersonalNo")
	docs := e.srv.SentDocuments(9000)
	if len(docs) != 1 || !strings.Contains(string(docs[0].Data), number+",md,in_review,Kopi Bajawa") {
		t.Fatalf("the export sent: %+v", docs)
	}
}
