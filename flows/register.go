package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows/domain"
	"umkmbot/store"
)

// registerFlow guides an owner through registering one product: the permit path (or a few
// questions that choose it), the checklist of that path, the product's data, its documents one
// by one, a summary to check, and the application number.
func registerFlow() *Flow {
	return &Flow{
		Name:      "register",
		Title:     "RegisterTitle",
		Progress:  true,
		Resumable: true,
		Label:     func(d map[string]string) string { return d["product_name"] },
		TotalKnown: func(c *Ctx) bool {
			p := c.effectivePath()
			return p != "" && p != "help"
		},
		Steps: func(c *Ctx) []*Step {
			steps := []*Step{
				{Name: "path", Prompt: "RegisterAskPath", Help: "RegisterHelpPath", Input: InputChoice, Choices: pathChoices,
					Save: func(c *Ctx, v string) error {
						if v != c.get("path") {
							c.clearChooser()
						}
						c.set("path", v)
						return nil
					}},
			}
			steps = append(steps, c.chooserSteps()...)
			steps = append(steps,
				&Step{Name: "checklist", Prompt: "RegisterChecklist", Input: InputInfo, Data: checklistData},
				&Step{Name: "product_name", Prompt: "RegisterAskProductName", Help: "RegisterHelpProductName", Input: InputText, Parse: parseShortText},
				&Step{Name: "brand", Prompt: "RegisterAskBrand", Input: InputText, Optional: "RegisterNoBrand", Parse: parseShortText},
				&Step{Name: "product_type", Prompt: "RegisterAskProductType", Help: "RegisterHelpProductType", Input: InputText, Parse: parseShortText,
					Data: func(c *Ctx) map[string]any { return map[string]any{"Path": c.effectivePath()} }},
				&Step{Name: "composition", Prompt: "RegisterAskComposition", Help: "RegisterHelpComposition", Input: InputText, Parse: parseComposition,
					Data: func(c *Ctx) map[string]any { return map[string]any{"Percent": c.needsPercentages()} }},
				&Step{Name: "packaging", Prompt: "RegisterAskPackaging", Input: InputChoice, Columns: 2, Choices: packagingChoices},
				&Step{Name: "net_content", Prompt: "RegisterAskNetContent", Help: "RegisterHelpNetContent", Input: InputText, Parse: parseNetContent},
				&Step{Name: "shelf_life", Prompt: "RegisterAskShelfLife", Help: "RegisterHelpShelfLife", Input: InputText, Parse: parseShelfLife,
					Display: func(c *Ctx, v string) string { return displayShelfLife(c, v) }},
				&Step{Name: "storage", Prompt: "RegisterAskStorage", Input: InputChoice, Choices: storageChoices,
					Save: func(c *Ctx, v string) error {
						c.set("storage", v)
						if v == "frozen" && c.effectivePath() == "spp_irt" {
							c.say(c.T("RegisterFrozenNotSPPIRT"))
						}
						return nil
					}},
			)
			steps = append(steps, c.documentSteps()...)
			editable := []string{"product_name", "brand", "product_type", "composition", "packaging", "net_content", "shelf_life", "storage"}
			for _, d := range c.pathDocuments() {
				editable = append(editable, "doc_"+d.Code)
			}
			steps = append(steps, &Step{Name: "summary", Prompt: "RegisterSummary", Input: InputConfirm, Editable: editable,
				Data: func(c *Ctx) map[string]any {
					return map[string]any{"Path": c.pathName(c.effectivePath()), "Summary": c.summary(editable...)}
				}})
			return steps
		},
		Start: func(c *Ctx) error {
			if !c.hasProfile() {
				// The registration needs the business it is for: ask that first, then come back.
				c.say(c.T("RegisterProfileFirst"))
				if c.Sess.Parked["profile"] != nil { // a profile begun earlier: go on with it
					c.Sess.unpark("profile")
					c.Sess.Then = "register"
					c.ask(nil, 0)
					return nil
				}
				c.Sess.reset()
				c.Sess.Flow = "profile"
				if err := c.start("profile"); err != nil {
					return err
				}
				c.Sess.Then = "register"
			}
			return nil
		},
		Done: submitApplication,
	}
}

// cmdRegister starts a registration, offering back a parked one first.
func (c *Ctx) cmdRegister() error {
	if c.Sess.Parked["register"] != nil {
		return c.offerResume("register")
	}
	return c.start("register")
}

// effectivePath is the chosen permit path: picked directly or recommended by the questions.
func (c *Ctx) effectivePath() string {
	if p := c.get("path"); p != "help" {
		return p
	}
	return c.get("recommended")
}

