package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// DefaultToken is the bot token a server uses when Options.Token is empty.
const DefaultToken = "123456789:TEST-umkmbot-fake-token"

// Options configure a Server. The zero value is a useful default.
type Options struct {
	// Token is the bot token the server accepts; DefaultToken when empty.
	Token string
	// BotUsername is what getMe answers; "umkm_test_bot" when empty.
	BotUsername string
	// EnforceLimits makes the server answer like Telegram when the bot sends too fast or too
	// much: 429 over 30 messages/s overall or about 1/s per chat (burst 3), 400 for texts,
	// captions or callback data that are too long. It can also be switched with SetEnforceLimits.
	EnforceLimits bool
	// WebhookRetryDelay is the first pause before a failed webhook delivery is retried; it
	// doubles up to 1s. 20ms when zero.
	WebhookRetryDelay time.Duration
	// WebhookMaxAttempts bounds the deliveries of one update before it is dropped, as
	// Telegram eventually gives up. 10 when zero.
	WebhookMaxAttempts int
	// OnCall, when set, is told of every call once it is answered, outside the server's lock. A
	// load test watching hundreds of chats uses it where WaitFor would wake every waiter on
	// every change.
	OnCall func(Call)
}

// Call is one Bot API request the server received.
type Call struct {
	Method string
	Params Params
	// Status is the HTTP status the server answered with (200, 400, 403, 429...).
	Status int
	// Description is the error description of a failed call.
	Description string
	At          time.Time
}

// Server is a fake Telegram Bot API. All methods are safe for concurrent use.
type Server struct {
	ts    *httptest.Server
	opts  Options
	token string
	botID int64
	ctx   context.Context // cancelled by Close; stops long polls, delays and webhook pushes
	stop  context.CancelFunc
	wg    sync.WaitGroup

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced whenever state changes; see notifyLocked
	calls     []Call
	chats     map[int64]*chat
	files     map[string]*storedFile // by file_id
	paths     map[string]*storedFile // by file_path
	nextFile  int
	nextQuery int
	updates   updateQueue
	webhook   webhookState
	commands  map[string][]models.BotCommand
	answers   []CallbackAnswer
	albums    []Album // accepted sendMediaGroup calls
	nextAlbum int
	queries   map[string]bool // callback query ids sent and not yet answered
	faults    faults
	limits    limiter
}

// New starts a Server for the test and closes it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a Server; the caller must Close it.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.BotUsername == "" {
		opts.BotUsername = "umkm_test_bot"
	}
	if opts.WebhookRetryDelay <= 0 {
		opts.WebhookRetryDelay = 20 * time.Millisecond
	}
	if opts.WebhookMaxAttempts <= 0 {
		opts.WebhookMaxAttempts = 10
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{
		opts:     opts,
		token:    opts.Token,
		ctx:      ctx,
		stop:     stop,
		changed:  make(chan struct{}),
		chats:    map[int64]*chat{},
		files:    map[string]*storedFile{},
		paths:    map[string]*storedFile{},
		commands: map[string][]models.BotCommand{},
		queries:  map[string]bool{},
	}
	s.botID, _ = strconv.ParseInt(strings.SplitN(opts.Token, ":", 2)[0], 10, 64)
	s.faults.init()
	s.limits.init(opts.EnforceLimits)
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.wg.Add(1)
	go s.pushWebhooks()
	return s
}

// Close stops the server, ending pending long polls and webhook deliveries.
func (s *Server) Close() {
	s.stop()
	s.ts.CloseClientConnections()
	s.ts.Close()
	s.wg.Wait()
}

// URL is the server's base URL, to be given to the bot as its API server (bot.WithServerURL).
func (s *Server) URL() string { return s.ts.URL }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// Calls returns the calls of a method received so far, in order, failed ones included
// (see Call.Status). An empty method returns every call.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// notifyLocked wakes everyone waiting for a change (long polls, webhook pusher, WaitBotMessages).
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiError is an error answer in Telegram's envelope.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *apiError) Error() string { return e.Description }

func badRequest(desc string) *apiError {
	return &apiError{Code: http.StatusBadRequest, Description: "Bad Request: " + desc}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/file/bot"); ok {
		s.serveFile(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		writeEnvelope(w, nil, &apiError{Code: http.StatusNotFound, Description: "Not Found"})
		return
	}
	token, method, _ := strings.Cut(rest, "/")
	if token != s.token {
		writeEnvelope(w, nil, &apiError{Code: http.StatusUnauthorized, Description: "Unauthorized"})
		return
	}
	p, err := readParams(r)
	if err != nil {
		writeEnvelope(w, nil, badRequest(err.Error()))
		return
	}
	result, apiErr := s.call(r.Context(), method, p)
	writeEnvelope(w, result, apiErr)
}

// call runs one method: injected faults first, then blocks and limits, then the method itself.
func (s *Server) call(ctx context.Context, method string, p Params) (any, *apiError) {
	h, known := s.handler(method)
	var result any
	apiErr := s.injectedFault(ctx, method)
	if apiErr == nil && !known {
		apiErr = &apiError{Code: http.StatusNotFound, Description: "Not Found"}
	}
	if apiErr == nil {
		result, apiErr = h(ctx, p)
	}
	c := Call{Method: method, Params: p, Status: http.StatusOK, At: time.Now()}
	if apiErr != nil {
		c.Status, c.Description = apiErr.Code, apiErr.Description
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	if c.Status == http.StatusTooManyRequests {
		s.limits.count429++
	}
	s.notifyLocked()
	s.mu.Unlock()
	if s.opts.OnCall != nil {
		s.opts.OnCall(c)
	}
	return result, apiErr
}

func writeEnvelope(w http.ResponseWriter, result any, apiErr *apiError) {
	w.Header().Set("Content-Type", "application/json")
	if apiErr != nil {
		body := map[string]any{"ok": false, "error_code": apiErr.Code, "description": apiErr.Description}
		if apiErr.RetryAfter > 0 {
			body["parameters"] = map[string]int{"retry_after": apiErr.RetryAfter}
		}
		w.WriteHeader(apiErr.Code)
		json.NewEncoder(w).Encode(body)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

// WaitFor waits until cond reports true, checking it again after every change the server sees
// (a call, an update, a delivery). cond may call the server's methods.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: waiting for a condition: %w", ctx.Err())
		}
	}
}
