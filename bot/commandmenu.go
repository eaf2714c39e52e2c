package bot

import (
	"fmt"
	"sync"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/flows"
	"umkmbot/locales"
)

// menuMessages are the embedded messages, loaded once, that word the command menus a reply sets:
// the outbox keeps a menu's name and language (Reply.CommandMenu, Reply.Lang), not its words.
var menuMessages = sync.OnceValues(locales.Load)

// roleMenu is the command menu of a staff chat for the staff member's role ("staff", "viewer",
// "admin"); any other role (no longer staff) has the owners'.
func roleMenu(role string) []botCommand {
	switch role {
	case "staff":
		return staffCommands
	case "viewer":
		return viewerCommands
	case "admin":
		return append(append([]botCommand{}, staffCommands...), adminCommands...)
	}
	return menuCommands
}

// commandMenuCall renders a reply's CommandMenu: setMyCommands scoped to the chat with the named
// menu in lang (flows.MenuStaff, flows.MenuAdmin), or deleteMyCommands for that scope
// (flows.MenuDefault), after which the chat sees the menu everyone sees.
func commandMenuCall(chatID int64, menu, lang string) (tgCall, error) {
	scope := &models.BotCommandScopeChat{ChatID: chatID}
	var cmds []botCommand
	switch menu {
	case flows.MenuDefault:
		return tgCall{method: "deleteMyCommands", noCommands: &tgbot.DeleteMyCommandsParams{Scope: scope}}, nil
	case flows.MenuStaff, flows.MenuViewer, flows.MenuAdmin:
		cmds = roleMenu(menu) // a staff menu is named after its role
	default:
		return tgCall{}, fmt.Errorf("bot: unknown command menu %q", menu)
	}
	msgs, err := menuMessages()
	if err != nil {
		return tgCall{}, fmt.Errorf("bot: command menu: %w", err)
	}
	return tgCall{method: "setMyCommands", commands: &tgbot.SetMyCommandsParams{Commands: commandList(msgs, lang, cmds), Scope: scope}}, nil
}