func (c *Ctx) pathName(code string) string { return c.T("PathName_" + code) }

func pathChoices(c *Ctx) []Choice {
	var out []Choice
	for _, p := range c.e.rules.Paths() {
		out = append(out, Choice{Value: string(p.Code), Label: "PathName_" + string(p.Code)})
	}
	return append(out, Choice{Value: "help", Label: "RegisterHelpMeChoose"})
}

// chooserSteps are the yes/no questions of "help me choose", as far as the answers so far lead,
// and the recommendation at their end.
func (c *Ctx) chooserSteps() []*Step {
	if c.get("path") != "help" {
		return nil
	}
	answers := map[domain.Question]bool{}
	var steps []*Step
	for {
		q, done, rec := domain.NextQuestion(answers)
		if done {
			steps = append(steps, c.recommendStep(rec))
			return steps
		}
		name := "q_" + string(q)
		steps = append(steps, &Step{Name: name, Prompt: "ChooseQ_" + string(q), Input: InputYesNo,
			Display: func(c *Ctx, v string) string { return c.display(&Step{Input: InputYesNo}, v) }})
		v, ok := c.Sess.Data[name]
		if !ok {
			return steps
		}
		answers[q] = v == "yes"
	}
}

func (c *Ctx) clearChooser() {
	for k := range c.Sess.Data {
		if strings.HasPrefix(k, "q_") || k == "recommended" || k == "recommend" {
			delete(c.Sess.Data, k)
		}
	}
}

// recommendStep shows the path the answers lead to, with the reason, and lets the owner take it
// or choose another.
func (c *Ctx) recommendStep(rec domain.Recommendation) *Step {
	none := rec.Path == domain.RecommendNoneNeeded || rec.Path == domain.RecommendUnknown
	return &Step{Name: "recommend", Prompt: "RegisterRecommend", Input: InputChoice,
		Data: func(c *Ctx) map[string]any {
			d := map[string]any{"Reason": c.T("ChooseReason_" + string(rec.Reason)), "None": none}
			if !none {
				d["Path"] = c.pathName(string(rec.Path))
			}
			if rec.Alternative != "" {
				d["Alternative"] = c.pathName(string(rec.Alternative))
			}
			return d
		},
		Choices: func(c *Ctx) []Choice {
			if none {
				return []Choice{{Value: "self", Label: "RegisterChooseMyself"}, {Value: "stop", Label: "RegisterStopHere"}}
			}
			return []Choice{{Value: "take", Label: "RegisterTakeRecommended"}, {Value: "self", Label: "RegisterChooseMyself"}}
		},
		Save: func(c *Ctx, v string) error {
			switch v {
			case "take":
				c.set("recommended", string(rec.Path))
				c.set("recommend", v)
			case "self":
				c.clearChooser()
				c.del("path")
				c.Sess.Trail = nil
				return c.goTo("path")
			case "stop":
				c.Sess.reset()
				c.say(c.T("RegisterStopped"))
				c.showMenu("")
			}
			return nil
		}}
}

// pathDocuments lists the documents of the chosen path.
func (c *Ctx) pathDocuments() []domain.DocumentRule {
	p := c.effectivePath()
	if p == "" || p == "help" {
		return nil
	}
	return c.e.rules.Documents(domain.PathCode(p))
}

func (c *Ctx) needsPercentages() bool {
	for _, d := range c.pathDocuments() {
		if d.Code == "composition_percent" || d.Code == "formula" {
			return true
		}
	}
	return false
}

func checklistData(c *Ctx) map[string]any {
	var b strings.Builder
	for _, d := range c.pathDocuments() {
		mark := "•"
		if d.Need != domain.NeedRequired {
			mark = "◦"
		}
		b.WriteString(mark + " " + c.T("DocName_"+d.Code) + "\n")
	}
	return map[string]any{"Path": c.pathName(c.effectivePath()), "Documents": strings.TrimRight(b.String(), "\n")}
}

// documentSteps asks for each document of the path; "Nanti" records it as missing.
func (c *Ctx) documentSteps() []*Step {
	var steps []*Step
	docs := c.pathDocuments()
	for i, d := range docs {
		d := d
		steps = append(steps, &Step{Name: "doc_" + d.Code, Prompt: "RegisterAskDocument", Help: "DocHelp_" + d.Code, Field: "DocName_" + d.Code,
			Input: InputFile, Optional: "CommonLater",
			Data: func(c *Ctx) map[string]any {
				return map[string]any{"Name": c.T("DocName_" + d.Code), "Explain": c.T("DocHelp_" + d.Code),
					"N": i + 1, "Of": len(docs), "Required": d.Need == domain.NeedRequired}
			},
			Accept:  func(c *Ctx, f *File) *Problem { return c.checkFile(d, f) },
			Display: displayFile})
	}
	return steps
}

