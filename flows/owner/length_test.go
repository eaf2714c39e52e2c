package owner_test

import (
	"strings"
	"testing"

	"umkmbot/flows/flowtest"
)

// counter counts what an owner does (messages and taps, uploads apart) and what the bot sends.
type counter struct {
	c                     *flowtest.Chat
	acts, uploads, botMsg int
}

func (n *counter) send(text string) { n.acts++; n.c.Send(text); n.botMsg += len(n.c.Last.Replies) }
func (n *counter) press(id string)  { n.acts++; n.c.PressMsg(id); n.botMsg += len(n.c.Last.Replies) }
func (n *counter) contact() {
	n.acts++
	n.c.Contact("+6281234567890", true)
	n.botMsg += len(n.c.Last.Replies)
}
func (n *counter) photo() { n.uploads++; n.c.Photo(); n.botMsg += len(n.c.Last.Replies) }

// uploadAll answers every document question with a photo, up to the summary.
func (n *counter) uploadAll(t *testing.T) {
	t.Helper()
	for i := 0; !n.c.HasButton(n.c.H.T("id", "CommonSendButton")); i++ {
		if i == 20 {
			t.Fatalf("no summary:\n%s", n.c.Transcript())
		}
		n.photo()
	}
}

// The length of the owner's conversation, counted: messages and taps besides the uploads, from a
// fresh /start to the application number, and for a returning owner's second product. The
// issue's targets are MD ≤ 15, SPP-IRT ≤ 12, a second product ≤ 8; each case states the count it
// reaches today next to its target, and fails above either (a change that makes it longer).
func TestConversationLength(t *testing.T) {
	h := flowtest.New(t)
	profile := func(n *counter) {
		n.send("/start")
		n.send("Maria Goreti")
		n.send("Kopi Bajawa")
		n.send("Bajawa") // typed: the town names its kabupaten
		n.contact()
		n.send("1234567890123")
	}
	// product answers whatever product question is asked, up to the first document.
	product := func(n *counter, path string) {
		n.press("PathName_" + path)
		answers := []struct{ question, answer string }{
			{"RegisterAskProductName", "Kopi Arabika"}, {"RegisterAskProductType", "Kopi bubuk"},
			{"RegisterAskComposition", "kopi arabika 100%"}, {"RegisterAskNetContent", "250 g"},
			{"RegisterAskShelfLife", "12 bulan"},
		}
	ask:
		for range 12 {
			if n.c.HasButton(n.c.H.T("id", "CommonContinueButton")) {
				n.press("CommonContinueButton")
				continue
			}
			if n.c.HasButton(n.c.H.T("id", "Storage_room")) {
				n.press("Storage_room")
				continue
			}
			for _, a := range answers {
				if n.c.Mentions(n.c.H.T("id", a.question, map[string]any{})) {
					n.send(a.answer)
					continue ask
				}
			}
			return
		}
	}
	cases := []struct {
		name          string
		user          int64
		run           func(n *counter)
		today, target int
	}{
		{"SPP-IRT from a fresh /start", 850, func(n *counter) { profile(n); product(n, "spp_irt") }, 12, 12},
		{"MD from a fresh /start", 851, func(n *counter) { profile(n); product(n, "md") }, 12, 15},
		{"a returning owner's second product", 852, func(n *counter) {
			profile(n)
			product(n, "spp_irt")
			n.uploadAll(t)
			n.c.PressMsg("CommonSendButton")
			n.acts, n.uploads, n.botMsg = 0, 0, 0
			n.send("/daftar")
			product(n, "spp_irt")
		}, 7, 8},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			n := &counter{c: h.Chat(tt.user, "id")}
			tt.run(n)
			n.uploadAll(t)
			n.press("CommonSendButton")
			if flowtest.AppNumberRE.FindString(n.c.Text()) == "" {
				t.Fatalf("no application number:\n%s", n.c.Transcript())
			}
			t.Logf("%s: %d messages and taps (target %d), %d uploads, %d bot messages", tt.name, n.acts, tt.target, n.uploads, n.botMsg)
			if n.acts > tt.target || n.acts > tt.today {
				t.Errorf("%s takes %d messages and taps, more than the %d reached (target %d):\n%s", tt.name, n.acts, tt.today, tt.target, n.c.Transcript())
			}
		})
	}
}

