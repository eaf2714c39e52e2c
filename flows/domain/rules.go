package domain

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

//go:embed requirements.toml
var requirementsTOML []byte

// Need says whether the checklist asks for a document or only suggests it.
type Need string

// The needs of a document.
const (
	NeedRequired    Need = "required"
	NeedRecommended Need = "recommended"
)

// DocumentRule is what one path asks of one document (dokumen, berkas).
type DocumentRule struct {
	Code          string   // stable code, e.g. "label_design"; locales key names by it
	Need          Need     // required or recommended
	Kinds         []string // accepted file kinds, e.g. "photo", "pdf"
	MIMETypes     []string // the MIME types those kinds stand for
	MaxBytes      int64    // the largest accepted file
	NumberAllowed bool     // the owner may type the number instead of uploading (NIB)
}

// Path is one permit path: who issues it, how long it lasts, the format of its number.
type Path struct {
	Code                          PathCode
	Issuer                        string // code: "bupati_walikota" or "bpom"
	ValidityYears                 int
	NumberFormat                  string // see PermitFormatName
	RenewalFromMonthsBefore       int    // 0 when not known
	RenewalUntilWorkingDaysBefore int    // 0 when not known
	// UsualMonthsMin and Max estimate how long the path usually takes from a complete file to the
	// permit (an estimate: shown as one); 0 when not known.
	UsualMonthsMin, UsualMonthsMax int
}

// Rules is the domain data of requirements.toml, checked for consistency. It is read-only: every
// accessor returns copies.
type Rules struct {
	paths         []Path
	documents     map[PathCode][]DocumentRule
	notEligible   []string
	noPermit      []string
	feePercent    int
	due           map[Status]dueRule
	holidays      map[string]bool // "2006-01-02" in WITA
	holidaySource map[int]string  // every year in the data names one
	holidayFirm   map[int]bool    // verified against the year's decree
	units         []BPOMUnit
	kabupaten     []Kabupaten
	kabupatenKeys map[string]int // normalized name → index in kabupaten
	offices       []Office
}

type dueRule struct {
	days    int
	working bool
}

// rulesFile mirrors requirements.toml.
type rulesFile struct {
	Files struct {
		MaxSizeMB int64 `toml:"max_size_mb"`
	} `toml:"files"`
	FileKinds map[string][]string `toml:"file_kinds"`
	DueDates  map[string]struct {
		Days    int  `toml:"days"`
		Working bool `toml:"working"`
	} `toml:"due_dates"`
	Fees struct {
		MicroSmallPercent int `toml:"micro_small_percent_of_fee"`
	} `toml:"fees"`
	Food struct {
		NotEligible    []string `toml:"not_eligible_for_spp_irt"`
		NoPermitNeeded []string `toml:"no_permit_needed"`
	} `toml:"food"`
	Paths []struct {
		Code                          PathCode `toml:"code"`
		Issuer                        string   `toml:"issuer"`
		ValidityYears                 int      `toml:"validity_years"`
		NumberFormat                  string   `toml:"number_format"`
		RenewalFromMonthsBefore       int      `toml:"renewal_from_months_before"`
		RenewalUntilWorkingDaysBefore int      `toml:"renewal_until_working_days_before"`
		UsualMonths                   []int    `toml:"usual_months"`
		Documents                     []struct {
			Code          string   `toml:"code"`
			Need          Need     `toml:"need"`
			Kinds         []string `toml:"kinds"`
			NumberAllowed bool     `toml:"number_allowed"`
			MaxSizeMB     int64    `toml:"max_size_mb"`
		} `toml:"documents"`
	} `toml:"paths"`
	Regions struct {
		DefaultUnit string `toml:"default_unit"`
	} `toml:"regions"`
	Units []struct {
		Code, Name, Seat                string
		Address, Phone, WhatsApp, Hours string
	} `toml:"bpom_units"`
	HealthOffices []struct {
		Code, Name, Kabupaten           string
		Address, Phone, WhatsApp, Hours string
	} `toml:"health_offices"`
	Kabupaten []struct {
		Code, Name, Unit string
		Aliases          []string
	} `toml:"kabupaten"`
	Holidays []struct {
		Year        int      `toml:"year"`
		Verified    bool     `toml:"verified"`
		Source      string   `toml:"source"`
		Dates       []string `toml:"dates"`
		CutiBersama []string `toml:"cuti_bersama"`
	} `toml:"holidays"`
}

