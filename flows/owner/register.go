package owner

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// registerFlow guides an owner through registering one product: the permit path (or a few
// questions that choose it), the checklist of that path, the product's data, its documents one
// by one, a summary to check, and the application number.
func registerFlow() *flows.Flow {
	return &flows.Flow{
		Name:      "register",
		Title:     "RegisterTitle",
		Progress:  true,
		Resumable: true,
		Label:     func(d map[string]string) string { return d["product_name"] },
		TotalKnown: func(c *flows.Ctx) bool {
			p := effectivePath(c)
			return p != "" && p != "help"
		},
		Steps: func(c *flows.Ctx) []*flows.Step {
			steps := []*flows.Step{
				{Name: "path", Prompt: "RegisterAskPath", Help: "RegisterHelpPath", Input: flows.InputChoice, Choices: pathChoices,
					Save: func(c *flows.Ctx, v string) error {
						if v != c.Get("path") {
							clearChooser(c)
						}
						c.Set("path", v)
						return nil
					}},
			}
			steps = append(steps, chooserSteps(c)...)
			steps = append(steps,
				// The path's checklist comes with the first product question (one message, no extra tap).
				&flows.Step{Name: "product_name", Prompt: "RegisterAskProductName", Help: "RegisterHelpProductName", Input: flows.InputText, Parse: parseShortText,
					Data: func(c *flows.Ctx) map[string]any {
						if _, answered := c.Sess.Data["product_name"]; answered {
							return map[string]any{}
						}
						return map[string]any{"Checklist": c.T("RegisterChecklist", checklistData(c))}
					}},
				&flows.Step{Name: "brand", Prompt: "RegisterAskBrand", Input: flows.InputText, Optional: "RegisterNoBrand", Parse: parseShortText, Later: true},
				&flows.Step{Name: "product_type", Prompt: "RegisterAskProductType", Help: "RegisterHelpProductType", Input: flows.InputText, Parse: parseShortText,
					Data: func(c *flows.Ctx) map[string]any { return map[string]any{"Path": effectivePath(c)} }},
				// A path whose documents include the composition asks it once, as that document
				// (typed or photographed); only a path without one asks it here.
				&flows.Step{Name: "composition", Prompt: "RegisterAskComposition", Help: "RegisterHelpComposition", Input: flows.InputText, Parse: parseComposition,
					Skip: func(c *flows.Ctx) bool { return compositionDoc(c) != "" },
					Data: func(c *flows.Ctx) map[string]any { return map[string]any{"Percent": needsPercentages(c)} }},
				&flows.Step{Name: "packaging", Prompt: "RegisterAskPackaging", Input: flows.InputChoice, Columns: 2, Choices: packagingChoices, Later: true},
				// The net content is on the label design: it can wait for the summary.
				&flows.Step{Name: "net_content", Prompt: "RegisterAskNetContent", Help: "RegisterHelpNetContent", Input: flows.InputText, Parse: parseNetContent, Later: true},
				&flows.Step{Name: "shelf_life", Prompt: "RegisterAskShelfLife", Help: "RegisterHelpShelfLife", Input: flows.InputText, Parse: parseShelfLife,
					Display: func(c *flows.Ctx, v string) string { return displayShelfLife(c, v) }},
				&flows.Step{Name: "storage", Prompt: "RegisterAskStorage", Input: flows.InputChoice, Choices: storageChoices,
					Save: func(c *flows.Ctx, v string) error {
						c.Set("storage", v)
						if v == "frozen" && effectivePath(c) == "spp_irt" {
							c.Note(c.T("RegisterFrozenNotSPPIRT"))
						}
						return nil
					}},
			)
			steps = append(steps, documentSteps(c)...)
			editable := slices.Clone(productFields)
			for _, d := range askedDocuments(c) {
				editable = append(editable, "doc_"+d.Code)
			}
			steps = append(steps, &flows.Step{Name: "summary", Prompt: "RegisterSummary", Input: flows.InputConfirm, Editable: editable,
				Data: func(c *flows.Ctx) map[string]any {
					return map[string]any{"Path": c.PathName(effectivePath(c)), "Summary": c.Summary(editable...)}
				}})
			return steps
		},
		Start: func(c *flows.Ctx) error {
			if b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID); err == nil && c.Owner.Name != "" {
				// The NIB given in the profile stands for the NIB document: it is not asked again.
				c.Set(keyProfileNIB, b.NIB)
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			} else {
				// The registration needs the business it is for: ask that first, then come back.
				c.Note(c.T("RegisterProfileFirst"))
				if c.Sess.Parked["profile"] != nil { // a profile begun earlier: go on with it
					c.Sess.Unpark("profile")
					c.Sess.Then = "register"
					c.Ask(nil, 0)
					return nil
				}
				c.Sess.Reset()
				c.Sess.Flow = "profile"
				if err := c.Start("profile"); err != nil {
					return err
				}
				c.Sess.Then = "register"
			}
			return nil
		},
		Done: submitApplication,
	}
}

