package owner_test

import (
	"strings"
	"testing"

	"umkmbot/flows/domain"
	"umkmbot/flows/flowtest"
)

// Food that keeps under 7 days needs no izin edar: the registration says so and does not take it.
func TestShortShelfLifeIsStopped(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(820, "id")
	c.CompleteProfile("Kue Basah")
	c.Send("/daftar")
	c.PressMsg("PathName_spp_irt")
	c.FillProduct("Kue Lapis")
	c.Send("5 hari")
	c.ExpectMsg("RegisterShelfLifeTooShort")
	c.ExpectMsg("RegisterAskShelfLife")
	c.Send("2 minggu")
	c.ExpectMsg("RegisterAskStorage")
}

// After submitting, every path says what the number is, who looks at it (the kabupaten health
// office for SPP-IRT, the BPOM unit otherwise), what the owner still does outside the bot, the fee
// rule and the usual time, marked as an estimate — in one message with the menu.
func TestSubmittedSaysWhatComesNext(t *testing.T) {
	h := flowtest.New(t)
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	for i, path := range []string{"spp_irt", "md", "kosmetik", "obat_tradisional"} {
		c := h.Chat(int64(830+i), "id")
		c.CompleteProfile("Usaha Ngada")
		c.RegisterPath(path, "Produk "+path)
		office, _ := rules.OfficeFor(domain.PathCode(path), "ngada")
		c.Expect(office.Name)
		c.ExpectMsg("RegisterSubmittedNext_" + path)
		p, _ := rules.Path(domain.PathCode(path))
		c.ExpectMsg("RegisterEstimate", map[string]any{"Min": p.UsualMonthsMin, "Max": p.UsualMonthsMax})
		if path == "spp_irt" {
			if !strings.HasPrefix(office.Name, "Dinas Kesehatan") {
				t.Fatalf("SPP-IRT goes to %q", office.Name)
			}
			c.ExpectNot("petugas BPOM")
			c.ExpectMsg("RegisterFeeLocal")
		} else {
			c.ExpectMsg("RegisterFeeBPOM", map[string]any{"Percent": rules.MicroSmallFeePercent()})
		}
		c.ExpectMsg("MenuText")
		if n := len(c.Last.Replies); n != 1 {
			t.Fatalf("%s: %d messages after submitting, want 1:\n%s", path, n, c.Transcript())
		}
	}
}
