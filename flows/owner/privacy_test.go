package owner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/flows"
	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// dispatcher does for the harness's chat what the bot's dispatcher does around the engine: the
// raw update is kept in the inbox first, and after the engine the replies, the button's answer
// and the notices to staff are queued in the outbox and the update is marked handled. Nothing is
// sent, so everything stays queued: the state of a chat whose messages have not gone out yet.
type dispatcher struct {
	c      *flowtest.Chat
	update int64
}

// turn keeps the raw update holding message (a JSON object of the update's own fields), runs do
// with the update's id, and queues the result.
func (d *dispatcher) turn(message string, do func(updateID int64) flows.Result) flows.Result {
	d.c.TB.Helper()
	ctx := context.Background()
	db := d.c.H.DB.DB()
	d.update++
	raw := fmt.Sprintf(`{"update_id":%d,%s}`, d.update, message)
	if _, err := store.StoreUpdate(ctx, db, d.update, d.c.User, []byte(raw), d.c.H.Clock()); err != nil {
		d.c.TB.Fatal(err)
	}
	res := do(d.update)
	var msgs []store.OutboxMessage
	queue := func(chat int64, v any, key string) {
		payload, err := json.Marshal(v)
		if err != nil {
			d.c.TB.Fatal(err)
		}
		msgs = append(msgs, store.OutboxMessage{ChatID: chat, Payload: payload, DedupeKey: key})
	}
	if res.Answer != "" {
		queue(d.c.User, map[string]string{"callback_answer": res.Answer}, "")
	}
	for _, r := range res.Replies {
		queue(d.c.User, r, "")
	}
	for _, n := range res.Notices {
		queue(n.ChatID, n.Reply, n.DedupeKey)
	}
	for _, m := range msgs {
		if _, _, err := store.Enqueue(ctx, db, m); err != nil {
			d.c.TB.Fatal(err)
		}
	}
	if err := store.MarkHandled(ctx, db, d.update); err != nil {
		d.c.TB.Fatal(err)
	}
	return res
}

// from is the sender of every raw update: Telegram puts the person's own name in each.
const from = `"from":{"id":%d,"is_bot":false,"first_name":"Maria Goreti","last_name":"Bria","language_code":"id"},"chat":{"id":%d,"type":"private"}`

func (d *dispatcher) send(text string) flows.Result {
	d.c.TB.Helper()
	msg := fmt.Sprintf(`"message":{"message_id":%d,`+from+`,"text":%q}`, d.update+1, d.c.User, d.c.User, text)
	return d.turn(msg, func(int64) flows.Result { return d.c.Send(text) })
}

func (d *dispatcher) pressMsg(id string) flows.Result {
	d.c.TB.Helper()
	data, msgID := d.c.ButtonData(d.c.H.T(d.c.Lang, id))
	return d.press(data, msgID)
}

func (d *dispatcher) press(data string, msgID int) flows.Result {
	d.c.TB.Helper()
	msg := fmt.Sprintf(`"callback_query":{"id":"q%d",`+from+`,"data":%q}`, d.update+1, d.c.User, d.c.User, data)
	return d.turn(msg, func(updateID int64) flows.Result {
		return d.c.Do(flows.Event{Kind: flows.EventButton, Data: data, MessageID: msgID, UpdateID: updateID})
	})
}

func (d *dispatcher) contact(phone string) flows.Result {
	d.c.TB.Helper()
	msg := fmt.Sprintf(`"message":{"message_id":%d,`+from+`,"contact":{"phone_number":%q,"first_name":"Maria Goreti","user_id":%d}}`,
		d.update+1, d.c.User, d.c.User, strings.TrimPrefix(phone, "+"), d.c.User)
	return d.turn(msg, func(int64) flows.Result { return d.c.Contact(phone, true) })
}

func (d *dispatcher) upload(f flows.File) flows.Result {
	d.c.TB.Helper()
	msg := fmt.Sprintf(`"message":{"message_id":%d,`+from+`,"document":{"file_id":%q,"file_unique_id":%q,"file_name":%q,"mime_type":%q,"file_size":%d}}`,
		d.update+1, d.c.User, d.c.User, f.ID, f.UniqueID, f.Name, f.MIME, f.Size)
	return d.turn(msg, func(int64) flows.Result {
		d.c.Log = append(d.c.Log, "you send file: "+f.Name)
		return d.c.Do(flows.Event{Kind: flows.EventDocument, File: &f})
	})
}

