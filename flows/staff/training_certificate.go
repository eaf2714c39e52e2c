package staff

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// certificateRule is what a training certificate may be: a PDF or a photo, up to 10 MB.
var certificateRule = domain.DocumentRule{Code: "training_certificate", Kinds: []string{"pdf", "photo"},
	MIMETypes: []string{"application/pdf", "image/jpeg", "image/png"}, MaxBytes: 10 << 20}

// trainingCertificateFlow asks for the certificate of one registrant who attended (an optional
// document): it is kept with their registration and sent to them at once.
func trainingCertificateFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "training_certificate",
		Title: "TrainingCertificateTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{
				{Name: "file", Prompt: "TrainingCertificateAsk", Input: flows.InputFile,
					Data: func(c *flows.Ctx) map[string]any {
						return map[string]any{"Name": c.Get("name"), "Title": c.Get("title")}
					},
					Accept: func(c *flows.Ctx, f *flows.File) *flows.Problem { return c.CheckFile(certificateRule, f) }},
			}
		},
		Done: saveTrainingCertificate,
	}
}

// askCertificate (a:trcert:<id>:<owner>) starts the certificate question for a registrant
// marked as attended.
func askCertificate(c *flows.Ctx, arg string) error {
	id, ownerText, _ := strings.Cut(arg, ":")
	owner, _ := strconv.ParseInt(ownerText, 10, 64)
	return withTraining(c, id, flows.PowerTrainings, func(t store.TrainingStats) error {
		if trainingState(c, t.Training) != "started" {
			return c.StaleButton()
		}
		p, ok, err := attendee(c, t.ID, owner)
		if err != nil || !ok {
			return errOrStale(c, err)
		}
		c.ParkRunning()
		c.Sess.Reset()
		c.Sess.Flow = "training_certificate"
		c.Sess.Data = map[string]string{"id": itoa(t.ID), "owner": itoa(owner), "name": p.Name, "title": t.Title}
		return c.GoTo("file")
	})
}

// attendee is the registrant of the training marked as attended, ok false when there is none.
func attendee(c *flows.Ctx, trainingID, owner int64) (store.Registrant, bool, error) {
	people, err := store.TrainingRegistrants(c, c.DB, trainingID)
	if err != nil {
		return store.Registrant{}, false, err
	}
	for _, p := range people {
		if p.OwnerID == owner && !p.Waiting && p.Attended != nil && *p.Attended {
			return p, true, nil
		}
	}
	return store.Registrant{}, false, nil
}

func errOrStale(c *flows.Ctx, err error) error {
	if err != nil {
		return err
	}
	return c.StaleButton()
}

// saveTrainingCertificate checks the power and the attendance again, keeps the file, audits it
// and sends the certificate to the owner at once, in their language.
func saveTrainingCertificate(c *flows.Ctx) error {
	id, _ := strconv.ParseInt(c.Get("id"), 10, 64)
	owner, _ := strconv.ParseInt(c.Get("owner"), 10, 64)
	f, _ := flows.DecodeFile(c.Get("file"))
	return withTraining(c, c.Get("id"), flows.PowerTrainings, func(t store.TrainingStats) error {
		p, ok, err := attendee(c, id, owner)
		if err != nil || !ok {
			c.Sess.Reset()
			return errOrStale(c, err)
		}
		err = store.SetTrainingCertificate(c, c.DB, id, owner, f.ID)
		if errors.Is(err, store.ErrNotFound) {
			c.Sess.Reset()
			return c.StaleButton()
		}
		if err != nil {
			return err
		}
		if err := audit(c, "training.certificate", "training", id, nil, map[string]any{"owner": owner}); err != nil {
			return err
		}
		l := c.Engine().Messages().For(p.Lang)
		c.Notify(flows.Notice{ChatID: p.ChatID, DedupeKey: fmt.Sprintf("training:%d:owner:%d:certificate:%s", id, owner, f.UniqueID),
			Reply: flows.Reply{FileID: f.ID, Photo: f.Photo, Text: l.T("TrainingCertificateNotice",
				map[string]any{"Title": t.Title, "Date": l.Date(t.StartsAt)})}})
		c.Sess.Reset()
		c.Say(c.T("TrainingCertificateSaved", map[string]any{"Name": p.Name}))
		return nil
	})
}
