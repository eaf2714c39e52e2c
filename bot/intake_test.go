package bot

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

// startPoller runs a poller feeding a dispatcher until the test ends.
func startPoller(t *testing.T, srv *telegramtest.Server, s *store.Store, d *Dispatcher, hook func() error) *Poller {
	t.Helper()
	p := NewPoller(PollerConfig{APIURL: srv.URL(), Token: srv.Token(), Store: s, Notify: d.Notify,
		PollTimeout: time.Second, MaxBackoff: 200 * time.Millisecond})
	p.beforeCommit = hook
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("poller: %v", err)
		}
	})
	return p
}

func TestPollingKeepsAndDispatches(t *testing.T) {
	srv := telegramtest.New(t)
	s := storetest.New(t)
	d, n := startDispatcher(t, s, &echoHandler{}, 2)
	p := startPoller(t, srv, s, d, nil)
	u := srv.User(501, "Maria", "id")
	u.Send("halo")
	if got := replyTexts(waitOutbox(t, s, n, 1), 501); len(got) != 1 || got[0] != "echo: halo" {
		t.Fatalf("replies %q", got)
	}
	if len(srv.Calls("deleteWebhook")) == 0 {
		t.Fatal("polling did not delete the webhook first")
	}
	if !p.Alive() {
		t.Fatal("poller not alive after a successful getUpdates")
	}
}

// The offset moves past an update only after the update is committed: a failed commit makes
// Telegram give it again, and it is handled once.
func TestPollingConfirmsOnlyAfterCommit(t *testing.T) {
	srv := telegramtest.New(t)
	s := storetest.New(t)
	d, n := startDispatcher(t, s, &echoHandler{}, 2)
	var failures atomic.Int32
	startPoller(t, srv, s, d, func() error {
		if failures.Add(1) == 1 {
			return errors.New("database went away")
		}
		return nil
	})
	u := srv.User(502, "Yohanes", "id")
	id := u.Send("satu")
	waitOutbox(t, s, n, 1)
	if failures.Load() < 2 {
		t.Fatalf("the batch was committed %d times, want a failure then a success", failures.Load())
	}
	// Every getUpdates before the successful commit asked from an offset that does not
	// confirm the update.
	calls := srv.Calls("getUpdates")
	confirmed := false
	for _, c := range calls {
		if c.Params.Int("offset") > id {
			confirmed = true
		}
	}
	if !confirmed {
		// The confirming call may still be on its way: wait for it.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.WaitFor(ctx, func() bool {
			for _, c := range srv.Calls("getUpdates") {
				if c.Params.Int("offset") > id {
					return true
				}
			}
			return false
		}); err != nil {
			t.Fatal(err)
		}
	}
	if c := srv.Calls("getUpdates"); c[0].Params.Int("offset") > id || c[1].Params.Int("offset") > id {
		t.Fatalf("offset advanced before commit: %d, %d", c[0].Params.Int("offset"), c[1].Params.Int("offset"))
	}
	// Telegram giving it once more changes nothing.
	if err := srv.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	u.Send("dua")
	msgs := waitOutbox(t, s, n, 2)
	if got := replyTexts(msgs, 502); len(got) != 2 || got[0] != "echo: satu" || got[1] != "echo: dua" {
		t.Fatalf("replies %q", got)
	}
}

func TestPollingHonoursRetryAfter(t *testing.T) {
	srv := telegramtest.New(t)
	s := storetest.New(t)
	d, n := startDispatcher(t, s, &echoHandler{}, 2)
	srv.FailNext("getUpdates", 1, telegramtest.RetryAfter(1))
	startPoller(t, srv, s, d, nil)
	srv.User(503, "Agustina", "en").Send("hello")
	waitOutbox(t, s, n, 1)
	calls := srv.Calls("getUpdates")
	if len(calls) < 2 || calls[0].Status != 429 {
		t.Fatalf("calls: %+v", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < 900*time.Millisecond {
		t.Fatalf("asked again after %v, Telegram said retry_after 1s", gap)
	}
}

// updateHead reads only the update's id and chat; it must find the same chat as the full decode.
func TestUpdateHeadFindsTheChatAsTheFullDecodeDoes(t *testing.T) {
	for _, raw := range []string{
		`{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"M"},"text":"halo"}}`,
		`{"update_id":2,"edited_message":{"message_id":5,"date":1,"chat":{"id":-100,"type":"group"},"text":"x"}}`,
		`{"update_id":3,"callback_query":{"id":"c","from":{"id":7,"is_bot":false,"first_name":"M"},"message":{"message_id":9,"date":1,"chat":{"id":7,"type":"private"}},"data":"s1:ya"}}`,
		`{"update_id":4,"callback_query":{"id":"c","from":{"id":8,"is_bot":false,"first_name":"M"},"data":"x"}}`,
		`{"update_id":5,"callback_query":{"id":"c","from":{"id":8,"is_bot":false,"first_name":"M"},"inline_message_id":"i","data":"x"}}`,
		`{"update_id":6,"my_chat_member":{"chat":{"id":11,"type":"private"},"from":{"id":11,"is_bot":false,"first_name":"M"},"date":1,"old_chat_member":{"status":"member","user":{"id":1,"is_bot":true,"first_name":"b"}},"new_chat_member":{"status":"kicked","user":{"id":1,"is_bot":true,"first_name":"b"},"until_date":0}}}`,
		`{"update_id":7,"poll":{"id":"p"}}`,
	} {
		var u models.Update
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			t.Fatal(err)
		}
		id, chat, err := updateHead(json.RawMessage(raw))
		if err != nil || id != u.ID || chat != UpdateChatID(&u) {
			t.Errorf("updateHead(%.40s…) = %d, %d, %v; the full decode says %d, %d", raw, id, chat, err, u.ID, UpdateChatID(&u))
		}
	}
	if _, _, err := updateHead(json.RawMessage(`{"message":{}}`)); err == nil {
		t.Error("an update without update_id was accepted")
	}
}
