package owner

import (
	"errors"

	"umkmbot/flows"
	"umkmbot/store"
)

// cmdTrainings lists upcoming trainings, those in the owner's kabupaten first, each with a
// button to register or cancel.
func cmdTrainings(c *flows.Ctx) error {
	kab := ""
	if b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID); err == nil {
		kab = b.Kabupaten
	}
	seats, err := store.UpcomingTrainings(c, c.DB, c.Now, c.Owner.ID, kab, 5)
	if err != nil {
		return err
	}
	if len(seats) == 0 {
		c.Say(c.T("TrainingsNone"))
		c.ShowMenu("")
		return nil
	}
	c.Say(c.T("TrainingsIntro"))
	for _, s := range seats {
		c.Reply(trainingCard(c, s))
	}
	return nil
}

// trainingCard shows one training with the button that fits it.
func trainingCard(c *flows.Ctx, s store.TrainingSeat) flows.Reply {
	left := max(s.Quota-s.Registered, 0)
	place := s.Place
	if s.Kabupaten != "" {
		place += ", " + c.KabupatenName(s.Kabupaten)
	}
	text := c.T("TrainingCard", map[string]any{
		"Title": s.Title, "Kind": c.T("TrainingKind_" + trainingKind(s.Kind)), "When": c.L.DateTime(s.StartsAt),
		"Duration": c.L.N("DurationHours", max(1, (s.DurationMinutes+59)/60)), "Place": place,
		"Online": s.OnlineURL, "Organiser": s.Organiser, "Seats": c.T("TrainingSeats", map[string]any{"Left": left, "Quota": s.Quota}),
	})
	r := flows.Reply{Text: text}
	switch {
	case s.Mine:
		r.Text += "\n\n" + c.T("TrainingYouAreRegistered")
		r.Buttons = [][]flows.Button{{{Label: c.T("TrainingCancelButton"), Data: "a:tr:cancel:" + itoa(s.ID)}}}
	case left == 0:
		r.Text += "\n\n" + c.T("TrainingFull")
	default:
		r.Buttons = [][]flows.Button{{{Label: c.T("TrainingRegisterButton"), Data: "a:tr:reg:" + itoa(s.ID)}}}
	}
	return r
}

// trainingKind maps a stored kind to one the messages know.
func trainingKind(k string) string {
	switch k {
	case "pkp", "bimtek", "label", "halal", "clinic", "cppob", "other":
		return k
	}
	return "other"
}

// trainingAction registers for a training or cancels a registration.
func trainingAction(c *flows.Ctx, op string, id int64) error {
	if !c.HasProfile() {
		c.Say(c.T("TrainingProfileFirst"))
		switch {
		case c.Sess.Flow == "profile":
			c.Ask(nil, 0) // the profile under way goes on
			return nil
		case c.Sess.Parked["profile"] != nil:
			return c.OfferResume("profile")
		}
		c.ParkRunning()
		return c.Start("profile")
	}
	tr, err := store.TrainingByID(c, c.DB, id)
	if errors.Is(err, store.ErrNotFound) {
		return c.StaleButton()
	}
	if err != nil {
		return err
	}
	data := map[string]any{"Title": tr.Title, "When": c.L.DateTime(tr.StartsAt), "Place": tr.Place}
	switch op {
	case "reg":
		err := store.RegisterForTraining(c, c.DB, id, c.Owner.ID, c.Now)
		switch {
		case err == nil:
			c.Toast(c.T("TrainingRegisteredShort"))
			c.Say(c.T("TrainingRegistered", data))
		case errors.Is(err, store.ErrAlreadyRegistered):
			c.Say(c.T("TrainingAlreadyRegistered", data))
		case errors.Is(err, store.ErrTrainingFull):
			c.Say(c.T("TrainingFullNow", data))
		case errors.Is(err, store.ErrTrainingClosed):
			c.Say(c.T("TrainingClosed", data))
		default:
			return err
		}
	case "cancel":
		err := store.CancelTrainingRegistration(c, c.DB, id, c.Owner.ID)
		switch {
		case err == nil:
			c.Say(c.T("TrainingCancelled", data))
		case errors.Is(err, store.ErrNotFound):
			c.Say(c.T("TrainingNotRegistered", data))
		default:
			return err
		}
	default:
		return c.StaleButton()
	}
	return nil
}
