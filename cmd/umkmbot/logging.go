package main

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

// newLogger builds the process logger: text or JSON, at the configured level, behind a handler
// that redacts bot tokens and phone numbers from every message and string attribute, whatever
// code logged them (an error from an HTTP client can quote a URL holding the token).
func newLogger(w io.Writer, level, format string, secrets ...string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	if strings.EqualFold(format, "json") {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	var keep []string
	for _, s := range secrets {
		if s != "" {
			keep = append(keep, s)
		}
	}
	return slog.New(&redactHandler{next: h, secrets: keep})
}

var (
	// A Bot API token: the bot's numeric id, a colon, 35 url-safe characters.
	tokenRE = regexp.MustCompile(`\d{5,}:[A-Za-z0-9_-]{30,}`)
	// Indonesian phone numbers in any common spelling: +62…, 62…, 08…
	phoneRE = regexp.MustCompile(`(?:\+62|\b62|\b0)[\s.-]?8[\d\s.-]{7,14}\d`)
)

// redact removes secrets and phone numbers from s.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, "[REDACTED]")
	}
	s = tokenRE.ReplaceAllString(s, "[REDACTED-TOKEN]")
	return phoneRE.ReplaceAllString(s, "[REDACTED-PHONE]")
}

type redactHandler struct {
	next    slog.Handler
	secrets []string
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redact(r.Message, h.secrets), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact(v.String(), h.secrets))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = h.attr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, redact(err.Error(), h.secrets))
		}
		return slog.String(a.Key, redact(v.String(), h.secrets))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(red), secrets: h.secrets}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), secrets: h.secrets}
}