// digits matches the digits with any spacing a person or a format puts between them ("0812-3456
// 7890", "+62 812...").
func digits(s string) *regexp.Regexp {
	return regexp.MustCompile(strings.Join(strings.Split(s, ""), `[\s.()-]{0,2}`))
}

// personalData finds, in every column of every table of the schema, each pattern, and returns
// where ("table: what"). It reads each row as text (every column, whatever its type, so a table
// or column added later is searched too) and bytea columns also as the text they hold.
func personalData(t *testing.T, db store.DB, patterns map[string]*regexp.Regexp) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Query(ctx, `
		SELECT c.table_name, coalesce(string_agg(format('encode(t.%I, ''escape'')', c.column_name), ', ')
			FILTER (WHERE c.data_type = 'bytea'), '')
		FROM information_schema.columns c JOIN information_schema.tables tb USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND tb.table_type = 'BASE TABLE'
		GROUP BY c.table_name ORDER BY c.table_name`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct{ name, bytea string }
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (table, error) {
		var tb table
		return tb, r.Scan(&tb.name, &tb.bytea)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables found in the schema", len(tables))
	}
	var found []string
	for _, tb := range tables {
		cols := "t::text"
		if tb.bytea != "" {
			cols += ", " + tb.bytea
		}
		rows, err := db.Query(ctx, `SELECT concat_ws(' ', `+cols+`) FROM `+pgx.Identifier{tb.name}.Sanitize()+` t`)
		if err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		for what, re := range patterns {
			for _, text := range texts {
				if re.MatchString(text) {
					found = append(found, tb.name+": "+what+" in "+text)
					break
				}
			}
		}
	}
	return found
}

