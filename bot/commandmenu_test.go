package bot

import (
	"testing"

	"github.com/go-telegram/bot/models"

	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

// A reply's CommandMenu reaches Telegram through the outbox and the sender as setMyCommands
// scoped to that chat, in the language the reply names, in the chat's order with its messages;
// "default" takes the chat's menu away (deleteMyCommands); an unknown menu fails its message.
func TestCommandMenuReachesTelegram(t *testing.T) {
	r := newSenderRig(t)
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	const staffChat, adminChat = 7000, 7001
	scope := func(chat int64) models.BotCommandScope { return &models.BotCommandScopeChat{ChatID: chat} }
	menu := r.enqueue(staffChat, store.PriorityReply, reply(flows.Reply{CommandMenu: flows.MenuStaff, Lang: "en"}))
	r.text(staffChat, store.PriorityReply, "Selamat bergabung")
	r.enqueue(adminChat, store.PriorityReply, reply(flows.Reply{CommandMenu: flows.MenuAdmin, Lang: "id"}))
	bad := r.enqueue(adminChat, store.PriorityReply, reply(flows.Reply{CommandMenu: "owner"}))
	// Flush alone: a Run beside it could still hold the admin's queue when Flush found nothing
	// left to claim (the test failed 1 run in 4 under load).
	s := r.sender(nil)
	r.flush(s)

	if st := r.row(menu); st.Status != "sent" {
		t.Fatalf("the command menu: %+v, want sent", st)
	}
	want := commandList(msgs, "en", staffCommands)
	got := r.srv.Commands(scope(staffChat), "")
	if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
		t.Fatalf("the staff chat's menu = %v, want the staff commands in English %v", got, want)
	}
	if got := r.srv.Commands(nil, ""); len(got) != 0 {
		t.Fatalf("the default scope was set: %v", got)
	}
	admin := r.srv.Commands(scope(adminChat), "")
	if wantAdmin := commandList(msgs, "id", roleMenu("admin")); len(admin) != len(wantAdmin) || admin[len(admin)-1] != wantAdmin[len(wantAdmin)-1] {
		t.Fatalf("the admin's menu = %v, want %v", admin, wantAdmin)
	}
	if st := r.row(bad); st.Status != "failed" {
		t.Fatalf("an unknown menu: %+v, want failed", st)
	}
	// In the chat's order: the menu was set before the welcome went.
	var order []string
	for _, c := range r.srv.Calls("") {
		if c.ChatID() == staffChat {
			order = append(order, c.Method)
		}
	}
	if len(order) != 2 || order[0] != "setMyCommands" || order[1] != "sendMessage" {
		t.Fatalf("calls for the staff chat: %v, want setMyCommands then sendMessage", order)
	}

	r.enqueue(staffChat, store.PriorityReply, reply(flows.Reply{CommandMenu: flows.MenuDefault, Lang: "en"}))
	r.flush(s)
	if got := r.srv.Commands(scope(staffChat), ""); len(got) != 0 {
		t.Fatalf("after the default menu the chat still has its own: %v", got)
	}
}
