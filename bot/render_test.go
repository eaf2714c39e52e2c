package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"umkmbot/bot/telegramtest"
	"umkmbot/flows"
)

// fakeTelegram starts the fake Bot API with its limits on (so an over-long text or caption is
// refused as Telegram would) and a client for it.
func fakeTelegram(t testing.TB) (*telegramtest.Server, *tgbot.Bot) {
	t.Helper()
	srv := telegramtest.New(t)
	srv.SetEnforceLimits(true)
	client, err := tgbot.New(srv.Token(), tgbot.WithServerURL(srv.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

// renderAndSend makes the calls of a payload in order, as the sender does, and fails the test on
// any error.
func renderAndSend(t *testing.T, client *tgbot.Bot, chatID int64, p Payload) {
	t.Helper()
	calls, err := renderPayload(chatID, p, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range calls {
		if err := c.do(ctx, client); err != nil {
			t.Fatalf("%s: %v", c.method, err)
		}
	}
}

func reply(r flows.Reply) Payload { return Payload{Kind: KindReply, Reply: &r} }

func TestRenderShapes(t *testing.T) {
	srv, client := fakeTelegram(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Files the fake knows by id, as if the owner had sent them earlier.
	source := srv.User(500, "Sumber", "id")
	source.SendDocument("izin.pdf", "application/pdf", []byte("%PDF-1.4 fake"))
	source.SendPhoto([]byte("\xff\xd8\xff fake jpeg"))
	msgs := source.Transcript()
	docID, photoID := msgs[0].Document.FileID, msgs[1].Photo[0].FileID
	longCaption := strings.Repeat("Keterangan dokumen. ", 60) // 1200 characters

	cases := []struct {
		name  string
		send  []Payload
		want  string // the chat's transcript
		check func(t *testing.T, msgs []telegramtest.Entry)
	}{
		{name: "inline buttons", send: []Payload{reply(flows.Reply{Text: "Mau apa?",
			Buttons: [][]flows.Button{{{Label: "Daftar", Data: "reg"}, {Label: "Status", Data: "st"}}}})},
			want: "bot: Mau apa? [Daftar→reg] [Status→st]\n"},
		{name: "keyboard with request_contact", send: []Payload{reply(flows.Reply{Text: "Bagikan nomor HP",
			Keyboard: [][]flows.KeyButton{{{Label: "📱 Kirim nomor", RequestContact: true}}, {{Label: "Batal"}}}})},
			want: "bot: Bagikan nomor HP {📱 Kirim nomor: contact} {Batal}\n",
			check: func(t *testing.T, msgs []telegramtest.Entry) {
				if len(msgs[0].Keyboard) != 2 || !msgs[0].Keyboard[0][0].RequestContact {
					t.Errorf("keyboard = %+v", msgs[0].Keyboard)
				}
			}},
		{name: "remove keyboard", send: []Payload{reply(flows.Reply{Text: "Terima kasih", RemoveKeyboard: true})},
			want: "bot: Terima kasih {keyboard removed}\n"},
		{name: "edit the message a button was on", send: []Payload{
			reply(flows.Reply{Text: "Pilih jenis", Buttons: [][]flows.Button{{{Label: "Pangan", Data: "p"}}}}),
			reply(flows.Reply{Text: "Jenis: Pangan", EditMessageID: 1, Buttons: [][]flows.Button{{{Label: "Ubah", Data: "u"}}}}),
		}, want: "bot (edited): Jenis: Pangan [Ubah→u]\n"},
		{name: "edit of the buttons only", send: []Payload{
			reply(flows.Reply{Text: "Pilih", Buttons: [][]flows.Button{{{Label: "A", Data: "a"}}}}),
			reply(flows.Reply{EditMessageID: 1}),
		}, want: "bot (edited): Pilih\n"},
		{name: "document by file id", send: []Payload{reply(flows.Reply{FileID: docID, Text: "Dokumen Anda",
			Buttons: [][]flows.Button{{{Label: "OK", Data: "ok"}}}})},
			want: "bot: Dokumen Anda <document izin.pdf application/pdf> [OK→ok]\n"},
		{name: "photo by file id", send: []Payload{reply(flows.Reply{FileID: photoID, Photo: true, Text: "Label produk"})},
			want: "bot: Label produk <photo>\n"},
		{name: "caption too long goes after the file", send: []Payload{reply(flows.Reply{FileID: docID, Text: longCaption,
			Buttons: [][]flows.Button{{{Label: "OK", Data: "ok"}}}})},
			want: "bot:  <document izin.pdf application/pdf>\nbot: " + longCaption + " [OK→ok]\n"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := srv.User(int64(1000+i), "Maria", "id")
			for _, p := range tc.send {
				renderAndSend(t, client, u.ID(), p)
			}
			msgs, err := u.WaitBotMessages(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := u.Transcript().String(); got != tc.want {
				t.Errorf("transcript:\n%s\nwant:\n%s", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, msgs)
			}
		})
	}
	for _, c := range srv.Calls("") {
		if c.Params.Has("parse_mode") {
			t.Errorf("%s sent with parse_mode: text must go plain", c.Method)
		}
	}
}

func TestRenderLongTextSplitsInOrder(t *testing.T) {
	srv, client := fakeTelegram(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Three paragraphs of ~1,800 characters, each line ending in an emoji (2 UTF-16 units).
	var paras []string
	for p := range 3 {
		var lines []string
		for l := range 30 {
			lines = append(lines, strings.Repeat(string(rune('a'+p)), 55)+" baris "+string(rune('0'+l%10))+" 🌾")
		}
		paras = append(paras, strings.Join(lines, "\n"))
	}
	text := strings.Join(paras, "\n\n")
	u := srv.User(77, "Yohanes", "id")
	renderAndSend(t, client, u.ID(), reply(flows.Reply{Text: text, Buttons: [][]flows.Button{{{Label: "Lanjut", Data: "next"}}}}))
	msgs, err := u.WaitBotMessages(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2:\n%s", len(msgs), u.Transcript())
	}
	// Cut at the paragraph boundary: nothing lost, nothing reordered, buttons only on the last.
	if got := msgs[0].Text + "\n\n" + msgs[1].Text; got != text {
		t.Error("the parts do not join back into the text")
	}
	if msgs[0].Text != paras[0]+"\n\n"+paras[1] {
		t.Error("first part is not the first two paragraphs")
	}
	if len(msgs[0].Buttons) != 0 || len(msgs[1].Buttons) != 1 {
		t.Errorf("buttons: first %v, last %v", msgs[0].Buttons, msgs[1].Buttons)
	}
}

func TestSplitText(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "halo dunia", 10, []string{"halo dunia"}},
		{"paragraph", "satu dua\n\ntiga empat", 12, []string{"satu dua", "tiga empat"}},
		{"line", "satu dua\ntiga empat", 12, []string{"satu dua", "tiga empat"}},
		{"word", "satu dua tiga empat", 12, []string{"satu dua", "tiga empat"}},
		{"no space at all", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"emoji counts twice, never cut in half", "🌾🌾🌾", 3, []string{"🌾", "🌾", "🌾"}},
		{"a late paragraph break beats an early one", "a\n\nbbbbbb\n\ncc", 10, []string{"a\n\nbbbbbb", "cc"}},
		{"an early paragraph break loses to a later line break", "a\n\nbbbbbb\ncc", 10, []string{"a\n\nbbbbbb", "cc"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := splitText(tc.text, tc.limit)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("splitText(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
			}
			for _, p := range got {
				if utf16Len(p) > tc.limit {
					t.Errorf("part %q is %d units, over %d", p, utf16Len(p), tc.limit)
				}
			}
		})
	}
}