// Step counters never jump: each question of a registration shows "Langkah N" one more than the
// last, and a total, once shown, holds.
func TestStepCountersHold(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(853, "id")
	last, total := 0, 0
	check := func() {
		t.Helper()
		for _, r := range c.Last.Replies {
			step, of, ok := stepOf(h, r.Text)
			if !ok {
				continue
			}
			if step == 1 { // a new flow (the registration after the profile)
				last, total = 0, 0
			}
			if step != last+1 || (total != 0 && of != 0 && of != total) {
				t.Fatalf("step %d of %d after step %d of %d:\n%s", step, of, last, total, c.Transcript())
			}
			last = step
			if of != 0 {
				total = of
			}
		}
	}
	// The profile, with an NIB of an unusual length asked back and corrected.
	c.Send("/start")
	check()
	for _, text := range []string{"Maria Goreti", "Kopi Bajawa", "Ngada"} { // the desa waits for /profil
		if c.HasButton(h.T("id", "CommonSendButton")) {
			break
		}
		c.Send(text)
		check()
	}
	if !c.HasButton(h.T("id", "CommonSendButton")) {
		c.Contact("+6281234567890", true)
		check()
		c.Send("123")
		check()
		c.PressMsg("CommonNo")
		last-- // back to the NIB question: the same step again
		check()
		c.Send("1234567890123")
		check()
		if c.HasButton(h.T("id", "CommonSkip")) {
			c.PressMsg("CommonSkip")
			check()
		}
		if c.HasButton(h.T("id", "CommonSendButton")) {
			c.PressMsg("CommonSendButton")
		}
	}
	// The registration, through "help me choose".
	c.Send("/daftar")
	last, total = 0, 0
	check()
	c.PressMsg("RegisterHelpMeChoose")
	check()
	c.PressMsg("ChooseA_kind_food") // the kind of product: one button question
	check()
	c.PressMsg("ChooseA_how_sold_packed")
	check()
	for _, yes := range []string{"ya", "tidak"} {
		c.Send(yes)
		check()
	}
	c.PressMsg("RegisterTakeRecommended")
	check()
	for _, text := range []string{"Kopi Arabika", "Kopi bubuk", "12 bulan"} {
		if c.HasButton(h.T("id", "CommonContinueButton")) {
			c.PressMsg("CommonContinueButton")
			check()
		}
		c.Send(text)
		check()
	}
}

// stepOf reads "Langkah N dari M" (or "Langkah N") from a reply: the line above its question,
// which a note ("Profil sudah disimpan") may precede.
func stepOf(h *flowtest.Harness, text string) (step, of int, ok bool) {
	for _, line := range strings.Split(text, "\n") {
		for s := 1; s < 60; s++ {
			if line == h.T("id", "CommonStepNumber", map[string]any{"Step": s}) {
				return s, 0, true
			}
			for m := s; m < 60; m++ {
				if line == h.T("id", "CommonStepProgress", map[string]any{"Step": s, "Total": m}) {
					return s, m, true
				}
			}
		}
	}
	return 0, 0, false
}

// Kabupaten names are understood as people type them: the seat town, abbreviations, "Kab.";
// "Kupang" alone is asked back (Kota or Kabupaten).
func TestKabupatenTyped(t *testing.T) {
	h := flowtest.New(t)
	for i, tt := range []struct{ typed, want string }{
		{"Bajawa", "ngada"}, {"TTS", "timor_tengah_selatan"}, {"Kab. Ngada", "ngada"}, {"kota kupang", "kota_kupang"},
	} {
		c := h.Chat(int64(860+i), "id")
		c.Send("/start")
		c.Send("Maria Goreti")
		c.Send("Kopi Bajawa")
		c.Send(tt.typed)
		c.ExpectNot(h.T("id", "CommonChooseButton"))
		c.Contact("+6281234567890", true)
		c.Send("1234567890123")
		var kab string
		h.Query(&kab, `SELECT b.kabupaten FROM businesses b JOIN owners o ON o.id = b.owner_id WHERE o.telegram_user_id = $1`, c.User)
		if kab != tt.want {
			t.Errorf("%q → %q, want %q\n%s", tt.typed, kab, tt.want, c.Transcript())
		}
	}
	c := h.Chat(870, "id")
	c.Send("/start")
	c.Send("Maria Goreti")
	c.Send("Se'i Kupang")
	c.Send("Kupang")
	c.ExpectMsg("ProfileKupangWhich")
	c.Press("Kota Kupang")
	c.ExpectMsg("ProfileAskPhone")
}
