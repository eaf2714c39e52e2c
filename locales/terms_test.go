package locales

import (
	"regexp"
	"strings"
	"testing"
)

// pathTerms is, for each permit path, the one term every message uses for it (its PathName_*
// starts with it) and the other spellings an owner might take for a second thing ("izin PIRT"
// beside "SPP-IRT"). The numbers printed on labels are not the path's name and stay allowed:
// "P-IRT No.", "BPOM RI MD", "POM TR".
var pathTerms = []struct {
	code  string
	term  map[string]string
	other []*regexp.Regexp
	allow *regexp.Regexp // a match of other that is fine after all
}{
	{"spp_irt", map[string]string{"id": "SPP-IRT", "en": "SPP-IRT"}, []*regexp.Regexp{
		regexp.MustCompile(`(?i)\bSPP(\s+|_|)IRT\b`),                        // SPP IRT, SPPIRT
		regexp.MustCompile(`(?i)\bPIRT\b`),                                  // PIRT without its hyphen
		regexp.MustCompile(`(?i)(nomor\s+)?\bP-IRT\b(\s+(No|numbers?)\b)?`), // P-IRT as a name (allow: the number's)
		regexp.MustCompile(`(?i)\b(izin|sertifikat|permit|certificate)\s+(P-?IRT|IRT)\b`),
		regexp.MustCompile(`(?i)\bspp-irt\b`), // the term in another case
	}, regexp.MustCompile(`^SPP-IRT$|(?i:^nomor\s|\s(No|numbers?)$)`)},
	{"md", map[string]string{"id": "BPOM MD", "en": "BPOM MD"}, []*regexp.Regexp{
		regexp.MustCompile(`(?i)\bMD\s+BPOM\b`),
		regexp.MustCompile(`(?i)\b(izin|permit|registrasi|nomor)\s+MD\b`),
		regexp.MustCompile(`(?i)\bBPOM\s+ML\b|\bizin\s+BPOM\b|\bBPOM\s+permit\b`),
	}, nil},
	{"kosmetik", map[string]string{"id": "Notifikasi kosmetik", "en": "Cosmetics notification"}, []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(izin|sertifikat)\s+kosmetik`),
		regexp.MustCompile(`(?i)\bnotifikasi\s+(BPOM|kosmetika)\b`),
		regexp.MustCompile(`(?i)\bcosmetic\s+notification|\bcosmetics?\s+(permit|licen[cs]e|registration)\b|\bnotification\s+of\s+cosmetics\b`),
	}, nil},
	{"obat_tradisional", map[string]string{"id": "Obat tradisional", "en": "Traditional medicine"}, []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(izin|registrasi)\s+(jamu|TR)\b|\bjamu\s+(permit|registration)\b`),
		regexp.MustCompile(`(?i)\bobat\s+herbal\b|\bherbal\s+medicines?\b`),
		regexp.MustCompile(`(?i)\bizin\s+POM\s+TR\b|\bTR\s+permit\b`),
	}, nil},
}

// TestOnePathOneTerm: every message names a permit path with its PathName_* term, in every
// language, and no message outside PathName_* uses another spelling of it.
func TestOnePathOneTerm(t *testing.T) {
	b := mustLoad(t)
	for _, p := range pathTerms {
		for _, lang := range b.Languages() {
			term := p.term[lang]
			if name := b.For(lang).T("PathName_" + p.code); !strings.HasPrefix(name, term) {
				t.Errorf("%s: PathName_%s is %q: it no longer starts with the term %q the other messages use", lang, p.code, name, term)
			}
		}
	}
	for _, lang := range b.Languages() {
		for _, id := range b.IDs(lang) {
			if strings.HasPrefix(id, "PathName_") {
				continue
			}
			for form, text := range pluralForms(b.messages[lang][id]) {
				for _, p := range pathTerms {
					for _, re := range p.other {
						for _, m := range re.FindAllString(text, -1) {
							if p.allow != nil && p.allow.MatchString(m) {
								continue
							}
							t.Errorf("%s %s (%s) calls the %s path %q: use %q (PathName_%s)", lang, id, form, p.code, m, p.term[lang], p.code)
						}
					}
				}
			}
		}
	}
}