// commonDocuments are asked on every path (DOMAIN.md); an identity card never is.
func commonDocuments() []string { return []string{"nib", "product_photo", "label_design"} }

// LoadRules reads and checks the embedded requirements.toml. Call it once at start-up.
func LoadRules() (*Rules, error) {
	return parseRules(requirementsTOML)
}

func parseRules(data []byte) (*Rules, error) {
	var f rulesFile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, fmt.Errorf("reading requirements.toml: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("requirements.toml: unknown keys %v", und)
	}
	r := &Rules{
		documents:   map[PathCode][]DocumentRule{},
		notEligible: f.Food.NotEligible,
		noPermit:    f.Food.NoPermitNeeded,
		feePercent:  f.Fees.MicroSmallPercent,
		due:         map[Status]dueRule{},
	}
	if err := r.loadPaths(&f); err != nil {
		return nil, fmt.Errorf("requirements.toml: %w", err)
	}
	for code, d := range f.DueDates {
		s := Status(code)
		if (s != StatusNeedsFix && s != StatusAwaitingPayment) || d.Days <= 0 {
			return nil, fmt.Errorf("requirements.toml: due_dates.%s: not a status with a due date, or days <= 0", code)
		}
		r.due[s] = dueRule{days: d.Days, working: d.Working}
	}
	if len(r.due) != 2 {
		return nil, fmt.Errorf("requirements.toml: due_dates needs needs_fix and awaiting_payment")
	}
	if err := r.loadHolidays(&f); err != nil {
		return nil, fmt.Errorf("requirements.toml: %w", err)
	}
	if err := r.loadRegions(&f); err != nil {
		return nil, fmt.Errorf("requirements.toml: %w", err)
	}
	if err := r.loadOffices(&f); err != nil {
		return nil, fmt.Errorf("requirements.toml: %w", err)
	}
	return r, nil
}

func (r *Rules) loadPaths(f *rulesFile) error {
	if f.Files.MaxSizeMB <= 0 {
		return fmt.Errorf("files.max_size_mb must be positive")
	}
	for _, p := range f.Paths {
		if _, dup := r.documents[p.Code]; dup {
			return fmt.Errorf("path %q listed twice", p.Code)
		}
		if want, ok := PermitFormatName(p.Code); !ok || want != p.NumberFormat {
			return fmt.Errorf("path %q: unknown path or number_format %q (want %q)", p.Code, p.NumberFormat, want)
		}
		if p.Issuer == "" || p.ValidityYears <= 0 {
			return fmt.Errorf("path %q: issuer and validity_years are required", p.Code)
		}
		docs := make([]DocumentRule, 0, len(p.Documents))
		for _, d := range p.Documents {
			if d.Code == "" || slices.ContainsFunc(docs, func(x DocumentRule) bool { return x.Code == d.Code }) {
				return fmt.Errorf("path %q: empty or repeated document code %q", p.Code, d.Code)
			}
			if strings.Contains(d.Code, "ktp") {
				return fmt.Errorf("path %q: identity cards (KTP) must not be asked for", p.Code)
			}
			if d.Need != NeedRequired && d.Need != NeedRecommended {
				return fmt.Errorf("path %q, document %q: need %q", p.Code, d.Code, d.Need)
			}
			rule := DocumentRule{Code: d.Code, Need: d.Need, Kinds: d.Kinds, NumberAllowed: d.NumberAllowed,
				MaxBytes: f.Files.MaxSizeMB << 20}
			if d.MaxSizeMB > 0 {
				rule.MaxBytes = d.MaxSizeMB << 20
			}
			if len(d.Kinds) == 0 {
				return fmt.Errorf("path %q, document %q: no kinds", p.Code, d.Code)
			}
			for _, k := range d.Kinds {
				mimes, ok := f.FileKinds[k]
				if !ok {
					return fmt.Errorf("path %q, document %q: unknown kind %q", p.Code, d.Code, k)
				}
				rule.MIMETypes = append(rule.MIMETypes, mimes...)
			}
			docs = append(docs, rule)
		}
		for _, c := range commonDocuments() {
			if !slices.ContainsFunc(docs, func(x DocumentRule) bool { return x.Code == c }) {
				return fmt.Errorf("path %q: common document %q missing", p.Code, c)
			}
		}
		r.documents[p.Code] = docs
		r.paths = append(r.paths, Path{
			Code: p.Code, Issuer: p.Issuer, ValidityYears: p.ValidityYears, NumberFormat: p.NumberFormat,
			RenewalFromMonthsBefore:       p.RenewalFromMonthsBefore,
			RenewalUntilWorkingDaysBefore: p.RenewalUntilWorkingDaysBefore,
		})
		if n := len(p.UsualMonths); n == 2 && p.UsualMonths[0] <= p.UsualMonths[1] {
			r.paths[len(r.paths)-1].UsualMonthsMin, r.paths[len(r.paths)-1].UsualMonthsMax = p.UsualMonths[0], p.UsualMonths[1]
		} else if n != 0 {
			return fmt.Errorf("path %q: usual_months must be [min, max]", p.Code)
		}
	}
	for _, c := range []PathCode{PathSPPIRT, PathMD, PathKosmetik, PathObatTradisional} {
		if _, ok := r.documents[c]; !ok {
			return fmt.Errorf("path %q missing", c)
		}
	}
	return nil
}