// productFields are the registration's answers about the product: editable from the summary and
// kept as the application's product data.
var productFields = []string{"product_name", "brand", "product_type", "composition", "packaging", "net_content", "shelf_life", "storage"}

// cmdRegister starts a registration, offering back a parked one first.
func cmdRegister(c *flows.Ctx) error {
	if c.Sess.Parked["register"] != nil {
		return c.OfferResume("register")
	}
	return c.Start("register")
}

// effectivePath is the chosen permit path: picked directly or recommended by the questions.
func effectivePath(c *flows.Ctx) string {
	if p := c.Get("path"); p != "help" {
		return p
	}
	return c.Get("recommended")
}

func pathChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, p := range c.Engine().Rules().Paths() {
		out = append(out, flows.Choice{Value: string(p.Code), Label: "PathName_" + string(p.Code)})
	}
	return append(out, flows.Choice{Value: "help", Label: "RegisterHelpMeChoose"})
}

// chooserSteps are the questions of "help me choose" as far as the answers so far lead (the kind
// of product as one button question, then one thing at a time), and the recommendation at
// their end.
func chooserSteps(c *flows.Ctx) []*flows.Step {
	if c.Get("path") != "help" {
		return nil
	}
	answers := map[domain.Question]string{}
	var steps []*flows.Step
	for {
		q, choices, done, rec := domain.NextQuestion(answers)
		if done {
			steps = append(steps, recommendStep(c, rec))
			return steps
		}
		name := "q_" + string(q)
		step := &flows.Step{Name: name, Prompt: "ChooseQ_" + string(q), Input: flows.InputYesNo,
			Display: func(c *flows.Ctx, v string) string { return c.Display(&flows.Step{Input: flows.InputYesNo}, v) }}
		if !domain.IsYesNo(choices) {
			step = &flows.Step{Name: name, Prompt: "ChooseQ_" + string(q), Input: flows.InputChoice,
				Choices: func(c *flows.Ctx) []flows.Choice {
					var out []flows.Choice
					for _, a := range choices {
						out = append(out, flows.Choice{Value: a, Label: "ChooseA_" + string(q) + "_" + a})
					}
					return out
				}}
		}
		steps = append(steps, step)
		v, ok := c.Sess.Data[name]
		if !ok {
			return steps
		}
		answers[q] = v
	}
}

func clearChooser(c *flows.Ctx) {
	for k := range c.Sess.Data {
		if strings.HasPrefix(k, "q_") || k == "recommended" || k == "recommend" {
			delete(c.Sess.Data, k)
		}
	}
}

// recommendStep shows the path the answers lead to, with the reason, and lets the owner take it
// or choose another.
func recommendStep(c *flows.Ctx, rec domain.Recommendation) *flows.Step {
	none := rec.Path == domain.RecommendNoneNeeded || rec.Path == domain.RecommendUnknown
	return &flows.Step{Name: "recommend", Prompt: "RegisterRecommend", Input: flows.InputChoice,
		Data: func(c *flows.Ctx) map[string]any {
			d := map[string]any{"Reason": c.T("ChooseReason_"+string(rec.Reason), map[string]any{"Unit": ownerBPOMUnit(c)}), "None": none}
			if !none {
				d["Path"] = c.PathName(string(rec.Path))
			}
			if rec.Alternative != "" {
				d["Alternative"] = c.PathName(string(rec.Alternative))
			}
			return d
		},
		Choices: func(c *flows.Ctx) []flows.Choice {
			if none {
				return []flows.Choice{{Value: "self", Label: "RegisterChooseMyself"}, {Value: "stop", Label: "RegisterStopHere"}}
			}
			return []flows.Choice{{Value: "take", Label: "RegisterTakeRecommended"}, {Value: "self", Label: "RegisterChooseMyself"}}
		},
		Save: func(c *flows.Ctx, v string) error {
			switch v {
			case "take":
				c.Set("recommended", string(rec.Path))
				c.Set("recommend", v)
			case "self":
				clearChooser(c)
				c.Del("path")
				c.Sess.Trail = nil
				return c.GoTo("path")
			case "stop":
				c.Sess.Reset()
				c.ShowMenu(c.T("RegisterStopped"))
			}
			return nil
		}}
}

