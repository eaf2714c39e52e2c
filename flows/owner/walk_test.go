package owner_test

import (
	"strings"
	"testing"

	"umkmbot/flows/flowtest"
)

// walker takes a new owner from /start to the application number, answering whatever is
// asked, and checks every update on the way: one bot message (two only for the first /start,
// the welcome and the first question, and for the shared phone number, whose thanks take the
// "share my number" keyboard away: Telegram gives one message inline buttons or that, not both),
// and step counters that never jump ("Langkah X dari Y": within a flow X goes up by one and Y,
// once shown, holds).
type walker struct {
	t       *testing.T
	h       *flowtest.Harness
	c       *flowtest.Chat
	updates int
	msgs    int
	most    int
	steps   []string // every counter seen, for the failure message
	last    int      // the last step number of the running flow
	total   int      // its total, once shown
}

func newWalker(t *testing.T, h *flowtest.Harness, user int64) *walker {
	return &walker{t: t, h: h, c: h.Chat(user, "id")}
}

// check looks at the replies of the update just handled; want is the number of bot messages it
// should get.
func (w *walker) check(want int) {
	w.t.Helper()
	n := len(w.c.Last.Replies)
	w.updates++
	w.msgs += n
	w.most = max(w.most, n)
	if n != want {
		w.t.Errorf("one update got %d bot messages, want %d:\n%s", n, want, w.c.Transcript())
	}
	for _, r := range w.c.Last.Replies {
		step, of, ok := stepOf(w.h, r.Text)
		if !ok {
			continue
		}
		line := w.h.T("id", "CommonStepNumber", map[string]any{"Step": step})
		if of != 0 {
			line = w.h.T("id", "CommonStepProgress", map[string]any{"Step": step, "Total": of})
		}
		w.steps = append(w.steps, line)
		if step == 1 { // a new flow (the registration after the profile)
			w.last, w.total = 0, 0
		}
		// A new question is one step on; the same one again (the summary after a change) keeps
		// its number.
		if (step != w.last+1 && step != w.last) || (w.total != 0 && of != w.total) {
			w.t.Fatalf("step counter jumped: %q after step %d of %d (seen: %v):\n%s", line, w.last, w.total, w.steps, w.c.Transcript())
		}
		w.last = step
		if of != 0 {
			w.total = of
		}
	}
}

func (w *walker) send(text string) { w.t.Helper(); w.c.Send(text); w.check(1) }
func (w *walker) press(id string)  { w.t.Helper(); w.c.PressMsg(id); w.check(1) }
func (w *walker) asks(id string) bool {
	return w.c.Mentions(w.h.T("id", id, map[string]any{}))
}

// register walks from /start: the profile (with the NIB, or "Belum punya"), then the path (a
// path's button, or "help me choose" with the answers given), the product, every document asked
// uploaded, with edit the optional halal certificate and the brand given from the summary, and
// the summary sent. It returns the application number.
func (w *walker) register(nib, path string, edit bool, choose ...string) string {
	w.t.Helper()
	w.c.Send("/start")
	w.check(2) // the welcome, and the first question
	choosing, edited := false, false
	answers := map[string]string{
		"ProfileAskName": "Maria Goreti", "ProfileAskBusiness": "Usaha Maria", "ProfileAskKabupaten": "Ngada",
		"RegisterAskProductName": "Produk Maria", "RegisterAskProductType": "Jenis produk",
		"RegisterAskComposition": "bahan a 60%, bahan b 40%", "RegisterAskNetContent": "250 g", "RegisterAskShelfLife": "12 bulan",
	}
	for i := 0; ; i++ {
		if i == 60 {
			w.t.Fatalf("no application number after 60 updates:\n%s", w.c.Transcript())
		}
		if n := flowtest.AppNumberRE.FindString(w.c.Text()); n != "" {
			return n
		}
		switch {
		case w.asks("ProfileAskPhone"):
			w.c.Contact("+6281234567890", true)
			w.check(2) // the thanks take the keyboard away; the NIB question has buttons
			continue
		case nib != "" && w.c.Mentions(w.h.T("id", "ProfileConfirmNIB", map[string]any{"NIB": nib, "Digits": len(nib)})):
			w.press("CommonYes") // an NIB of an unusual length is asked back, without a step number
			continue
		case w.asks("ProfileAskNIB"):
			if nib == "" {
				w.press("ProfileNoNIB")
			} else {
				w.send(nib)
			}
			continue
		case w.asks("RegisterAskPath"):
			if path == "help" {
				choosing = true
				w.press("RegisterHelpMeChoose")
			} else {
				w.press("PathName_" + path)
			}
			continue
		case w.c.HasButton(w.h.T("id", "RegisterTakeRecommended")):
			choosing = false
			w.press("RegisterTakeRecommended")
			continue
		case choosing && len(choose) > 0:
			if w.c.HasButton(w.h.T("id", choose[0])) {
				w.press(choose[0])
			} else {
				w.send(choose[0])
			}
			choose = choose[1:]
			continue
		case w.c.HasButton(w.h.T("id", "Storage_room")):
			w.press("Storage_room")
			continue
		case w.c.HasButton(w.h.T("id", "CommonSendButton")) && edit && !edited:
			// What waited for the summary, given from its change list: an optional document
			// and the brand, then the summary again; no step number changes under the owner.
			edited = true
			w.press("CommonEditButton")
			w.press("DocName_halal_certificate")
			w.c.ExpectNot(w.h.T("id", "CommonStepProgress", map[string]any{"Step": w.last + 1, "Total": w.total}))
			w.c.Upload("halal.pdf", "application/pdf", 1000)
			w.check(1)
			w.press("CommonEditButton")
			w.press("RegisterAskBrandField")
			w.send("Mantap")
			w.c.Expect("halal.pdf", "Mantap")
			continue
		case w.c.HasButton(w.h.T("id", "CommonSendButton")):
			w.press("CommonSendButton")
			continue
		case w.c.HasButton(w.h.T("id", "CommonLater")):
			if w.c.Mentions(w.h.T("id", "DocName_halal_certificate")) {
				w.t.Fatalf("an optional document is asked on the way (it waits for the summary or /dokumen):\n%s", w.c.Transcript())
			}
			if w.c.Mentions(w.h.T("id", "DocName_shelf_life_info")) {
				w.c.Expect("12 bulan") // the shelf life typed before is not asked again
			}
			w.c.Photo()
			w.check(1)
			continue
		}
		answered := false
		for id, a := range answers {
			if w.asks(id) {
				w.send(a)
				answered = true
				break
			}
		}
		if !answered {
			w.t.Fatalf("an unexpected question:\n%s", w.c.Transcript())
		}
	}
}

