package bot

import (
	"context"
	"strings"
	"testing"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
	"umkmbot/locales"
)

func TestSetCommands(t *testing.T) {
	srv := telegramtest.New(t)
	b, err := tgbot.New(srv.Token(), tgbot.WithServerURL(srv.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := SetCommands(context.Background(), b, msgs); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"", "id", "en"} {
		cmds := srv.Commands(nil, lang)
		if len(cmds) != len(menuCommands) {
			t.Fatalf("%q: %d commands, want %d", lang, len(cmds), len(menuCommands))
		}
		for i, c := range cmds {
			if c.Command != menuCommands[i].Name || c.Description == "" || strings.Contains(c.Description, "[[") || len(c.Description) > 256 {
				t.Errorf("%q: command %d is %+v", lang, i, c)
			}
		}
	}
	byLang := func(lang string) string { return srv.Commands(&models.BotCommandScopeDefault{}, lang)[2].Description }
	if byLang("id") == byLang("en") || byLang("") != byLang("id") {
		t.Fatalf("descriptions of /daftar: default %q, id %q, en %q", byLang(""), byLang("id"), byLang("en"))
	}
}
