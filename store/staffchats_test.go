package store_test

import (
	"context"
	"testing"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// StaffChats names every staff chat with its language, and a removed member, or one in owner mode
// just now, with no role (the owners' menu).
func TestStaffChats(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	if _, err := db.Exec(ctx, `
		INSERT INTO owners (telegram_user_id, chat_id, lang) VALUES (9001, 9001, 'en'), (9003, 9003, 'id'), (9004, 9004, 'id');
		INSERT INTO staff (telegram_user_id, unit, role, active) VALUES (9001, 'loka_ende', 'staff', true), (9002, 'loka_ende', 'viewer', false),
			(9003, 'loka_ende', 'staff', true), (9004, 'loka_ende', 'staff', true);
		INSERT INTO sessions (chat_id, user_id, state, updated_at) VALUES (9003, 9003, '{"as_owner":true,"seq":2}', now()),
			(9004, 9004, '{"seq":5}', now())`); err != nil {
		t.Fatal(err)
	}
	chats, err := store.StaffChats(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.StaffChat{{ChatID: 9001, Lang: "en", Role: "staff"}, {ChatID: 9002, Lang: "id", Role: ""},
		{ChatID: 9003, Lang: "id", Role: ""}, {ChatID: 9004, Lang: "id", Role: "staff"}}
	if len(chats) != len(want) {
		t.Fatalf("StaffChats = %+v, want %+v", chats, want)
	}
	for i := range want {
		if chats[i] != want[i] {
			t.Fatalf("StaffChats = %+v, want %+v", chats, want)
		}
	}
}