// pathDocuments lists the documents of the chosen path.
func pathDocuments(c *flows.Ctx) []domain.DocumentRule {
	p := effectivePath(c)
	if p == "" || p == "help" {
		return nil
	}
	return c.Engine().Rules().Documents(domain.PathCode(p))
}

func needsPercentages(c *flows.Ctx) bool {
	for _, d := range pathDocuments(c) {
		if d.Code == "composition_percent" || d.Code == "formula" {
			return true
		}
	}
	return false
}

// checklistData lists the path's documents, ✅ required and ➕ optional (told apart on a phone),
// with the legend only when something is optional.
func checklistData(c *flows.Ctx) map[string]any {
	var b strings.Builder
	optional := false
	for _, d := range pathDocuments(c) {
		mark := "✅"
		if d.Need != domain.NeedRequired {
			mark, optional = "➕", true
		}
		line := c.T("DocName_" + d.Code)
		switch {
		case docGiven(c, d):
			line = c.T("RegisterChecklistGiven", map[string]any{"Name": line, "NIB": c.Get(keyProfileNIB)})
		case compositionDocs[d.Code]:
			line = c.T("RegisterChecklistTyped", map[string]any{"Name": line})
		}
		b.WriteString(mark + " " + line + "\n")
	}
	return map[string]any{"Path": c.PathName(effectivePath(c)), "Documents": strings.TrimRight(b.String(), "\n"), "Optional": optional}
}

// keyProfileNIB keeps, for the registration, the NIB of the owner's profile ("" when none).
const keyProfileNIB = "_nib"

// docGiven says whether a document of the path is given already: the NIB by the profile's number
// (DOMAIN: "a photo or PDF of the OSS page, or just the number").
func docGiven(c *flows.Ctx, d domain.DocumentRule) bool {
	return d.Code == "nib" && c.Get(keyProfileNIB) != ""
}

// compositionDocs are the documents that hold a product's composition; one of them can be typed.
var compositionDocs = map[string]bool{"composition": true, "composition_percent": true, "formula": true}

// compositionDoc is the path's document holding the composition, "" when it has none.
func compositionDoc(c *flows.Ctx) string {
	for _, d := range pathDocuments(c) {
		if compositionDocs[d.Code] {
			return d.Code
		}
	}
	return ""
}

// askedDocuments are the path's documents the registration asks for: those not given already.
func askedDocuments(c *flows.Ctx) []domain.DocumentRule {
	var out []domain.DocumentRule
	for _, d := range pathDocuments(c) {
		if !docGiven(c, d) {
			out = append(out, d)
		}
	}
	return out
}

// documentSteps asks for each document of the path not given already; "Nanti" records it as
// missing. The composition may be typed instead of sent as a file.
func documentSteps(c *flows.Ctx) []*flows.Step {
	var steps []*flows.Step
	docs := askedDocuments(c)
	required := 0
	for _, d := range docs {
		if d.Need == domain.NeedRequired {
			required++
		}
	}
	n := 0
	for _, d := range docs {
		typed := compositionDocs[d.Code]
		// An optional document can wait: it is listed in the summary (and its change list) and
		// can be sent any time through /dokumen, but not asked on the way through.
		optional := d.Need != domain.NeedRequired
		pos := 0
		if !optional {
			n++
			pos = n
		}
		step := &flows.Step{Name: "doc_" + d.Code, Prompt: "RegisterAskDocument", Help: "DocGuide_" + d.Code, Field: "DocName_" + d.Code,
			Input: flows.InputFile, Optional: "CommonLater", Later: optional,
			Data: func(c *flows.Ctx) map[string]any {
				return map[string]any{"Name": c.T("DocName_" + d.Code), "Explain": c.T("DocHelp_" + d.Code),
					"N": pos, "Of": required, "Required": !optional, "Typed": typed, "Percent": needsPercentages(c),
					"ShelfLife": shelfLifeGiven(c, d.Code)}
			},
			Accept:  func(c *flows.Ctx, f *flows.File) *flows.Problem { return c.CheckFile(d, f) },
			Display: displayDocument}
		if typed {
			step.Parse = parseComposition
		}
		steps = append(steps, step)
	}
	return steps
}

