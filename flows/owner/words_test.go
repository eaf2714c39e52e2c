package owner_test

import (
	"strings"
	"testing"

	"umkmbot/flows/flowtest"
)

// The editor's list, by message key: each entry checks the finding it fixed.
func TestEditorsList(t *testing.T) {
	h := flowtest.New(t)
	for _, lang := range []string{"id", "en"} {
		T := func(id string, data ...map[string]any) string { return h.T(lang, id, data...) }
		checks := []struct {
			key string
			ok  bool
		}{
			{"StartWelcomeNew says what izin edar is, shortly", strings.Contains(T("StartWelcomeNew", map[string]any{"Name": ""}), "BPOM") && len([]rune(T("StartWelcomeNew", map[string]any{"Name": ""}))) < 420},
			{"RegisterAskPath names no product before one is named", !strings.Contains(T("RegisterAskPath"), "produk ini") && !strings.Contains(T("RegisterAskPath"), "this product")},
			{"StatusInvalidNumber gives a real-looking example", !strings.Contains(T("StatusInvalidNumber", map[string]any{"Input": "x"}), "XXXX")},
			{"DocHelp_halal_certificate names SEHATI", strings.Contains(T("DocHelp_halal_certificate"), "SEHATI")},
			{"ProfileNIBHowTo explains NIK", strings.Contains(T("ProfileNIBHowTo"), "NIK (")},
			{"MenuHelp lists the data deletion", strings.Contains(T("MenuHelp"), "/hapus_data") || strings.Contains(T("MenuHelp"), "/delete_data")},
			{"StatusNext_submitted does not say there is nothing to do", !strings.Contains(T("StatusNext_submitted"), "tidak perlu melakukan apa-apa") && !strings.Contains(T("StatusNext_submitted"), "nothing to do")},
			{"RegisterAskDocument has no double brackets", !strings.Contains(T("RegisterAskDocument", map[string]any{"Name": T("DocName_pkp_certificate"), "Explain": "E", "N": 1, "Of": 2, "Required": true}), ") (")},
		}
		for _, c := range checks {
			if !c.ok {
				t.Errorf("%s: %s", lang, c.key)
			}
		}
	}

	// The profile summary: a phone as people write it, a skipped OVOP as "none", and "Simpan".
	c := h.Chat(880, "id")
	c.CompleteProfile("Kopi")
	c.Send("/profil")
	c.Expect("0812-3456-7890")
	c.ExpectNot("+6281234567890")
	c.ExpectNot("• " + h.T("id", "ProfileAskOVOPField") + ": " + h.T("id", "CommonSkip"))
	if !c.HasButton(h.T("id", "ProfileSaveButton")) {
		t.Fatalf("the profile summary's button is not %q:\n%s", h.T("id", "ProfileSaveButton"), c.Transcript())
	}
}
