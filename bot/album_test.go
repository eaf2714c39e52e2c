package bot

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
	"umkmbot/flows"
	"umkmbot/store"
)

// An album reply of 13 files (9 photos, 4 documents, mixed) goes as two albums, one of each kind
// in the files' order, then its text with the buttons. The second album fails once: the retry
// sends it and the text, and the first album is not sent again.
func TestAlbumReplyResumesAfterAFailedAlbum(t *testing.T) {
	r := newSenderRig(t)
	staff := r.srv.User(63, "Petugas", "id")
	var media []flows.Media
	var photos, docs []string
	for i := range 13 {
		m := flows.Media{Photo: i%3 != 2, Caption: fmt.Sprintf("Dokumen %d — MD-2026-0001", i+1)}
		m.FileID = r.srv.AddFile(fmt.Sprintf("f%d", i), "image/jpeg", []byte("x"))
		if m.Photo {
			photos = append(photos, m.FileID)
		} else {
			docs = append(docs, m.FileID)
		}
		media = append(media, m)
	}
	if len(photos) != 9 || len(docs) != 4 {
		t.Fatalf("%d photos, %d documents", len(photos), len(docs))
	}
	r.enqueue(63, store.PriorityReply, reply(flows.Reply{Media: media, Text: "13 dokumen",
		Buttons: [][]flows.Button{{{Label: "Kembali", Data: "a:card:1"}}}}))
	r.srv.FailNext("sendMediaGroup", 1, telegramtest.Slow(time.Millisecond)) // answers normally
	r.srv.FailNext("sendMediaGroup", 1, telegramtest.ServerError(http.StatusServiceUnavailable))
	stop := r.run(r.sender(r.fastClock))
	if _, err := staff.WaitBotMessages(r.deadline(), 14); err != nil {
		t.Fatal(err)
	}
	stop()

	albums := r.srv.Albums(63)
	if len(albums) != 2 {
		t.Fatalf("%d albums, want 2: %v", len(albums), albums)
	}
	for i, want := range [][]string{photos, docs} {
		var got []string
		for _, it := range albums[i].Items {
			got = append(got, it.FileID)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("album %d holds %v, want %v", i+1, got, want)
		}
	}
	if it := albums[1].Items[0]; it.Type != "document" || it.Caption != "Dokumen 3 — MD-2026-0001" {
		t.Errorf("the documents' album begins with %+v", it)
	}
	if n := len(r.srv.Calls("sendMediaGroup")); n != 3 {
		t.Errorf("%d sendMediaGroup calls, want 3 (photos, documents failed, documents)", n)
	}
	msgs := staff.BotMessages()
	if len(msgs) != 14 || msgs[13].Text != "13 dokumen" || len(msgs[13].Buttons) != 1 {
		t.Errorf("%d messages, the last %+v; want the 13 files, then the text with its button", len(msgs), msgs[len(msgs)-1])
	}
	if queued, failed := r.left(); queued != 0 || failed != 0 {
		t.Errorf("%d messages still queued, %d failed; want all sent", queued, failed)
	}
}

// albumCalls cuts each kind into as few albums as Telegram takes, of even sizes; a lone file of a
// kind is a plain send; captions are cut to Telegram's limit.
func TestAlbumCalls(t *testing.T) {
	for _, tc := range []struct {
		photos, docs int
		want         string
	}{
		{1, 0, "sendPhoto"},
		{0, 2, "sendMediaGroup(2)"},
		{10, 0, "sendMediaGroup(10)"},
		{11, 0, "sendMediaGroup(6) sendMediaGroup(5)"},
		{23, 1, "sendMediaGroup(8) sendMediaGroup(8) sendMediaGroup(7) sendDocument"},
		{9, 4, "sendMediaGroup(9) sendMediaGroup(4)"},
	} {
		var media []flows.Media
		for i := range tc.photos {
			media = append(media, flows.Media{FileID: fmt.Sprint("p", i), Photo: true, Caption: strings.Repeat("é", 2000)})
		}
		for i := range tc.docs {
			media = append(media, flows.Media{FileID: fmt.Sprint("d", i)})
		}
		calls, err := renderReply(1, flows.Reply{Media: media}, false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range calls {
			switch {
			case c.album != nil:
				got = append(got, fmt.Sprintf("%s(%d)", c.method, len(c.album.Media)))
				for _, m := range c.album.Media {
					if p, ok := m.(*models.InputMediaPhoto); ok && utf16Len(p.Caption) != maxCaption {
						t.Errorf("a caption of %d UTF-16 units, want it cut to %d", utf16Len(p.Caption), maxCaption)
					}
				}
			default:
				got = append(got, c.method)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%d photos, %d documents: %s, want %s", tc.photos, tc.docs, strings.Join(got, " "), tc.want)
		}
	}
	if _, err := renderReply(1, flows.Reply{Media: []flows.Media{{FileID: "a"}}, FileID: "b"}, false); err == nil {
		t.Error("an album with a FileID beside it is rendered")
	}
}