// shelfLifeGiven is the shelf life typed earlier, shown at the shelf-life document (BPOM MD) so
// that the document asks only what the number does not say (how it was found, the production
// code); "" for any other document.
func shelfLifeGiven(c *flows.Ctx, code string) string {
	if code != "shelf_life_info" || c.Get("shelf_life") == "" {
		return ""
	}
	return displayShelfLife(c, c.Get("shelf_life"))
}

// displayDocument shows a document answer in the summary: the file received, or the text typed
// for it.
func displayDocument(c *flows.Ctx, v string) string {
	if _, ok := flows.DecodeFile(v); ok || v == "" {
		return flows.DisplayFile(c, v)
	}
	return v
}

func packagingChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, p := range []string{"plastic", "pouch", "glass_bottle", "plastic_bottle", "can", "paper_box", "jar", "other"} {
		out = append(out, flows.Choice{Value: p, Label: "Packaging_" + p})
	}
	return out
}

func storageChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, s := range []string{"room", "cool_dry", "refrigerated", "frozen"} {
		out = append(out, flows.Choice{Value: s, Label: "Storage_" + s})
	}
	return out
}

// parseComposition accepts a list of ingredients (up to 1000 characters).
func parseComposition(c *flows.Ctx, in string) (string, *flows.Problem) {
	in = strings.TrimSpace(in)
	if len([]rune(in)) < 3 {
		return "", flows.NewProblem("RegisterBadComposition")
	}
	if len([]rune(in)) > 1000 {
		return "", &flows.Problem{Msg: "CommonTooLong", Data: map[string]any{"Max": 1000}}
	}
	return in, nil
}