// A full registration on each path, from a fresh /start, never gets more than two bot messages
// for one update, and its step counters never jump; the counts are logged.
func TestRegistrationWalkMessagesAndCounters(t *testing.T) {
	h := flowtest.New(t)
	for i, tt := range []struct {
		name, nib, path string
		edit            bool
		choose          []string
	}{
		{"SPP-IRT", "1234567890123", "spp_irt", false, nil},
		{"BPOM MD, with changes from the summary", "1234567890123", "md", true, nil},
		{"kosmetik", "1234567890123", "kosmetik", false, nil},
		{"obat tradisional", "1234567890123", "obat_tradisional", false, nil},
		{"SPP-IRT without an NIB, with changes from the summary", "", "spp_irt", true, nil},
		{"an NIB of an unusual length", "123456789", "md", false, nil},
		{"help me choose → SPP-IRT", "1234567890123", "help", false, []string{"ChooseA_kind_food", "ChooseA_how_sold_packed", "ya", "tidak"}},
		{"help me choose → obat tradisional", "1234567890123", "help", false, []string{"ChooseA_kind_health"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWalker(t, h, int64(880+i))
			number := w.register(tt.nib, tt.path, tt.edit, tt.choose...)
			if number == "" {
				t.Fatal("no number")
			}
			t.Logf("%s: %d updates, %d bot messages, at most %d for one update; counters %v", tt.name, w.updates, w.msgs, w.most, w.steps)
		})
	}
}

// Documents sent later through /dokumen: each upload gets one message, "saved" above the next
// document's question, and above where the application stands (with the menu) after the last.
func TestDocumentsLaterOneMessageEach(t *testing.T) {
	h := flowtest.New(t)
	w := newWalker(t, h, 890)
	w.c.CompleteProfile("Kopi Bajawa")
	number := w.c.QuickRegister("Kopi Arabika")
	w.send("/dokumen")
	for i := 0; !w.c.Mentions(h.T("id", "MenuText")); i++ {
		if i == 10 {
			t.Fatalf("/dokumen does not end:\n%s", w.c.Transcript())
		}
		if w.c.Mentions(h.T("id", "DocName_halal_certificate")) {
			w.press("CommonLater")
			continue
		}
		asked, at := "", -1 // the document asked: the name shown last (a "saved" line may precede it)
		for _, kind := range []string{"nib", "product_photo", "label_design", "pkp_certificate", "production_site", "production_process", "composition"} {
			if i := strings.LastIndex(w.c.Text(), h.T("id", "DocName_"+kind)); i > at {
				asked, at = kind, i
			}
		}
		w.c.Photo()
		w.check(1)
		w.c.ExpectMsg("DocumentsSaved", map[string]any{"Name": h.T("id", "DocName_"+asked)})
	}
	w.c.ExpectMsg("DocumentsAllDone", map[string]any{"Number": number})
}
