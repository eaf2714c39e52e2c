package telegramtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

// envelope is Telegram's answer, decoded loosely for raw HTTP tests.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// rawForm calls a method with an urlencoded body, the simplest client there is.
func rawForm(t *testing.T, ctx context.Context, srv *telegramtest.Server, method string, vals url.Values) (int, envelope) {
	t.Helper()
	return rawDo(t, ctx, srv.URL()+"/bot"+srv.Token()+"/"+method, "application/x-www-form-urlencoded", vals.Encode())
}

// rawJSON calls a method with a JSON body.
func rawJSON(t *testing.T, ctx context.Context, srv *telegramtest.Server, method string, body any) (int, envelope) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return rawDo(t, ctx, srv.URL()+"/bot"+srv.Token()+"/"+method, "application/json", string(b))
}

func rawDo(t *testing.T, ctx context.Context, u, contentType, body string) (int, envelope) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	return resp.StatusCode, env
}

// pollUpdates is one getUpdates call over raw HTTP.
func pollUpdates(t *testing.T, ctx context.Context, srv *telegramtest.Server, offset int64, timeout int) []models.Update {
	t.Helper()
	status, env := rawForm(t, ctx, srv, "getUpdates", url.Values{
		"offset": {itoa(offset)}, "timeout": {itoa(int64(timeout))},
	})
	if status != http.StatusOK {
		t.Fatalf("getUpdates: %d %s", status, env.Description)
	}
	var ups []models.Update
	if err := json.Unmarshal(env.Result, &ups); err != nil {
		t.Fatalf("decode updates: %v", err)
	}
	return ups
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// newBot is the real go-telegram/bot client pointed at the fake.
func newBot(t *testing.T, srv *telegramtest.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{bot.WithServerURL(srv.URL())}, opts...)
	b, err := bot.New(srv.Token(), opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
