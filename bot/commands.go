package bot

import (
	"context"
	"fmt"
	"slices"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/locales"
	"umkmbot/store"
)

// botCommand is one command of Telegram's command menu; Msg is the message ID of its
// description in package locales.
type botCommand struct {
	Name string
	En   string // the English alias the flows also accept, listed in the English menu ("" = Name)
	Msg  string
}

// menuCommands are the commands owners see in Telegram's menu, in this order.
var menuCommands = []botCommand{
	{Name: "start", Msg: "CommandDescStart"},
	{Name: "menu", Msg: "CommandDescMenu"},
	{Name: "daftar", En: "register", Msg: "CommandDescDaftar"},
	{Name: "status", Msg: "CommandDescStatus"},
	{Name: "pengajuan", En: "applications", Msg: "CommandDescPengajuan"},
	{Name: "izin_saya", En: "my_permits", Msg: "CommandDescIzinSaya"},
	{Name: "dokumen", En: "documents", Msg: "CommandDescDokumen"},
	{Name: "pelatihan", En: "trainings", Msg: "CommandDescPelatihan"},
	{Name: "profil", En: "profile", Msg: "CommandDescProfil"},
	{Name: "bahasa", En: "language", Msg: "CommandDescBahasa"},
	{Name: "bantuan", En: "help", Msg: "CommandDescBantuan"},
	{Name: "batal", En: "cancel", Msg: "CommandDescBatal"},
	{Name: "hapus_data", En: "delete_data", Msg: "CommandDescHapusData"},
}

// staffCommands are the commands staff see in Telegram's menu in their own chat; admins see
// adminCommands after them.
var (
	staffCommands = []botCommand{
		{Name: "antrian", Msg: "CommandDescAntrian"},
		{Name: "cari", Msg: "CommandDescCari"},
		{Name: "statistik", Msg: "CommandDescStatistik"},
		{Name: "impor", Msg: "CommandDescImpor"},
		{Name: "ekspor", Msg: "CommandDescEkspor"},
		{Name: "pelatihan_kelola", Msg: "CommandDescPelatihanKelola"},
		{Name: "pelatihan_baru", Msg: "CommandDescPelatihanBaru"},
		{Name: "umumkan", Msg: "CommandDescUmumkan"},
		{Name: "umumkan_riwayat", Msg: "CommandDescUmumkanRiwayat"},
		{Name: "menu", Msg: "CommandDescMenu"},
		{Name: "mode_pemilik", Msg: "CommandDescModePemilik"},
		{Name: "mode_petugas", Msg: "CommandDescModePetugas"},
		{Name: "bantuan", Msg: "CommandDescBantuan"},
		{Name: "batal", Msg: "CommandDescBatal"},
	}
	// viewerCommands are the staff commands a read-only member may use (no import, training
	// management or broadcast: Authorize refuses those to a viewer).
	viewerCommands = slices.DeleteFunc(slices.Clone(staffCommands), func(c botCommand) bool {
		return slices.Contains([]string{"impor", "pelatihan_kelola", "pelatihan_baru", "umumkan", "umumkan_riwayat"}, c.Name)
	})
	adminCommands = []botCommand{
		{Name: "staf_undang", Msg: "CommandDescStafUndang"},
		{Name: "staf", Msg: "CommandDescStaf"},
	}
)

// CommandList is the owners' command menu in one language; in English with the English names
// (the aliases the flows accept), as the English messages name them.
func CommandList(msgs *locales.Bundle, lang string) []models.BotCommand {
	return commandList(msgs, lang, menuCommands)
}

func commandList(msgs *locales.Bundle, lang string, cmds []botCommand) []models.BotCommand {
	l := msgs.For(lang)
	out := make([]models.BotCommand, len(cmds))
	for i, c := range cmds {
		name := c.Name
		if c.En != "" && locales.NormalizeLang(lang) == "en" {
			name = c.En
		}
		out[i] = models.BotCommand{Command: name, Description: l.T(c.Msg)}
	}
	return out
}

// SetStaffCommands gives each staff member's and admin's chat its own command menu
// (setMyCommands with BotCommandScopeChat) in their language: staff commands for staff and
// viewers, and staff management for admins. A chat that is no longer staff (Role "") gets the
// owners' menu back in the same scope, since a chat scope outranks the default one. serve calls
// it at start for every staff chat; a chat whose membership or mode changes while the bot runs
// gets its menu at once (a reply's CommandMenu, commandMenuCall).
func SetStaffCommands(ctx context.Context, b *tgbot.Bot, msgs *locales.Bundle, chats []store.StaffChat) error {
	for _, c := range chats {
		if _, err := b.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
			Commands: commandList(msgs, c.Lang, roleMenu(c.Role)), Scope: &models.BotCommandScopeChat{ChatID: c.ChatID},
		}); err != nil {
			return fmt.Errorf("setMyCommands (chat %d): %w", c.ChatID, err)
		}
	}
	return nil
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