// checkFile applies the path's rules (type, size) to an upload.
func (c *Ctx) checkFile(d domain.DocumentRule, f *File) *Problem {
	mime := f.MIME
	if c.Ev.Kind == EventPhoto && mime == "" {
		mime = "image/jpeg"
	}
	err := c.e.rules.CheckFile(d, mime, f.Size)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, domain.ErrFileTooLarge):
		return &Problem{Msg: "CommonFileTooLarge", Data: map[string]any{"MaxMB": d.MaxBytes / (1 << 20)}}
	default:
		return problem("CommonFileWrongType")
	}
}

// storedFile is a document answer kept in the session until the application is submitted.
type storedFile struct {
	ID       string `json:"id"`
	UniqueID string `json:"uid"`
	Name     string `json:"name"`
	MIME     string `json:"mime"`
	Size     int64  `json:"size"`
	Photo    bool   `json:"photo,omitempty"`
	At       int64  `json:"at"`
}

func encodeFile(f *File, kind EventKind, at time.Time) string {
	name := f.Name
	b, _ := json.Marshal(storedFile{ID: f.ID, UniqueID: f.UniqueID, Name: name, MIME: f.MIME, Size: f.Size, Photo: kind == EventPhoto, At: at.Unix()})
	return string(b)
}

func decodeFile(v string) (storedFile, bool) {
	var f storedFile
	if v == "" || json.Unmarshal([]byte(v), &f) != nil || f.ID == "" {
		return f, false
	}
	return f, true
}

func displayFile(c *Ctx, v string) string {
	f, ok := decodeFile(v)
	if !ok {
		return c.T("DocMissing")
	}
	if f.Photo {
		return c.T("DocPhotoReceived")
	}
	if f.Name != "" {
		return "📄 " + f.Name
	}
	return c.T("DocFileReceived")
}

func packagingChoices(c *Ctx) []Choice {
	var out []Choice
	for _, p := range []string{"plastic", "pouch", "glass_bottle", "plastic_bottle", "can", "paper_box", "jar", "other"} {
		out = append(out, Choice{Value: p, Label: "Packaging_" + p})
	}
	return out
}

func storageChoices(c *Ctx) []Choice {
	var out []Choice
	for _, s := range []string{"room", "cool_dry", "refrigerated", "frozen"} {
		out = append(out, Choice{Value: s, Label: "Storage_" + s})
	}
	return out
}

// parseComposition accepts a list of ingredients (up to 1000 characters).
func parseComposition(c *Ctx, in string) (string, *Problem) {
	in = strings.TrimSpace(in)
	if len([]rune(in)) < 3 {
		return "", problem("RegisterBadComposition")
	}
	if len([]rune(in)) > 1000 {
		return "", &Problem{Msg: "CommonTooLong", Data: map[string]any{"Max": 1000}}
	}
	return in, nil
}

