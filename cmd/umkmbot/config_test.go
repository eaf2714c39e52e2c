package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		vars map[string]string
		want string
		not  string
	}{
		{map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL", ""},
		{map[string]string{"TZ": "Mars/Olympus"}, "TZ", ""},
		{map[string]string{"ADMIN_TELEGRAM_IDS": "12,abc"}, "ADMIN_TELEGRAM_IDS", ""},
		{map[string]string{"DATABASE_URL": "mysql://root:hunter2@x/db"}, "DATABASE_URL", "hunter2"},
		{map[string]string{"APP_NUMBER_PREFIX": "ntt"}, "APP_NUMBER_PREFIX", ""},
		// Shorter than a job's 30-day catch-up: a pruned key would let a reminder go twice.
		{map[string]string{"RETAIN_OUTBOX": "720h"}, "RETAIN_OUTBOX", ""},
	}
	for _, c := range cases {
		var out bytes.Buffer
		_, _, err := parseConfig("x", "", []string{"DATABASE_URL", "LOG_LEVEL", "TZ", "ADMIN_TELEGRAM_IDS", "APP_NUMBER_PREFIX", "RETAIN_OUTBOX"},
			nil, func(k string) string { return c.vars[k] }, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want it to name %s", c.vars, err, c.want)
		}
		if c.not != "" && err != nil && strings.Contains(err.Error(), c.not) {
			t.Errorf("%v: the error echoes a secret: %v", c.vars, err)
		}
	}
}