var netContentRE = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)\s*(g|gr|gram|kg|kilo|kilogram|mg|ml|l|lt|liter|litre|cc|pcs|buah|butir|sachet|lembar)\.?$`)

// parseNetContent reads "250 g", "1,5 L", "500ml" into a number and a unit.
func parseNetContent(c *flows.Ctx, in string) (string, *flows.Problem) {
	m := netContentRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(in)))
	if m == nil {
		return "", flows.NewProblem("RegisterBadNetContent")
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", "."), 64)
	if err != nil || n <= 0 || n > 100000 {
		return "", flows.NewProblem("RegisterBadNetContent")
	}
	unit := map[string]string{"gr": "g", "gram": "g", "kilo": "kg", "kilogram": "kg", "l": "L", "lt": "L", "liter": "L", "litre": "L", "cc": "ml", "buah": "pcs", "butir": "pcs", "lembar": "pcs"}[m[2]]
	if unit == "" {
		unit = m[2]
	}
	return strings.ReplaceAll(strconv.FormatFloat(n, 'f', -1, 64), ".", ",") + " " + unit, nil
}

var shelfLifeRE = regexp.MustCompile(`^(\d{1,4})\s*(hari|day|days|minggu|week|weeks|bulan|bln|month|months|tahun|thn|year|years)$`)

// parseShelfLife reads "6 bulan", "14 hari", "1 year" and keeps it as days.
func parseShelfLife(c *flows.Ctx, in string) (string, *flows.Problem) {
	m := shelfLifeRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(in)))
	if m == nil {
		return "", flows.NewProblem("RegisterBadShelfLife")
	}
	n, _ := strconv.Atoi(m[1])
	per := map[string]int{"hari": 1, "day": 1, "days": 1, "minggu": 7, "week": 7, "weeks": 7,
		"bulan": 30, "bln": 30, "month": 30, "months": 30, "tahun": 365, "thn": 365, "year": 365, "years": 365}[m[2]]
	days := n * per
	if days < 1 || days > 3650 {
		return "", flows.NewProblem("RegisterBadShelfLife")
	}
	if days < 7 {
		// Food that keeps under 7 days needs no izin edar (DOMAIN): stopped with the reason.
		return "", flows.NewProblem("RegisterShelfLifeTooShort")
	}
	return strconv.Itoa(days), nil
}

func displayShelfLife(c *flows.Ctx, v string) string {
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
func submitApplication(c *flows.Ctx) error {
	b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	if err != nil {
		return fmt.Errorf("submit: business: %w", err)
	}
	path := effectivePath(c)
	product := map[string]string{}
	for _, k := range productFields {
		product[k] = c.Get(k)
	}
	var docs []store.NewDocument
	missing := 0
	for _, d := range askedDocuments(c) {
		v := c.Get("doc_" + d.Code)
		if _, file := flows.DecodeFile(v); compositionDocs[d.Code] && v != "" && !file {
			product["composition"] = v // typed: it is the composition, no file to keep
			continue
		}
		nd := store.NewDocument{Kind: d.Code, Required: d.Need == domain.NeedRequired}
		if f, ok := flows.DecodeFile(v); ok {
			df := documentFile(f, c.Now)
			nd.File = &df
		} else if nd.Required {
			missing++
		}
		docs = append(docs, nd)
	}
	app := store.Application{OwnerID: c.Owner.ID, BusinessID: b.ID, Path: path, Status: string(domain.StatusSubmitted),
		Product: product, ProductName: c.Get("product_name"), Kabupaten: b.Kabupaten, SubmittedAt: &c.Now, CreatedAt: c.Now}
	for try := 0; ; try++ {
		if app.Number, err = c.Engine().AppNumbers().New(c.Engine().Config().Rand); err != nil {
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
	c.Sess.Reset()
	c.ShowMenu(submittedText(c, app, missing))
	return c.NotifyStaff(app, "StaffNewApplication", "submitted")
}

// submittedText says, after submitting, what the number is, who will look at the application
// (the office from the requirements data, with the contact fields the operator filled in), what
// the owner still does outside the bot, the fee rule and the usual time (an estimate), and the
// documents still missing.
func submittedText(c *flows.Ctx, app store.Application, missing int) string {
	rules := c.Engine().Rules()
	parts := []string{c.T("RegisterSubmitted", map[string]any{"Number": app.Number, "Product": app.ProductName, "Path": c.PathName(app.Path)})}
	if o, ok := rules.OfficeFor(domain.PathCode(app.Path), app.Kabupaten); ok {
		parts = append(parts, c.T("RegisterSubmittedOffice", map[string]any{"Office": o.Name, "Address": o.Address,
			"Phone": o.Phone, "WhatsApp": o.WhatsApp, "Hours": o.Hours}))
	}
	parts = append(parts, c.T("RegisterSubmittedNext_"+app.Path))
	if app.Path == string(domain.PathSPPIRT) {
		parts = append(parts, c.T("RegisterFeeLocal"))
	} else {
		parts = append(parts, c.T("RegisterFeeBPOM", map[string]any{"Percent": rules.MicroSmallFeePercent()}))
	}
	if p, ok := rules.Path(domain.PathCode(app.Path)); ok && p.UsualMonthsMax > 0 {
		parts = append(parts, c.T("RegisterEstimate", map[string]any{"Min": p.UsualMonthsMin, "Max": p.UsualMonthsMax}))
	}
	if missing > 0 {
		parts = append(parts, c.L.N("RegisterMissingDocs", missing))
	}
	return strings.Join(parts, "\n\n")
}

// ownerBPOMUnit names the BPOM unit of the owner's kabupaten (the default unit when unknown).
func ownerBPOMUnit(c *flows.Ctx) string {
	o, _ := c.Engine().Rules().OfficeFor(domain.PathMD, ownerKabupaten(c))
	return o.Name
}

// ownerKabupaten is the kabupaten of the owner's business, "" when there is none yet.
func ownerKabupaten(c *flows.Ctx) string {
	b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	if err != nil {
		return ""
	}
	return b.Kabupaten
}