// After /hapus_data of an owner with a full profile, a submitted application with a document,
// a draft with a document, a status lookup and a training registration, no column of any table
// holds their name, phone (in any form), NIB or the file ids of what they sent.
func TestDeleteDataLeavesNoTrace(t *testing.T) {
	h := flowtest.New(t)
	ctx := context.Background()
	db := h.DB.DB()
	h.AddStaff(9401, "", "admin")
	tr := store.Training{Title: "PKP Ngada", Kind: "pkp", StartsAt: h.Clock().Add(72 * time.Hour), DurationMinutes: 960,
		Place: "Aula Dinas Kesehatan", Kabupaten: "ngada", Quota: 30, Organiser: "Dinas Kesehatan"}
	if err := store.CreateTraining(ctx, db, &tr); err != nil {
		t.Fatal(err)
	}
	c := h.Chat(401, "id")
	d := &dispatcher{c: c, update: 5000}
	nibDoc := flows.File{ID: "BQACAgUAAxkBAAIBnibMaria", UniqueID: "AgADnibMaria", Name: "NIB 1234567890123 Maria Goreti Bria.pdf",
		MIME: "application/pdf", Size: 80_000}
	draftDoc := flows.File{ID: "BQACAgUAAxkBAAIBdraftMaria", UniqueID: "AgADdraftMaria", Name: "nib-maria.pdf",
		MIME: "application/pdf", Size: 70_000}
	patterns := map[string]*regexp.Regexp{
		"name":                  regexp.MustCompile(`(?i)goreti|\bbria\b`),
		"phone":                 digits("81234567890"),
		"NIB":                   digits("1234567890123"),
		"NIB document file":     regexp.MustCompile(nibDoc.ID + "|" + nibDoc.UniqueID),
		"draft's document file": regexp.MustCompile(draftDoc.ID + "|" + draftDoc.UniqueID),
	}

	// The profile.
	d.send("/start")
	d.send("Maria Goreti Bria")
	d.send("Tenun Ikat Sikka")
	d.send("Ngada")
	d.contact("+6281234567890")
	d.send("1234567890123")
	c.ExpectMsg("ProfileSaved", map[string]any{"Name": "Maria Goreti Bria"})

	// A submitted application, and its NIB document sent afterwards.
	number := c.QuickRegister("Kopi Bubuk Bajawa")
	d.send("/dokumen")
	for !strings.Contains(c.Text(), h.T("id", "DocName_label_design")) {
		d.pressMsg("CommonLater")
	}
	d.upload(nibDoc)
	c.ExpectMsg("DocumentsSaved", map[string]any{"Name": h.T("id", "DocName_label_design")})
	d.send("/menu")

	// A status lookup, and a training registration.
	d.send("/status " + number)
	d.send("/pelatihan")
	d.pressMsg("TrainingRegisterButton")
	c.ExpectMsg("TrainingRegistered", map[string]any{"Title": "PKP Ngada",
		"When": h.Msgs.For("id").DateTime(tr.StartsAt), "Place": "Aula Dinas Kesehatan"})

	// A second registration left half way, with a document: a draft.
	d.send("/daftar")
	d.pressMsg("PathName_spp_irt")
	c.FillProduct("Keripik Pisang")
	d.send("6 bulan")
	d.pressMsg("Storage_room")
	d.pressMsg("CommonLater") // the product photo
	c.Expect(h.T("id", "DocName_label_design"))
	d.upload(draftDoc)

	before := strings.Join(personalData(t, db, patterns), "\n")
	for what := range patterns {
		if !strings.Contains(before, ": "+what+" in ") {
			t.Fatalf("before the deletion the search does not find the %s anywhere: it would prove nothing\nfound:\n%s", what, before)
		}
	}

	d.send("/hapus_data")
	c.ExpectMsg("DeleteConfirm")
	d.pressMsg("CommonYes")
	c.ExpectMsg("DeleteDone")

	if left := personalData(t, db, patterns); len(left) > 0 {
		t.Errorf("personal data survives /hapus_data:\n%s", strings.Join(left, "\n"))
	}
	var sessions int
	h.Query(&sessions, `SELECT count(*) FROM sessions WHERE chat_id = $1`, c.User)
	if sessions != 0 {
		t.Error("the chat's session was saved again after the deletion")
	}
	// What is kept: the application, its number and history, with the office, no longer
	// pointing to the owner or their business; the confirmation, queued after the deletion, is
	// the chat's one message left.
	var kept int
	h.Query(&kept, `SELECT count(*) FROM applications a
		WHERE a.number = $1 AND a.product_name = 'Kopi Bubuk Bajawa' AND a.owner_id IS NULL AND a.business_id IS NULL
		  AND EXISTS (SELECT 1 FROM application_status_history s WHERE s.application_id = a.id)`, number)
	if kept != 1 {
		t.Error("the submitted application is not kept as the programme's record, let go of by the owner")
	}
	msgs, err := store.OutboxForChat(ctx, db, c.User)
	if err != nil {
		t.Fatal(err)
	}
	want := h.T("id", "DeleteDone")
	if n := len(msgs); n == 0 || !strings.Contains(string(msgs[n-1].Payload), want) {
		t.Errorf("the confirmation is not queued after the deletion: %d messages", n)
	}
	for _, m := range msgs[:max(len(msgs)-1, 0)] {
		var v map[string]string
		if json.Unmarshal(m.Payload, &v) != nil || v["callback_answer"] == "" {
			t.Errorf("a message queued before the deletion is still there: %s", m.Payload)
		}
	}

	// Coming back is starting afresh: no draft is offered back.
	d.send("/start")
	c.ExpectMsg("ProfileAskName")
	if c.Mentions("Keripik Pisang") {
		t.Errorf("the deleted draft is offered back:\n%s", c.Transcript())
	}
}

// A draft the engine set aside is what store.PruneDrafts prunes once past its window, and the
// owner is no longer offered it; a minute younger than its window, it stays.
func TestStaleDraftsArePruned(t *testing.T) {
	h := flowtest.New(t)
	ctx := context.Background()
	c := h.Chat(402, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_spp_irt")
	c.Send("Keripik Pisang")
	c.Send("/pelatihan") // sets the registration aside

	window := 90 * 24 * time.Hour
	h.Advance(window - time.Minute)
	c.Send("/menu") // the chat is touched: only the draft is old
	if !c.Mentions("Keripik Pisang") {
		t.Fatalf("the draft is not offered back:\n%s", c.Transcript())
	}
	if n, err := store.PruneDrafts(ctx, h.DB.DB(), h.Clock().Add(-window), 0); err != nil || n != 0 {
		t.Fatalf("a draft a minute younger than its window was pruned (%d, %v)", n, err)
	}
	h.Advance(2 * time.Minute)
	if n, err := store.PruneDrafts(ctx, h.DB.DB(), h.Clock().Add(-window), 0); err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want the draft set aside a minute before the window", n, err)
	}
	c.Send("/menu")
	if c.Mentions("Keripik Pisang") {
		t.Fatalf("a pruned draft is still offered:\n%s", c.Transcript())
	}
}