var netContentRE = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)\s*(g|gr|gram|kg|kilo|kilogram|mg|ml|l|lt|liter|litre|cc|pcs|buah|butir|sachet|lembar)\.?$`)

// parseNetContent reads "250 g", "1,5 L", "500ml" into a number and a unit.
func parseNetContent(c *Ctx, in string) (string, *Problem) {
	m := netContentRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(in)))
	if m == nil {
		return "", problem("RegisterBadNetContent")
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", "."), 64)
	if err != nil || n <= 0 || n > 100000 {
		return "", problem("RegisterBadNetContent")
	}
	unit := map[string]string{"gr": "g", "gram": "g", "kilo": "kg", "kilogram": "kg", "l": "L", "lt": "L", "liter": "L", "litre": "L", "cc": "ml", "buah": "pcs", "butir": "pcs", "lembar": "pcs"}[m[2]]
	if unit == "" {
		unit = m[2]
	}
	return strings.ReplaceAll(strconv.FormatFloat(n, 'f', -1, 64), ".", ",") + " " + unit, nil
}

var shelfLifeRE = regexp.MustCompile(`^(\d{1,4})\s*(hari|day|days|minggu|week|weeks|bulan|bln|month|months|tahun|thn|year|years)$`)

// parseShelfLife reads "6 bulan", "14 hari", "1 year" and keeps it as days.
func parseShelfLife(c *Ctx, in string) (string, *Problem) {
	m := shelfLifeRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(in)))
	if m == nil {
		return "", problem("RegisterBadShelfLife")
	}
	n, _ := strconv.Atoi(m[1])
	per := map[string]int{"hari": 1, "day": 1, "days": 1, "minggu": 7, "week": 7, "weeks": 7,
		"bulan": 30, "bln": 30, "month": 30, "months": 30, "tahun": 365, "thn": 365, "year": 365, "years": 365}[m[2]]
	days := n * per
	if days < 1 || days > 3650 {
		return "", problem("RegisterBadShelfLife")
	}
	return strconv.Itoa(days), nil
}

func displayShelfLife(c *Ctx, v string) string {
	days, err := strconv.Atoi(v)
	if err != nil {
		return v
	}
	switch {
	case days%365 == 0:
		return c.L.N("DurationYears", days/365)
	case days%30 == 0:
		return c.L.N("DurationMonths", days/30)
	case days%7 == 0:
		return c.L.N("DurationWeeks", days/7)
	}
	return c.L.N("DurationDays", days)
}

// submitApplication writes the application with its documents, gives it a number and tells
// staff.
func submitApplication(c *Ctx) error {
	b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	if err != nil {
		return fmt.Errorf("submit: business: %w", err)
	}
	path := c.effectivePath()
	product := map[string]string{}
	for _, k := range []string{"product_name", "brand", "product_type", "composition", "packaging", "net_content", "shelf_life", "storage"} {
		product[k] = c.get(k)
	}
	var docs []store.NewDocument
	missing := 0
	for _, d := range c.pathDocuments() {
		nd := store.NewDocument{Kind: d.Code, Required: d.Need == domain.NeedRequired}
		if f, ok := decodeFile(c.get("doc_" + d.Code)); ok {
			nd.File = &store.DocumentFile{FileID: f.ID, FileUniqueID: f.UniqueID, FileName: f.Name, MIMEType: f.MIME, SizeBytes: f.Size, UploadedAt: c.Now}
		} else if nd.Required {
			missing++
		}
		docs = append(docs, nd)
	}
	app := store.Application{OwnerID: c.Owner.ID, BusinessID: b.ID, Path: path, Status: string(domain.StatusSubmitted),
		Product: product, ProductName: c.get("product_name"), Kabupaten: b.Kabupaten, SubmittedAt: &c.Now, CreatedAt: c.Now}
	for try := 0; ; try++ {
		if app.Number, err = c.e.appnum.New(c.e.cfg.Rand); err != nil {
			return fmt.Errorf("submit: number: %w", err)
		}
		err = store.CreateApplication(c, c.DB, &app, docs, "owner", c.Owner.ID)
		if !errors.Is(err, store.ErrDuplicateNumber) || try == 5 {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	if err := store.Audit(c, c.DB, store.AuditEntry{ActorKind: "owner", ActorID: c.Owner.ID, Action: "application.submit",
		SubjectKind: "application", SubjectID: app.ID}, c.Now); err != nil {
		return err
	}
	c.Sess.reset()
	c.say(c.T("RegisterSubmitted", map[string]any{"Number": app.Number, "Product": app.ProductName, "Path": c.pathName(path)}))
	if missing > 0 {
		c.reply(Reply{Text: c.L.N("RegisterMissingDocs", missing), Buttons: [][]Button{{{c.T("MenuDocuments"), "a:docs:" + itoa(app.ID)}}}})
	}
	c.showMenu("")
	return c.notifyStaff(app, "StaffNewApplication", "submitted")
}

// notifyStaff tells the staff of the unit that covers the application's kabupaten, and the
// admins, about it. Staff read Indonesian.
func (c *Ctx) notifyStaff(app store.Application, msg, event string) error {
	staff, err := store.ActiveStaff(c, c.DB)
	if err != nil {
		return err
	}
	u, _ := c.e.rules.UnitFor(app.Kabupaten)
	unit := u.Code
	l := c.e.msgs.For("id")
	text := l.T(msg, map[string]any{"Number": app.Number, "Product": app.ProductName,
		"Path": l.T("PathName_" + app.Path), "Kabupaten": c.kabupatenName(app.Kabupaten)})
	for _, s := range staff {
		if s.Role != "admin" && s.Unit != "" && s.Unit != unit {
			continue
		}
		c.notify(Notice{ChatID: s.TelegramUserID, Reply: Reply{Text: text},
			DedupeKey: fmt.Sprintf("staff:%s:%s:%d:%d", event, app.Number, s.ID, c.Now.Unix())})
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
