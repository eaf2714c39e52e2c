package owner

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// documentsFlow takes the documents an owner left for later: choose the application (when there
// are several), then each missing document in turn. Each upload is saved at once, so nothing is
// lost if the owner stops half way.
func documentsFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "documents",
		Title: "DocumentsTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			steps := []*flows.Step{{Name: "app", Prompt: "DocumentsAskApplication", Input: flows.InputChoice, Choices: missingDocChoices,
				Skip: func(c *flows.Ctx) bool { return c.Get("app_fixed") != "" },
				Save: func(c *flows.Ctx, v string) error {
					id, _ := strconv.ParseInt(v, 10, 64)
					c.Sess.Trail = append(c.Sess.Trail, "app") // back from a document returns to this choice
					return chooseDocumentsApp(c, id)
				}}}
			for _, kind := range strings.Fields(c.Get("missing")) {
				kind := kind
				steps = append(steps, &flows.Step{Name: "doc_" + kind, Prompt: "DocumentsAskDocument", Help: "DocHelp_" + kind, Field: "DocName_" + kind,
					Input: flows.InputFile, Optional: "CommonLater",
					Data: func(c *flows.Ctx) map[string]any {
						return map[string]any{"Name": c.T("DocName_" + kind), "Explain": c.T("DocHelp_" + kind), "Number": c.Get("number")}
					},
					Accept: func(c *flows.Ctx, f *flows.File) *flows.Problem {
						for _, rule := range c.Engine().Rules().Documents(domain.PathCode(c.Get("path"))) {
							if rule.Code == kind {
								return c.CheckFile(rule, f)
							}
						}
						return nil
					},
					Save: func(c *flows.Ctx, v string) error { return attachUpload(c, kind, v) },
				})
			}
			return steps
		},
		Start: func(c *flows.Ctx) error {
			missing, err := store.MissingDocuments(c, c.DB, c.Owner.ID)
			if err != nil {
				return err
			}
			if len(missing) == 0 {
				c.Sess.Reset()
				c.Say(c.T("DocumentsNoneMissing"))
				c.ShowMenu("")
				return nil
			}
			if len(missing) == 1 {
				for id := range missing {
					c.Set("app_fixed", "1")
					return chooseDocumentsApp(c, id)
				}
			}
			return nil
		},
		Done: finishDocuments,
	}
}

// cmdDocuments starts the documents flow.
func cmdDocuments(c *flows.Ctx) error { return c.Start("documents") }

// startDocumentsFor starts the documents flow on one application (a button under its status).
func startDocumentsFor(c *flows.Ctx, appID int64) error {
	app, err := store.ApplicationByID(c, c.DB, appID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && app.OwnerID != c.Owner.ID) {
		return c.StaleButton()
	}
	if err != nil {
		return err
	}
	c.ParkRunning()
	c.Sess.Reset()
	c.Sess.Flow = "documents"
	c.Sess.Data = map[string]string{"app_fixed": "1"}
	return chooseDocumentsApp(c, appID)
}

// chooseDocumentsApp fixes the application and lists its missing documents as the next steps.
func chooseDocumentsApp(c *flows.Ctx, appID int64) error {
	app, err := store.ApplicationByID(c, c.DB, appID)
	if err != nil {
		return err
	}
	if app.OwnerID != c.Owner.ID || !domain.IsOpen(domain.Status(app.Status)) {
		return c.StaleButton()
	}
	docs, err := store.Documents(c, c.DB, appID)
	if err != nil {
		return err
	}
	var kinds []string
	for _, d := range docs {
		if d.File == nil {
			kinds = append(kinds, d.Kind)
		}
	}
	if len(kinds) == 0 {
		c.Sess.Reset()
		c.Say(c.T("DocumentsAppComplete", map[string]any{"Number": app.Number}))
		c.ShowMenu("")
		return nil
	}
	c.Set("app", itoa(appID))
	c.Set("number", app.Number)
	c.Set("path", app.Path)
	c.Set("missing", strings.Join(kinds, " "))
	c.Set("uploaded", "0")
	return c.GoTo("doc_" + kinds[0])
}

func missingDocChoices(c *flows.Ctx) []flows.Choice {
	missing, err := store.MissingDocuments(c, c.DB, c.Owner.ID)
	if err != nil {
		return nil
	}
	ids := make([]int64, 0, len(missing))
	for id := range missing {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] > ids[j] })
	var out []flows.Choice
	for _, id := range ids {
		app, err := store.ApplicationByID(c, c.DB, id)
		if err != nil {
			continue
		}
		out = append(out, flows.Choice{Value: itoa(id), Text: app.Number + " · " + app.ProductName + " (" + strconv.Itoa(len(missing[id])) + ")"})
	}
	return out
}

// attachUpload saves one upload to its application at once.
func attachUpload(c *flows.Ctx, kind, v string) error {
	f, ok := flows.DecodeFile(v)
	if !ok {
		return nil // "Nanti": stays missing
	}
	id, _ := strconv.ParseInt(c.Get("app"), 10, 64)
	err := store.AttachDocument(c, c.DB, id, kind, store.DocumentFile{FileID: f.ID, FileUniqueID: f.UniqueID,
		FileName: f.Name, MIMEType: f.MIME, SizeBytes: f.Size, UploadedAt: c.Now})
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(c.Get("uploaded"))
	c.Set("uploaded", strconv.Itoa(n+1))
	c.Say(c.T("DocumentsSaved", map[string]any{"Name": c.T("DocName_" + kind)}))
	return nil
}

// finishDocuments tells the owner where the application stands, and staff when it is complete.
func finishDocuments(c *flows.Ctx) error {
	id, _ := strconv.ParseInt(c.Get("app"), 10, 64)
	app, err := store.ApplicationByID(c, c.DB, id)
	if err != nil {
		return err
	}
	docs, err := store.Documents(c, c.DB, id)
	if err != nil {
		return err
	}
	left := 0
	for _, d := range docs {
		if d.Required && d.File == nil {
			left++
		}
	}
	uploaded := c.Get("uploaded")
	c.Sess.Reset()
	if left > 0 {
		c.Say(c.L.N("DocumentsStillMissing", left, map[string]any{"Number": app.Number}))
		c.ShowMenu("")
		return nil
	}
	c.Say(c.T("DocumentsAllDone", map[string]any{"Number": app.Number}))
	c.ShowMenu("")
	if uploaded == "0" {
		return nil
	}
	return c.NotifyStaff(app, "StaffDocumentsComplete", "docs")
}
