package store_test

import (
	"context"
	"testing"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// StaffChats names every staff chat with its language, and a removed member with no role.
func TestStaffChats(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	if _, err := db.Exec(ctx, `
		INSERT INTO owners (telegram_user_id, chat_id, lang) VALUES (9001, 9001, 'en');
		INSERT INTO staff (telegram_user_id, unit, role, active) VALUES (9001, 'loka_ende', 'staff', true), (9002, 'loka_ende', 'viewer', false)`); err != nil {
		t.Fatal(err)
	}
	chats, err := store.StaffChats(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.StaffChat{{ChatID: 9001, Lang: "en", Role: "staff"}, {ChatID: 9002, Lang: "id", Role: ""}}
	if len(chats) != 2 || chats[0] != want[0] || chats[1] != want[1] {
		t.Fatalf("StaffChats = %+v, want %+v", chats, want)
	}
}
