package bot

import (
	"context"
	"slices"
	"strings"
	"testing"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
	"umkmbot/flows/owner"
	"umkmbot/flows/staff"
	"umkmbot/locales"
	"umkmbot/store"
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
			want := menuCommands[i].Name
			if lang == "en" && menuCommands[i].En != "" {
				want = menuCommands[i].En // English readers see the names the English messages use
			}
			if c.Command != want || c.Description == "" || strings.Contains(c.Description, "[[") || len(c.Description) > 256 {
				t.Errorf("%q: command %d is %+v", lang, i, c)
			}
		}
	}
	byLang := func(lang string) string { return srv.Commands(&models.BotCommandScopeDefault{}, lang)[2].Description }
	if byLang("id") == byLang("en") || byLang("") != byLang("id") {
		t.Fatalf("descriptions of /daftar: default %q, id %q, en %q", byLang(""), byLang("id"), byLang("en"))
	}
}

// Staff chats get the staff menu in their language, admins staff management too, a former staff
// member the owners' menu back; the default menu stays the owners'.
func TestSetStaffCommands(t *testing.T) {
	srv := telegramtest.New(t)
	b, err := tgbot.New(srv.Token(), tgbot.WithServerURL(srv.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := SetCommands(ctx, b, msgs); err != nil {
		t.Fatal(err)
	}
	chats := []store.StaffChat{{ChatID: 9001, Lang: "id", Role: "staff"}, {ChatID: 9002, Lang: "en", Role: "viewer"},
		{ChatID: 9000, Lang: "id", Role: "admin"}, {ChatID: 9003, Lang: "en", Role: ""}}
	if err := SetStaffCommands(ctx, b, msgs, chats); err != nil {
		t.Fatal(err)
	}
	names := func(chat int64) string {
		var out []string
		for _, c := range srv.Commands(&models.BotCommandScopeChat{ChatID: chat}, "") {
			out = append(out, c.Command)
		}
		return strings.Join(out, " ")
	}
	desc := func(chat int64) string {
		return srv.Commands(&models.BotCommandScopeChat{ChatID: chat}, "")[0].Description
	}
	if got := names(9001); !strings.HasPrefix(got, "antrian cari statistik") || strings.Contains(got, "staf_undang") || strings.Contains(got, "daftar") {
		t.Errorf("staff menu: %s", got)
	}
	if got := names(9000); !strings.Contains(got, "antrian") || !strings.HasSuffix(got, "staf_undang staf") {
		t.Errorf("admin menu: %s", got)
	}
	if desc(9001) != msgs.For("id").T("CommandDescAntrian") || desc(9002) != msgs.For("en").T("CommandDescAntrian") {
		t.Errorf("staff menus not in their language: %q, %q", desc(9001), desc(9002))
	}
	if got := names(9003); !strings.Contains(got, "register") || strings.Contains(got, "antrian") || desc(9003) != msgs.For("en").T("CommandDescStart") {
		t.Errorf("a former staff member's menu: %s", got)
	}
	if got := srv.Commands(&models.BotCommandScopeDefault{}, ""); len(got) != len(menuCommands) || got[0].Command != "start" {
		t.Errorf("the default menu changed: %v", got)
	}
}

// Each English name in the owners' menu is an alias the owners' flows accept for the command.
func TestEnglishCommandNamesAreAliases(t *testing.T) {
	aliases := owner.Flowset().Aliases
	engine := map[string]string{"help": "bantuan", "cancel": "batal"} // the engine's own (flows/routing.go)
	for _, c := range menuCommands {
		if c.En == "" {
			continue
		}
		if aliases[c.En] != c.Name && engine[c.En] != c.Name {
			t.Errorf("/%s is listed for English readers, but it is not an alias of /%s", c.En, c.Name)
		}
	}
}

// Every staff command is in the staff's Telegram menu and every command there exists (one
// forgotten, /pelatihan_kelola, was found only by reading); a viewer's menu leaves out what a
// read-only member is refused.
func TestStaffMenusMatchTheStaffCommands(t *testing.T) {
	engine := map[string]bool{"menu": true, "bantuan": true, "batal": true, "mode_pemilik": true, "mode_petugas": true}
	cmds := staff.Flowset().Commands
	listed := map[string]bool{}
	for _, c := range roleMenu("admin") {
		listed[c.Name] = true
		if cmds[c.Name] == nil && !engine[c.Name] {
			t.Errorf("/%s is in the staff menu but no staff command", c.Name)
		}
	}
	for name := range cmds {
		if !listed[name] {
			t.Errorf("/%s is a staff command missing from the staff menu", name)
		}
	}
	for _, c := range roleMenu("viewer") {
		if slices.Contains([]string{"impor", "umumkan", "umumkan_riwayat", "pelatihan_baru", "pelatihan_kelola", "staf", "staf_undang"}, c.Name) {
			t.Errorf("/%s is in a viewer's menu, but Authorize refuses it to a viewer", c.Name)
		}
	}
	if len(roleMenu("viewer")) == 0 || len(roleMenu("viewer")) >= len(roleMenu("staff")) {
		t.Errorf("viewer menu %d commands, staff %d", len(roleMenu("viewer")), len(roleMenu("staff")))
	}
}
