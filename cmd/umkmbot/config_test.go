package main

import (
	"bytes"
	"context"
	"log/slog"
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
	}
	for _, c := range cases {
		var out bytes.Buffer
		_, _, err := parseConfig("x", "", []string{"DATABASE_URL", "LOG_LEVEL", "TZ", "ADMIN_TELEGRAM_IDS", "APP_NUMBER_PREFIX"},
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
