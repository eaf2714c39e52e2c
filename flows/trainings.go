package flows

import (
	"errors"

	"umkmbot/store"
)

// cmdTrainings lists upcoming trainings, those in the owner's kabupaten first, each with a
// button to register or cancel.
func (c *Ctx) cmdTrainings() error {
	kab := ""
	if b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID); err == nil {
		kab = b.Kabupaten
	}
	seats, err := store.UpcomingTrainings(c, c.DB, c.Now, c.Owner.ID, kab, 5)
	if err != nil {
		return err
	}
	if len(seats) == 0 {
		c.say(c.T("TrainingsNone"))
		c.showMenu("")
		return nil
	}
	c.say(c.T("TrainingsIntro"))
	for _, s := range seats {
		c.reply(c.trainingCard(s))
	}
	return nil
}

// trainingCard shows one training with the button that fits it.
func (c *Ctx) trainingCard(s store.TrainingSeat) Reply {
	left := max(s.Quota-s.Registered, 0)
	place := s.Place
	if s.Kabupaten != "" {
		place += ", " + c.kabupatenName(s.Kabupaten)
	}
	text := c.T("TrainingCard", map[string]any{
		"Title": s.Title, "Kind": c.T("TrainingKind_" + trainingKind(s.Kind)), "When": c.L.DateTime(s.StartsAt),
		"Duration": c.L.N("DurationHours", max(1, (s.DurationMinutes+59)/60)), "Place": place,
		"Online": s.OnlineURL, "Organiser": s.Organiser, "Seats": c.T("TrainingSeats", map[string]any{"Left": left, "Quota": s.Quota}),
	})
	r := Reply{Text: text}
	switch {
	case s.Mine:
		r.Text += "\n\n" + c.T("TrainingYouAreRegistered")
		r.Buttons = [][]Button{{{c.T("TrainingCancelButton"), "a:tr:cancel:" + itoa(s.ID)}}}
	case left == 0:
		r.Text += "\n\n" + c.T("TrainingFull")
	default:
		r.Buttons = [][]Button{{{c.T("TrainingRegisterButton"), "a:tr:reg:" + itoa(s.ID)}}}
	}
	return r
}

// trainingKind maps a stored kind to one the messages know.
func trainingKind(k string) string {
	switch k {
	case "pkp", "bimtek", "label", "clinic", "cppob", "other":
		return k
	}
	return "other"
}

// trainingAction registers for a training or cancels a registration.
func (c *Ctx) trainingAction(op string, id int64) error {
	if !c.hasProfile() {
		c.say(c.T("TrainingProfileFirst"))
		switch {
		case c.Sess.Flow == "profile":
			c.ask(nil, 0) // the profile under way goes on
			return nil
		case c.Sess.Parked["profile"] != nil:
			return c.offerResume("profile")
		}
		c.parkRunning()
		return c.start("profile")
	}
	tr, err := store.TrainingByID(c, c.DB, id)
	if errors.Is(err, store.ErrNotFound) {
		return c.staleButton()
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
			c.toast(c.T("TrainingRegisteredShort"))
			c.say(c.T("TrainingRegistered", data))
		case errors.Is(err, store.ErrAlreadyRegistered):
			c.say(c.T("TrainingAlreadyRegistered", data))
		case errors.Is(err, store.ErrTrainingFull):
			c.say(c.T("TrainingFullNow", data))
		case errors.Is(err, store.ErrTrainingClosed):
			c.say(c.T("TrainingClosed", data))
		default:
			return err
		}
	case "cancel":
		err := store.CancelTrainingRegistration(c, c.DB, id, c.Owner.ID)
		switch {
		case err == nil:
			c.say(c.T("TrainingCancelled", data))
		case errors.Is(err, store.ErrNotFound):
			c.say(c.T("TrainingNotRegistered", data))
		default:
			return err
		}
	default:
		return c.staleButton()
	}
	return nil
}
