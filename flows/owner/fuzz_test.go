package owner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// fuzzTexts are the messages a script byte picks from: commands (known, English, unknown, deep
// links), answers that fit some question, answers that fit none.
var fuzzTexts = []string{
	"/start", "/daftar", "/batal", "/kembali", "/bantuan", "/menu", "/dokumen", "/status", "/pengajuan",
	"/pelatihan", "/profil", "/hapus_data", "/bahasa", "/foo", "/start status_NTT-0000-0000", "/start staf_abc",
	"/help", "/register", "/documents", "/cancel", "/back", "/mode_petugas", "/status NTT-ABCD-EFGH",
	"halo", "menu", "Menu", "ya", "tidak", "Maria Goreti", "Kopi Bajawa", "Ngada", "Bajawa", "TTS", "Kab. Ngada",
	"Kupang", "Beiposo", "1234567890123", "081234567890", "812345678901", "Kopi arabika 100%", "500 ml", "6 bulan",
	"5 hari", "nanti", "Nanti", "labelnya belum jadi, nanti saya kirim", "biayanya berapa?", "NTT-0000-0000",
	"P-IRT No. 2065301010123-29", "", " ", "x", "🙂", "Lewati", "Belum punya", strings.Repeat("a", 2000),
}

// FuzzConversation feeds any sequence of events — texts, commands, buttons of the last replies,
// old buttons and buttons with made-up data, files, photos, contacts, time passing — to the engine
// with the owner's and the staff's flows. Whatever the sequence: no panic, no error, every message
// gets a reply (a button press may be acknowledged silently), and the stored session still loads.
// Its seeds run as a normal test.
func FuzzConversation(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{0, 0, 1, 24},                  // /start, halo
		{0, 0, 2, 0, 2, 1, 2, 2, 2, 0}, // /start, then press buttons of the replies
		{0, 1, 2, 0, 2, 3, 4, 0, 4, 1, 5, 0, 6, 0},      // /daftar, buttons, a file, a photo, a contact
		{0, 0, 0, 28, 0, 29, 0, 30, 0, 32, 7, 9, 0, 24}, // a profile, an unknown command, time
		{0, 11, 2, 0, 0, 24},                            // /hapus_data, yes, halo
		{3, 5, 's', '9', ':', '~', 'y', 3, 2, 'a', ':'}, // made-up button data
		{0, 1, 2, 2, 2, 0, 2, 0, 8, 0, 8, 0},            // double taps
		{0, 6, 0, 8, 0, 5, 2, 1, 0, 55, 0, 56, 0, 45},
	} {
		f.Add(seed)
	}
	h := flowtest.New(f)
	var next atomic.Int64
	next.Store(9_000_000)
	f.Fuzz(func(t *testing.T, script []byte) {
		if len(script) > 400 {
			script = script[:400]
		}
		user := next.Add(1)
		lang := "id"
		if user%3 == 0 {
			lang = "en"
		}
		c := h.Chat(user, lang)
		c.TB = t
		if user%7 == 0 {
			st := store.Staff{TelegramUserID: user, Name: "Petugas", Unit: "bbpom_kupang", Role: "staff", Active: true}
			if err := store.SaveStaff(context.Background(), h.DB.DB(), &st); err != nil {
				t.Fatal(err)
			}
		}
		var seen []flows.Button // every button shown so far, for old presses
		r := fuzzReader{b: script}
		for !r.done() {
			op := r.byte() % 10
			var res flows.Result
			button := false
			switch op {
			case 0: // a text or a command from the list
				res = c.Send(fuzzTexts[int(r.byte())%len(fuzzTexts)])
			case 1: // a made-up text
				res = c.Do(flows.Event{Kind: flows.EventText, Text: r.str()})
			case 2, 8: // a button of the last replies (8: the same button twice)
				bs := lastButtons(c.Last)
				if len(bs) == 0 {
					continue
				}
				b := bs[int(r.byte())%len(bs)]
				button = true
				res = c.Do(flows.Event{Kind: flows.EventButton, Data: b.Data, MessageID: c.MsgID})
				if op == 8 {
					res = c.Do(flows.Event{Kind: flows.EventButton, Data: b.Data, MessageID: c.MsgID})
				}
			case 3: // a button with made-up data
				button = true
				res = c.Do(flows.Event{Kind: flows.EventButton, Data: r.str(), MessageID: int(r.byte())})
			case 4: // a document, sometimes too big or of another type
				name, mime := "doc.pdf", "application/pdf"
				switch r.byte() % 4 {
				case 1:
					name, mime = "x.exe", "application/octet-stream"
				case 2:
					name, mime = "", ""
				}
				size := int64(r.byte()) << 18
				res = c.Do(flows.Event{Kind: flows.EventDocument, File: &flows.File{ID: fmt.Sprint("f", r.byte()), UniqueID: "u", Name: name, MIME: mime, Size: size}})
			case 5:
				res = c.Photo()
			case 6: // a contact, own or not, valid or not
				phone := []string{"+6281234567890", "081234567890", "12", ""}[r.byte()%4]
				res = c.Contact(phone, r.byte()%2 == 0)
			case 7: // time passes (the 12-hour resume)
				h.Advance(time.Duration(r.byte()) * time.Hour)
				continue
			case 9: // an old button, shown earlier
				if len(seen) == 0 {
					continue
				}
				b := seen[int(r.byte())%len(seen)]
				button = true
				res = c.Do(flows.Event{Kind: flows.EventButton, Data: b.Data, MessageID: 1})
			}
			if !button && len(res.Replies) == 0 {
				t.Fatalf("no reply\n%s", c.Transcript())
			}
			seen = append(seen, lastButtons(res)...)
			checkSessionLoads(t, h, user, c)
		}
		c.Send("/menu")
		if len(c.Last.Replies) == 0 {
			t.Fatalf("no menu at the end\n%s", c.Transcript())
		}
	})
}

func lastButtons(res flows.Result) []flows.Button {
	var out []flows.Button
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			out = append(out, row...)
		}
	}
	return out
}

// checkSessionLoads reads the stored session back as the engine would.
func checkSessionLoads(t *testing.T, h *flowtest.Harness, user int64, c *flowtest.Chat) {
	t.Helper()
	raw, _, err := store.LoadSession(context.Background(), h.DB.DB(), user)
	if errors.Is(err, store.ErrNotFound) {
		return
	}
	if err != nil {
		t.Fatalf("load session: %v", err)
	}
	var s flows.Session
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("stored session unreadable: %v\n%s\n%s", err, raw, c.Transcript())
	}
}

// fuzzReader hands out the script's bytes; past its end it gives zeros.
type fuzzReader struct {
	b []byte
	i int
}

func (r *fuzzReader) done() bool { return r.i >= len(r.b) }

func (r *fuzzReader) byte() byte {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

// str reads a length byte and that many bytes.
func (r *fuzzReader) str() string {
	n := int(r.byte()) % 40
	var b strings.Builder
	for range n {
		b.WriteByte(r.byte())
	}
	return b.String()
}
