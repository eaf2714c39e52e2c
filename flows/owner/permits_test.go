package owner_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"umkmbot/flows/domain"
	"umkmbot/flows/flowtest"
	"umkmbot/flows/jobs"
	"umkmbot/locales"
)

// An owner records the permits they already hold with /my_permits: a number of the wrong form,
// of another kind, with a digit missing or of a year already past is asked again with the
// reason; a P-IRT's year is read from its last two digits and confirmed, not asked; a BPOM MD's
// date is asked. The list shows them, one is removed, and months later the P-IRT's reminder
// arrives in the owner's language.
func TestHeldPermits(t *testing.T) {
	h := flowtest.New(t) // 3 December 2026
	c := h.Chat(311, "en")
	c.Send("/my_permits")
	c.ExpectMsg("PermitHeldIntro")
	c.ExpectMsg("PermitHeldAskPath")
	c.PressMsg("PathName_spp_irt")
	pirt := map[string]any{"Path": h.T("en", "PathName_spp_irt"), "Example": h.T("en", "PermitHeldExample_spp_irt")}
	c.ExpectMsg("PermitHeldAskNumber", pirt)

	c.Send("my permit")
	c.ExpectMsg("PermitHeldBadNumber", pirt)
	c.Send("P-IRT No. 20653010101-29")
	c.ExpectMsg("PermitHeldBadDigits", pirt)
	c.Send("BPOM RI MD 224131001234")
	c.ExpectMsg("PermitHeldOtherPath", map[string]any{"Path": h.T("en", "PathName_spp_irt"), "Detected": h.T("en", "PathName_md")})
	c.Send("P-IRT No. 2065301010123-24")
	c.ExpectMsg("PermitHeldLapsedYear", map[string]any{"Year": 2024})
	c.Send("SPP-IRT No. 2065301010123-28")
	c.ExpectMsg("PermitHeldAskProduct")
	c.Send("Kopi Bubuk Bajawa")
	c.ExpectMsg("PermitHeldConfirmYear", map[string]any{"Year": "2028"})
	c.PressMsg("CommonYes")
	c.ExpectMsg("PermitHeldSaved", map[string]any{"Number": "P-IRT No. 2065301010123-28", "Product": "Kopi Bubuk Bajawa", "Until": "2028"})

	c.Send("/my_permits")
	c.Expect("Kopi Bubuk Bajawa: P-IRT No. 2065301010123-28")
	c.PressMsg("PermitHeldAddButton")
	c.PressMsg("PathName_md")
	c.Send("bpom ri md 224131001234")
	c.ExpectMsg("PermitHeldAskProduct")
	c.Send("Sambal Roa")
	c.ExpectMsg("PermitHeldAskValidUntil") // not read from the number: asked
	c.Send("31-02-2027")
	c.ExpectMsg("PermitHeldBadDate")
	c.Send("30-06-2027")
	c.ExpectMsg("PermitHeldSaved", map[string]any{"Number": "BPOM RI MD 224131001234", "Product": "Sambal Roa",
		"Until": h.Msgs.For("en").Date(time.Date(2027, 6, 30, 12, 0, 0, 0, locales.Location()))})

	c.Send("/my_permits")
	c.Expect("Sambal Roa: BPOM RI MD 224131001234", "Kopi Bubuk Bajawa")
	c.PressMsg("PermitHeldRemoveButton", map[string]any{"Product": "Sambal Roa"})
	c.ExpectMsg("PermitHeldRemoved", map[string]any{"Number": "BPOM RI MD 224131001234", "Product": "Sambal Roa"})
	c.Send("/my_permits")
	c.ExpectNot("Sambal Roa")

	var held int
	var until time.Time
	var yearOnly bool
	h.Query(&held, `SELECT count(*) FROM held_permits`)
	if held != 1 {
		t.Fatalf("%d permits recorded, want 1", held)
	}
	h.Query(&until, `SELECT valid_until FROM held_permits`)
	h.Query(&yearOnly, `SELECT year_only FROM held_permits`)
	if !until.Equal(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)) || !yearOnly {
		t.Errorf("recorded valid until %v (year only %v), want the year 2028", until, yearOnly)
	}

	// Another owner cannot remove it with a button of their own making.
	var id int64
	h.Query(&id, `SELECT id FROM held_permits`)
	other := h.Chat(312, "id")
	other.Send("/start")
	other.PressData("a:hp:rm:"+strconv.FormatInt(id, 10), 0)
	h.Query(&held, `SELECT count(*) FROM held_permits`)
	if held != 1 {
		t.Fatal("another owner removed the record")
	}

	// 180 days before 1 January 2028, the reminder, in English.
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	js, err := jobs.New(jobs.Config{Messages: msgs, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	due, err := js.PermitExpiry(context.Background(), h.DB.DB(), time.Date(2027, 7, 5, 9, 0, 0, 0, locales.Location()))
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ChatID != c.User || !strings.Contains(due[0].Reply.Text, "P-IRT No. 2065301010123-28") ||
		!strings.Contains(due[0].Reply.Text, "valid until 2028") || !strings.Contains(due[0].Reply.Text, h.T("en", "ReminderPermitRenewal_spp_irt")) {
		t.Fatalf("reminders %+v, want one in English for the P-IRT", due)
	}

	// /hapus_data takes the record with it.
	c.Send("/delete_data")
	c.PressMsg("CommonYes")
	h.Query(&held, `SELECT count(*) FROM held_permits`)
	if held != 0 {
		t.Errorf("%d permits recorded after /delete_data, want none", held)
	}
}
