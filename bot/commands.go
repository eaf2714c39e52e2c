package bot

import (
	"context"
	"fmt"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/locales"
)

// botCommand is one command of Telegram's command menu; Msg is the message ID of its
// description in package locales.
type botCommand struct {
	Name string
	Msg  string
}

// menuCommands are the commands owners see in Telegram's menu, in this order.
var menuCommands = []botCommand{
	{Name: "start", Msg: "CommandDescStart"},
	{Name: "menu", Msg: "CommandDescMenu"},
	{Name: "daftar", Msg: "CommandDescDaftar"},
	{Name: "status", Msg: "CommandDescStatus"},
	{Name: "pengajuan", Msg: "CommandDescPengajuan"},
	{Name: "dokumen", Msg: "CommandDescDokumen"},
	{Name: "pelatihan", Msg: "CommandDescPelatihan"},
	{Name: "profil", Msg: "CommandDescProfil"},
	{Name: "bahasa", Msg: "CommandDescBahasa"},
	{Name: "bantuan", Msg: "CommandDescBantuan"},
	{Name: "batal", Msg: "CommandDescBatal"},
	{Name: "hapus_data", Msg: "CommandDescHapusData"},
}

// CommandList is the command menu in one language.
func CommandList(msgs *locales.Bundle, lang string) []models.BotCommand {
	l := msgs.For(lang)
	out := make([]models.BotCommand, len(menuCommands))
	for i, c := range menuCommands {
		out[i] = models.BotCommand{Command: c.Name, Description: l.T(c.Msg)}
	}
	return out
}

// SetCommands registers the command menu with Telegram (setMyCommands): Bahasa Indonesia for
// the default scope with no language (everyone whose language has no list of its own) and for
// "id", English for "en".
func SetCommands(ctx context.Context, b *tgbot.Bot, msgs *locales.Bundle) error {
	for _, c := range []struct{ lang, code string }{{"id", ""}, {"id", "id"}, {"en", "en"}} {
		if _, err := b.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
			Commands: CommandList(msgs, c.lang), Scope: &models.BotCommandScopeDefault{}, LanguageCode: c.code,
		}); err != nil {
			return fmt.Errorf("setMyCommands (%q): %w", c.code, err)
		}
	}
	return nil
}