// Paths returns the permit paths in file order.
func (r *Rules) Paths() []Path { return slices.Clone(r.paths) }

// Path returns the path with the given code.
func (r *Rules) Path(code PathCode) (Path, bool) {
	i := slices.IndexFunc(r.paths, func(p Path) bool { return p.Code == code })
	if i < 0 {
		return Path{}, false
	}
	return r.paths[i], true
}

// Documents returns the checklist of a path in the order the bot asks for it; nil for an unknown
// path.
func (r *Rules) Documents(path PathCode) []DocumentRule {
	docs := r.documents[path]
	if docs == nil {
		return nil
	}
	out := make([]DocumentRule, len(docs))
	for i, d := range docs {
		d.Kinds = slices.Clone(d.Kinds)
		d.MIMETypes = slices.Clone(d.MIMETypes)
		out[i] = d
	}
	return out
}

// CheckFile tells whether an upload fits a document: ErrFileTooLarge above its size limit,
// ErrFileType for a MIME type it does not accept. MIME parameters and case are ignored.
func (r *Rules) CheckFile(doc DocumentRule, mime string, size int64) error {
	if size > doc.MaxBytes {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrFileTooLarge, size, doc.MaxBytes)
	}
	base, _, _ := strings.Cut(mime, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	if !slices.Contains(doc.MIMETypes, base) {
		return fmt.Errorf("%w: %q for %s", ErrFileType, mime, doc.Code)
	}
	return nil
}

// NotEligibleForSPPIRT returns the codes of food categories SPP-IRT does not cover (they go to md).
func (r *Rules) NotEligibleForSPPIRT() []string { return slices.Clone(r.notEligible) }

// NoPermitNeeded returns the codes of food that needs no izin edar (a hygiene certificate from the
// local health office instead).
func (r *Rules) NoPermitNeeded() []string { return slices.Clone(r.noPermit) }

// MicroSmallFeePercent is the share of BPOM's registration fee micro and small businesses pay.
func (r *Rules) MicroSmallFeePercent() int { return r.feePercent }

// DefaultDue returns the default due date of a status that has one (needs_fix, awaiting_payment)
// counted from from, at the end of its day in WITA; ok is false for statuses without a default.
func (r *Rules) DefaultDue(s Status, from time.Time) (due time.Time, ok bool) {
	d, ok := r.due[s]
	if !ok {
		return time.Time{}, false
	}
	if d.working {
		return EndOfDay(r.AddWorkingDays(from, d.days)), true
	}
	return EndOfDay(from.In(wita()).AddDate(0, 0, d.days)), true
}