// jargon is each word an owner may not know, the words that explain it, and where the owner
// meets it first (there it is explained, in a parenthesis or a line). Where it comes again it is
// not explained again: within one message (but the help an owner asks for, *Help* and
// DocGuide_*, may explain in full), in a document's name and the help shown with it at
// its question (RegisterAskDocument shows DocName_* and DocHelp_* together), and in the
// messages listed in "again", which always come after the first meeting.
var jargon = []struct {
	term    map[string]string
	explain map[string]*regexp.Regexp
	first   []string // message IDs where an owner meets it first: they explain it
	again   []string // message IDs that come later: they use the term without explaining it
}{
	{map[string]string{"id": "PKP", "en": "PKP"}, map[string]*regexp.Regexp{
		"id": regexp.MustCompile(`(?i)penyuluhan keamanan pangan|kursus keamanan pangan`),
		"en": regexp.MustCompile(`(?i)food[- ]safety course|penyuluhan keamanan pangan`)},
		[]string{"DocName_pkp_certificate"}, nil},
	{map[string]string{"id": "CPKB", "en": "CPKB"}, map[string]*regexp.Regexp{
		"id": regexp.MustCompile(`(?i)cara (pembuatan|membuat) kosmetik`),
		"en": regexp.MustCompile(`(?i)good (cosmetics )?manufacturing practice`)},
		[]string{"DocName_cpkb_evidence"}, nil},
	{map[string]string{"id": "pemeriksaan sarana", "en": "inspection"}, map[string]*regexp.Regexp{
		"id": regexp.MustCompile(`(?i)(cek|periksa|memeriksa)\s+tempat produksi|tempat produksi\s+(oleh|diperiksa)`),
		"en": regexp.MustCompile(`(?i)checks? your production site|inspects? your (production )?(site|premises)`)},
		[]string{"DocName_premises_inspection"}, nil},
	{map[string]string{"id": "UMOT/UKOT", "en": "UMOT/UKOT"}, map[string]*regexp.Regexp{
		"id": regexp.MustCompile(`(?i)usaha (mikro|kecil)(/kecil)? obat tradisional|izin usaha obat tradisional`),
		"en": regexp.MustCompile(`(?i)traditional medicine business`)},
		[]string{"DocName_umot_ukot_licence", "ChooseReason_herbal_medicine"}, nil},
	{map[string]string{"id": "OSS", "en": "OSS"}, map[string]*regexp.Regexp{
		"id": regexp.MustCompile(`(?i)sistem perizinan`),
		"en": regexp.MustCompile(`(?i)online licensing system`)},
		[]string{"ChooseReason_home_industry_low_risk"}, []string{"DocHelp_nib"}},
	{map[string]string{"id": "NIB", "en": "NIB"}, map[string]*regexp.Regexp{
		"id": regexp.MustCompile(`(?i)nomor induk berusaha`),
		"en": regexp.MustCompile(`(?i)business identification number`)},
		[]string{"ProfileAskNIB"}, []string{"DocName_nib", "DocHelp_nib"}},
	{map[string]string{"id": "SPB", "en": "SPB"}, map[string]*regexp.Regexp{
		"id": regexp.MustCompile(`(?i)surat perintah bayar`),
		"en": regexp.MustCompile(`(?i)payment order`)},
		[]string{"StatusNext_awaiting_payment"}, []string{"ReminderPaymentDue"}},
}

// TestJargonExplainedOnce: each word in jargon is explained where an owner meets it first, and
// not again where it comes again.
func TestJargonExplainedOnce(t *testing.T) {
	b := mustLoad(t)
	text := func(lang, id string) string {
		var all []string
		for _, s := range pluralForms(b.messages[lang][id]) {
			all = append(all, s)
		}
		return strings.Join(all, "\n")
	}
	for _, j := range jargon {
		for _, lang := range b.Languages() {
			explain := j.explain[lang]
			for _, id := range j.first {
				if s := text(lang, id); !strings.Contains(s, j.term[lang]) || !explain.MatchString(s) {
					t.Errorf("%s %s: an owner meets %s here first, and it is not explained", lang, id, j.term[lang])
				}
			}
			for _, id := range j.again {
				if s := text(lang, id); explain.MatchString(s) {
					t.Errorf("%s %s: %s was explained before the owner comes here; it is explained again", lang, id, j.term[lang])
				}
			}
			for _, id := range b.IDs(lang) {
				asked := strings.Contains(id, "Help") || strings.HasPrefix(id, "DocGuide_")
				for form, s := range pluralForms(b.messages[lang][id]) {
					if n := len(explain.FindAllString(s, -1)); n > 1 && !asked {
						t.Errorf("%s %s (%s): %s is explained %d times in one message", lang, id, form, j.term[lang], n)
					}
				}
				if kind, ok := strings.CutPrefix(id, "DocName_"); ok {
					both := text(lang, id) + "\n" + text(lang, "DocHelp_"+kind)
					if n := len(explain.FindAllString(both, -1)); n > 1 {
						t.Errorf("%s %s and DocHelp_%s, shown together, explain %s %d times", lang, id, kind, j.term[lang], n)
					}
				}
			}
		}
	}
}
