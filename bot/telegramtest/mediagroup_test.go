package telegramtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

// sendMediaGroup takes 2–10 files of kinds that may share an album, as Telegram does, and keeps
// each as a message of one media group; anything else is a 400 that sends nothing.
func TestSendMediaGroup(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv)
	owner := srv.User(1001, "Maria", "id")
	photo := func(id string) models.InputMedia { return &models.InputMediaPhoto{Media: id, Caption: "foto " + id} }
	doc := func(id string) models.InputMedia { return &models.InputMediaDocument{Media: id, Caption: "dok " + id} }
	var ids []string
	for range 11 {
		ids = append(ids, srv.AddFile("f.jpg", "image/jpeg", []byte("x")))
	}

	msgs, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: owner.ID(), Media: []models.InputMedia{photo(ids[0]), photo(ids[1])}})
	if err != nil {
		t.Fatalf("two photos: %v", err)
	}
	if len(msgs) != 2 || msgs[0].MediaGroupID == "" || msgs[0].MediaGroupID != msgs[1].MediaGroupID || msgs[1].Caption != "foto "+ids[1] {
		t.Fatalf("answer: %+v", msgs)
	}
	for name, media := range map[string][]models.InputMedia{
		"one":                     {photo(ids[0])},
		"eleven":                  {photo(ids[0]), photo(ids[1]), photo(ids[2]), photo(ids[3]), photo(ids[4]), photo(ids[5]), photo(ids[6]), photo(ids[7]), photo(ids[8]), photo(ids[9]), photo(ids[10])},
		"a document with a photo": {doc(ids[0]), photo(ids[1])},
		"a photo with a document": {photo(ids[0]), photo(ids[1]), doc(ids[2])},
		"an unknown file":         {doc(ids[0]), doc("no-such-file")},
	} {
		_, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: owner.ID(), Media: media})
		if err == nil || !strings.Contains(err.Error(), "Bad Request") {
			t.Errorf("%s: err = %v, want a 400", name, err)
		}
	}
	if _, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: owner.ID(), Media: []models.InputMedia{doc(ids[2]), doc(ids[3]), doc(ids[4])}}); err != nil {
		t.Fatalf("three documents: %v", err)
	}

	albums := srv.Albums(owner.ID())
	if len(albums) != 2 || len(albums[0].Items) != 2 || len(albums[1].Items) != 3 {
		t.Fatalf("albums: %v", albums)
	}
	if it := albums[1].Items[2]; it.Type != "document" || it.FileID != ids[4] || it.Caption != "dok "+ids[4] || it.MessageID != 5 {
		t.Errorf("last item: %+v", it)
	}
	if got := len(owner.BotMessages()); got != 5 {
		t.Errorf("%d messages in the chat, want 5 (the refused albums sent nothing)", got)
	}
	failed := 0
	for _, c := range srv.Calls("sendMediaGroup") {
		if c.Status == http.StatusBadRequest {
			failed++
		}
	}
	if failed != 5 {
		t.Errorf("%d calls answered 400, want 5", failed)
	}
}
