package owner_test

import (
	"context"
	"crypto/rand"
	"testing"

	"umkmbot/flows/domain"
	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// ownerWithApplication gives the chat a profile (Ngada) and no conversation under way, and a
// submitted application of the path made through the store (the registration is tested on its
// own), and returns the application's number.
func ownerWithApplication(t *testing.T, c *flowtest.Chat, path, product string) string {
	t.Helper()
	ctx := context.Background()
	db := c.H.DB.DB()
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/batal") // the registration that follows a first profile
	o, err := store.OwnerByTelegramID(ctx, db, c.User)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.PrimaryBusiness(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	number, err := c.H.E.AppNumbers().New(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	app := store.Application{Number: number, OwnerID: o.ID, BusinessID: b.ID, Path: path, Status: "submitted",
		ProductName: product, Kabupaten: b.Kabupaten, CreatedAt: c.H.Clock()}
	docs := []store.NewDocument{{Kind: "label_design", Required: true}}
	if err := store.CreateApplication(ctx, db, &app, docs, "owner", o.ID); err != nil {
		t.Fatal(err)
	}
	return number
}

// After /hapus_data the bot says in one message what was deleted and what stays: the
// application already handed over stays with the office that handles it (named, with its
// number), anonymised, and is no longer this chat's. /pengajuan lists it no more, /status by
// its number shows only what anyone with the number sees, also after the owner fills a new
// profile; and any next message starts afresh.
func TestDeleteDataSaysWhatStaysAndLetsGo(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(820, "id")
	number := ownerWithApplication(t, c, "spp_irt", "Kopi Luwak")
	office, ok := h.E.Rules().OfficeFor(domain.PathSPPIRT, "ngada")
	if !ok {
		t.Fatal("no office for SPP-IRT in Ngada")
	}

	c.Send("/hapus_data")
	c.PressMsg("CommonYes")
	if n := len(c.Last.Replies); n != 1 {
		t.Fatalf("%d messages after the deletion, want 1:\n%s", n, c.Transcript())
	}
	c.Expect(number, "Kopi Luwak", office.Name)
	c.ExpectNot("Maria")
	c.ExpectNot("1234567890123")

	c.Send("/pengajuan")
	c.ExpectMsg("ApplicationsNone")
	c.ExpectNot(number)
	c.Send("/status " + number)
	c.ExpectNot("Kopi Luwak")
	c.ExpectMsg("StatusPublic", map[string]any{"Number": number, "Status": h.T("id", "Status_submitted"),
		"Since": h.Msgs.For("id").ShortDate(h.Clock())})

	c.Send("terima kasih")
	c.ExpectNot(h.T("id", "MenuNotUnderstood"))
	c.ExpectMsg("ProfileAskName")
	c.CompleteProfileFromName()
	c.Send("/pengajuan")
	c.ExpectMsg("ApplicationsNone")
	c.Send("/status " + number)
	c.ExpectNot("Kopi Luwak")
}

// An owner who deleted nothing is told so: answering no keeps everything, in one message with
// the menu.
func TestDeleteDataNoIsOneMessage(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(821, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/batal")
	c.Send("/hapus_data")
	c.PressMsg("CommonNo")
	if n := len(c.Last.Replies); n != 1 {
		t.Fatalf("%d messages after keeping the data, want 1:\n%s", n, c.Transcript())
	}
	c.ExpectMsg("DeleteKept")
	c.ExpectMsg("MenuText")
}
