package flows

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"umkmbot/flows/domain"
	"umkmbot/store"
)

// documentsFlow takes the documents an owner left for later: choose the application (when there
// are several), then each missing document in turn. Each upload is saved at once, so nothing is
// lost if the owner stops half way.
func documentsFlow() *Flow {
	return &Flow{
		Name:  "documents",
		Title: "DocumentsTitle",
		Steps: func(c *Ctx) []*Step {
			steps := []*Step{{Name: "app", Prompt: "DocumentsAskApplication", Input: InputChoice, Choices: missingDocChoices,
				Skip: func(c *Ctx) bool { return c.get("app_fixed") != "" },
				Save: func(c *Ctx, v string) error {
					id, _ := strconv.ParseInt(v, 10, 64)
					c.Sess.Trail = append(c.Sess.Trail, "app") // back from a document returns to this choice
					return c.chooseDocumentsApp(id)
				}}}
			for _, kind := range strings.Fields(c.get("missing")) {
				kind := kind
				steps = append(steps, &Step{Name: "doc_" + kind, Prompt: "DocumentsAskDocument", Help: "DocHelp_" + kind, Field: "DocName_" + kind,
					Input: InputFile, Optional: "CommonLater",
					Data: func(c *Ctx) map[string]any {
						return map[string]any{"Name": c.T("DocName_" + kind), "Explain": c.T("DocHelp_" + kind), "Number": c.get("number")}
					},
					Accept: func(c *Ctx, f *File) *Problem {
						for _, rule := range c.e.rules.Documents(domain.PathCode(c.get("path"))) {
							if rule.Code == kind {
								return c.checkFile(rule, f)
							}
						}
						return nil
					},
					Save: func(c *Ctx, v string) error { return c.attachUpload(kind, v) },
				})
			}
			return steps
		},
		Start: func(c *Ctx) error {
			missing, err := store.MissingDocuments(c, c.DB, c.Owner.ID)
			if err != nil {
				return err
			}
			if len(missing) == 0 {
				c.Sess.reset()
				c.say(c.T("DocumentsNoneMissing"))
				c.showMenu("")
				return nil
			}
			if len(missing) == 1 {
				for id := range missing {
					c.set("app_fixed", "1")
					return c.chooseDocumentsApp(id)
				}
			}
			return nil
		},
		Done: finishDocuments,
	}
}

// cmdDocuments starts the documents flow.
func (c *Ctx) cmdDocuments() error { return c.start("documents") }

// startDocumentsFor starts the documents flow on one application (a button under its status).
func (c *Ctx) startDocumentsFor(appID int64) error {
	app, err := store.ApplicationByID(c, c.DB, appID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && app.OwnerID != c.Owner.ID) {
		return c.staleButton()
	}
	if err != nil {
		return err
	}
	c.parkRunning()
	c.Sess.reset()
	c.Sess.Flow = "documents"
	c.Sess.Data = map[string]string{"app_fixed": "1"}
	return c.chooseDocumentsApp(appID)
}

// chooseDocumentsApp fixes the application and lists its missing documents as the next steps.
func (c *Ctx) chooseDocumentsApp(appID int64) error {
	app, err := store.ApplicationByID(c, c.DB, appID)
	if err != nil {
		return err
	}
	if app.OwnerID != c.Owner.ID || !domain.IsOpen(domain.Status(app.Status)) {
		return c.staleButton()
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
		c.Sess.reset()
		c.say(c.T("DocumentsAppComplete", map[string]any{"Number": app.Number}))
		c.showMenu("")
		return nil
	}
	c.set("app", itoa(appID))
	c.set("number", app.Number)
	c.set("path", app.Path)
	c.set("missing", strings.Join(kinds, " "))
	c.set("uploaded", "0")
	return c.goTo("doc_" + kinds[0])
}

func missingDocChoices(c *Ctx) []Choice {
	missing, err := store.MissingDocuments(c, c.DB, c.Owner.ID)
	if err != nil {
		return nil
	}
	ids := make([]int64, 0, len(missing))
	for id := range missing {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] > ids[j] })
	var out []Choice
	for _, id := range ids {
		app, err := store.ApplicationByID(c, c.DB, id)
		if err != nil {
			continue
		}
		out = append(out, Choice{Value: itoa(id), Text: app.Number + " · " + app.ProductName + " (" + strconv.Itoa(len(missing[id])) + ")"})
	}
	return out
}

// attachUpload saves one upload to its application at once.
func (c *Ctx) attachUpload(kind, v string) error {
	f, ok := decodeFile(v)
	if !ok {
		return nil // "Nanti": stays missing
	}
	id, _ := strconv.ParseInt(c.get("app"), 10, 64)
	err := store.AttachDocument(c, c.DB, id, kind, store.DocumentFile{FileID: f.ID, FileUniqueID: f.UniqueID,
		FileName: f.Name, MIMEType: f.MIME, SizeBytes: f.Size, UploadedAt: c.Now})
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(c.get("uploaded"))
	c.set("uploaded", strconv.Itoa(n+1))
	c.say(c.T("DocumentsSaved", map[string]any{"Name": c.T("DocName_" + kind)}))
	return nil
}

// finishDocuments tells the owner where the application stands, and staff when it is complete.
func finishDocuments(c *Ctx) error {
	id, _ := strconv.ParseInt(c.get("app"), 10, 64)
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
	uploaded := c.get("uploaded")
	c.Sess.reset()
	if left > 0 {
		c.say(c.L.N("DocumentsStillMissing", left, map[string]any{"Number": app.Number}))
		c.showMenu("")
		return nil
	}
	c.say(c.T("DocumentsAllDone", map[string]any{"Number": app.Number}))
	c.showMenu("")
	if uploaded == "0" {
		return nil
	}
	return c.notifyStaff(app, "StaffDocumentsComplete", "docs")
}