func TestConfigFlagsOverrideEnv(t *testing.T) {
	cfg, _, err := parseConfig("x", "", []string{"LOG_LEVEL", "ADMIN_TELEGRAM_IDS"}, []string{"-log-level", "debug"},
		func(k string) string { return map[string]string{"LOG_LEVEL": "warn", "ADMIN_TELEGRAM_IDS": "5, 6"}[k] }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LogLevel != "debug" || len(cfg.AdminIDs) != 2 || cfg.AdminIDs[1] != 6 {
		t.Fatalf("cfg = %+v", cfg)
	}
}

func TestLoggerRedacts(t *testing.T) {
	var out bytes.Buffer
	token := "123456789:AAF-abcdefghijklmnopqrstuvwxyz012345"
	log := newLogger(&out, "debug", "json", "sekret-webhook")
	log.Info("calling https://api.telegram.org/bot"+token+"/getMe", "phone", "+62 812-3456-7890",
		"err", errString("dial https://api.telegram.org/bot"+token+"/sendMessage"), "note", "sekret-webhook",
		slog.Group("g", "local", "081234567890"))
	log.With("who", "0812 3456 7890").Info("x")
	s := out.String()
	for _, leak := range []string{token, "3456", "sekret-webhook"} {
		if strings.Contains(s, leak) {
			t.Errorf("log holds %q:\n%s", leak, s)
		}
	}
	if !strings.Contains(s, "REDACTED") {
		t.Errorf("nothing was redacted:\n%s", s)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// -h prints defaults, never a secret taken from the environment.
func TestHelpDoesNotPrintSecrets(t *testing.T) {
	var out bytes.Buffer
	env := &runEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(k string) string {
		return map[string]string{"DATABASE_URL": "postgres://u:hunter2@db/x", "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"}[k]
	}}
	for _, cmd := range []string{"migrate", "serve", "chat"} {
		out.Reset()
		if code := run(context.Background(), []string{cmd, "-h"}, env); code != 0 {
			t.Fatalf("%s -h: exit %d", cmd, code)
		}
		if strings.Contains(out.String(), "hunter2") || strings.Contains(out.String(), "ABCDEFGHIJ") {
			t.Fatalf("%s -h prints a secret:\n%s", cmd, out.String())
		}
		if !strings.Contains(out.String(), "DATABASE_URL") {
			t.Fatalf("%s -h does not list DATABASE_URL:\n%s", cmd, out.String())
		}
	}
}

func TestCheckListenAddr(t *testing.T) {
	for _, c := range []struct {
		addr string
		ok   bool
	}{
		{":8080", true}, {"127.0.0.1:9090", true}, {"[::1]:80", true}, {"localhost:http", true},
		{"bot-1.internal:8080", true}, {":0", true},
		{"nonsense", false}, {":99999", false}, {":-1", false}, {":", false}, {"8080", false},
		{"bad host:80", false}, {"-x:80", false}, {"127.0.0.1:eighty", false},
	} {
		if err := checkListenAddr(c.addr); (err == nil) != c.ok {
			t.Errorf("checkListenAddr(%q) = %v, want ok=%v", c.addr, err, c.ok)
		}
	}
}

// Telegram posts only to https; plain http is for a local Bot API server or a fake on this machine.
func TestCheckWebhookURL(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"", true}, {"https://bot.example.org", true}, {"https://bot.example.org:8443/tg/hook", true},
		{"http://127.0.0.1:8081/hook", true}, {"http://localhost/hook", true}, {"http://[::1]:9000", true},
		{"http://bot.example.org/hook", false}, {"http://10.0.0.5/hook", false}, {"ftp://bot.example.org", false},
		{"bot.example.org/hook", false}, {"https://", false}, {"https://user:pw@bot.example.org", false},
	} {
		if err := checkWebhookURL(c.url); (err == nil) != c.ok {
			t.Errorf("checkWebhookURL(%q) = %v, want ok=%v", c.url, err, c.ok)
		}
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The token comes from the environment or from a file (trimmed), never both; errors name the
// variable and never quote what the file holds.
func TestTokenFromFile(t *testing.T) {
	const token = "123456789:AAF-abcdefghijklmnopqrstuvwxyz012345"
	parse := func(vars map[string]string) (*Config, error) {
		cfg, _, err := parseConfig("x", "", []string{"TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET"}, nil,
			func(k string) string { return vars[k] }, &bytes.Buffer{})
		return cfg, err
	}
	cfg, err := parse(map[string]string{"TELEGRAM_BOT_TOKEN_FILE": writeFile(t, "  "+token+"\n"),
		"WEBHOOK_SECRET_FILE": writeFile(t, "hook-secret_1\n")})
	if err != nil || cfg.Token != token || cfg.WebhookSecret != "hook-secret_1" {
		t.Fatalf("from files: cfg = %+v, err = %v", cfg, err)
	}

	for _, c := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"missing file", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": "/nonexistent/token"}, "TELEGRAM_BOT_TOKEN_FILE"},
		{"empty file", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": writeFile(t, "\n")}, "TELEGRAM_BOT_TOKEN_FILE"},
		{"both", map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BOT_TOKEN_FILE": writeFile(t, token)}, "both set"},
		{"not a token", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": writeFile(t, "hunter2-not-a-token")}, "TELEGRAM_BOT_TOKEN"},
		{"bad secret", map[string]string{"WEBHOOK_SECRET_FILE": writeFile(t, "hunter2 has spaces")}, "WEBHOOK_SECRET"},
	} {
		_, err := parse(c.vars)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to say %q", c.name, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "AAF-abc") {
			t.Errorf("%s: the error quotes the secret: %v", c.name, err)
		}
	}
}

// The token has no flag: a flag shows in the process list.
func TestNoTokenFlag(t *testing.T) {
	code, out := runCmd(t, nil, "serve", "-token", "123456789:AAF-abcdefghijklmnopqrstuvwxyz012345")
	if code == 0 || !strings.Contains(out, "-token") {
		t.Fatalf("serve -token: exit %d:\n%s", code, out)
	}
	code, out = runCmd(t, nil, "serve", "-h")
	if code != 0 || strings.Contains(out, "-token") {
		t.Fatalf("serve -h still offers -token (exit %d):\n%s", code, out)
	}
	for _, want := range []string{"TELEGRAM_BOT_TOKEN_FILE", "WEBHOOK_SECRET_FILE", "DISPATCH_WORKERS", "-workers",
		"METRICS_ADDR", "POOL_MAX_CONNS", "DB_WAIT"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve -h does not mention %s:\n%s", want, out)
		}
	}
}
