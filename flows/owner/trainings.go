package owner

import (
	"errors"
	"slices"
	"strings"

	"umkmbot/flows"
	"umkmbot/store"
)

// notifyKinds are the kinds of training an owner can ask to be told of, the PKP course first
// (SPP-IRT waits on it).
var notifyKinds = []string{"pkp", "cppob", "label", "halal", "clinic"}

// cmdTrainings lists upcoming trainings, those in the owner's kabupaten first, each with a
// button to register, cancel or wait; then, for the kinds with nothing scheduled in their
// kabupaten, the offer to be told when one opens.
func cmdTrainings(c *flows.Ctx) error {
	kab := ownerKabupaten(c)
	seats, err := store.UpcomingTrainings(c, c.DB, c.Now, c.Owner.ID, kab, 5)
	if err != nil {
		return err
	}
	if len(seats) == 0 {
		c.Say(c.T("TrainingsNone"))
	} else {
		c.Say(c.T("TrainingsIntro"))
		for _, s := range seats {
			c.Reply(trainingCard(c, s))
		}
	}
	offer, ok, err := notifyOffer(c, kab)
	if err != nil {
		return err
	}
	if ok {
		c.Reply(offer)
	}
	if len(seats) == 0 && !ok {
		c.ShowMenu("")
	}
	return nil
}

// notifyOffer is the "Beri tahu saya" message: a button per kind with nothing scheduled in the
// owner's kabupaten (🔔 to ask, 🔕 to stop when asked already). ok is false when every kind is
// scheduled or the kabupaten is unknown.
func notifyOffer(c *flows.Ctx, kab string) (flows.Reply, bool, error) {
	if kab == "" {
		return flows.Reply{}, false, nil
	}
	scheduled, err := store.UpcomingTrainingKinds(c, c.DB, kab, c.Now)
	if err != nil {
		return flows.Reply{}, false, err
	}
	asked, err := store.OpenTrainingInterests(c, c.DB, c.Owner.ID)
	if err != nil {
		return flows.Reply{}, false, err
	}
	r := flows.Reply{Text: c.T("TrainingsNotifyOffer", map[string]any{"Kabupaten": c.KabupatenName(kab)})}
	for _, k := range notifyKinds {
		if slices.Contains(scheduled, k) {
			continue
		}
		b := flows.Button{Label: c.T("TrainingNotifyButton", map[string]any{"Kind": c.T("TrainingKind_" + k)}), Data: "a:trn:on:" + k}
		if slices.Contains(asked, k) {
			b = flows.Button{Label: c.T("TrainingNotifyStopButton", map[string]any{"Kind": c.T("TrainingKind_" + k)}), Data: "a:trn:off:" + k}
		}
		r.Buttons = append(r.Buttons, []flows.Button{b})
	}
	return r, len(r.Buttons) > 0, nil
}

// trainingPointer is what a flow shows an owner who needs a kind of training (the SPP-IRT
// registration needs the PKP course): the schedule when one is open in their kabupaten, else the
// offer to be told ("🔔 Beri tahu saya", button a:trn:on:<kind>). ok is false when they already
// attended one of that kind (nothing to point to).
func trainingPointer(c *flows.Ctx, kind string) (r flows.Reply, ok bool, err error) {
	attended, err := store.AttendedTrainings(c, c.DB, c.Owner.ID)
	if err != nil {
		return flows.Reply{}, false, err
	}
	if slices.ContainsFunc(attended, func(a store.AttendedTraining) bool { return a.Kind == kind }) {
		return flows.Reply{}, false, nil
	}
	kab := ownerKabupaten(c)
	name := c.T("TrainingKind_" + trainingKind(kind))
	scheduled, err := store.UpcomingTrainingKinds(c, c.DB, kab, c.Now)
	if err != nil {
		return flows.Reply{}, false, err
	}
	if slices.Contains(scheduled, kind) {
		return flows.Reply{Text: c.T("TrainingPointerScheduled", map[string]any{"Kind": name}),
			Buttons: [][]flows.Button{{{Label: c.T("TrainingPointerScheduleButton"), Data: "a:go:pelatihan"}}}}, true, nil
	}
	return flows.Reply{Text: c.T("TrainingPointerNone", map[string]any{"Kind": name}),
		Buttons: [][]flows.Button{{{Label: c.T("TrainingPointerNotifyButton"), Data: "a:trn:on:" + kind}}}}, true, nil
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
	button := func(label, op string) [][]flows.Button {
		return [][]flows.Button{{{Label: c.T(label), Data: "a:tr:" + op + ":" + itoa(s.ID)}}}
	}
	switch {
	case s.Mine:
		r.Text += "\n\n" + c.T("TrainingYouAreRegistered")
		r.Buttons = button("TrainingCancelButton", "cancel")
	case s.Position > 0:
		r.Text += "\n\n" + c.T("TrainingYouAreWaiting", map[string]any{"Position": s.Position})
		r.Buttons = button("TrainingLeaveWaitlistButton", "unwait")
	case left == 0:
		r.Text += "\n\n" + c.T("TrainingFull") + "\n" + c.T("TrainingWaitlistOffer", map[string]any{"Waiting": s.Waiting})
		r.Buttons = button("TrainingJoinWaitlistButton", "wait")
	default:
		r.Buttons = button("TrainingRegisterButton", "reg")
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

// needProfile answers a training button of an owner without a profile: the profile first.
func needProfile(c *flows.Ctx) error {
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

// trainingAction registers for a training, cancels a registration, joins or leaves its waiting
// list.
func trainingAction(c *flows.Ctx, op string, id int64) error {
	if !c.HasProfile() {
		return needProfile(c)
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
			c.Reply(flows.Reply{Text: c.T("TrainingFullNow", data) + "\n\n" + c.T("TrainingWaitlistAsk"),
				Buttons: [][]flows.Button{{{Label: c.T("TrainingJoinWaitlistButton"), Data: "a:tr:wait:" + itoa(id)}}}})
		case errors.Is(err, store.ErrTrainingClosed):
			c.Say(c.T("TrainingClosed", data))
		default:
			return err
		}
	case "cancel":
		given, err := store.CancelTrainingRegistration(c, c.DB, id, c.Owner.ID, c.Now)
		switch {
		case err == nil:
			c.Say(c.T("TrainingCancelled", data))
			c.NotifySeatsGiven(tr, given)
		case errors.Is(err, store.ErrNotFound):
			c.Say(c.T("TrainingNotRegistered", data))
		default:
			return err
		}
	case "wait":
		registered, place, err := store.JoinTrainingWaitlist(c, c.DB, id, c.Owner.ID, c.Now)
		data["Position"] = place
		switch {
		case err == nil && registered:
			c.Toast(c.T("TrainingRegisteredShort"))
			c.Say(c.T("TrainingRegistered", data))
		case err == nil:
			c.Say(c.T("TrainingWaitlistJoined", data))
		case errors.Is(err, store.ErrAlreadyWaiting):
			c.Say(c.T("TrainingWaitlistAlready", data))
		case errors.Is(err, store.ErrAlreadyRegistered):
			c.Say(c.T("TrainingAlreadyRegistered", data))
		case errors.Is(err, store.ErrTrainingClosed):
			c.Say(c.T("TrainingClosed", data))
		default:
			return err
		}
	case "unwait":
		err := store.LeaveTrainingWaitlist(c, c.DB, id, c.Owner.ID)
		switch {
		case err == nil:
			c.Say(c.T("TrainingWaitlistLeft", data))
		case errors.Is(err, store.ErrNotFound):
			c.Say(c.T("TrainingWaitlistNotOn", data))
		default:
			return err
		}
	default:
		return c.StaleButton()
	}
	return nil
}

// notifyAction (a:trn:on:<kind>, a:trn:off:<kind>) records or withdraws the owner's wish to be
// told when a training of the kind opens in their kabupaten.
func notifyAction(c *flows.Ctx, arg string) error {
	op, kind, _ := strings.Cut(arg, ":")
	if !slices.Contains(notifyKinds, kind) || (op != "on" && op != "off") {
		return c.StaleButton()
	}
	if !c.HasProfile() {
		return needProfile(c)
	}
	b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Kind": c.T("TrainingKind_" + kind), "Kabupaten": c.KabupatenName(b.Kabupaten)}
	if op == "off" {
		err := store.WithdrawTrainingInterest(c, c.DB, c.Owner.ID, kind, c.Now)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		c.Say(c.T("TrainingNotifyStopped", data))
		return nil
	}
	if _, err := store.AddTrainingInterest(c, c.DB, c.Owner.ID, kind, b.Kabupaten, c.Now); err != nil {
		return err
	}
	c.Toast(c.T("TrainingNotifySavedShort"))
	c.Say(c.T("TrainingNotifySaved", data))
	return nil
}

// trainingRecord is the owner's attended trainings as lines for their profile ("• PKP: lulus,
// 12 Maret 2026"), "" when none; each line starts with a newline so it follows a summary.
func trainingRecord(c *flows.Ctx) string {
	attended, err := store.AttendedTrainings(c, c.DB, c.Owner.ID)
	if err != nil || len(attended) == 0 {
		return "" // the profile shows without it rather than fail
	}
	var b strings.Builder
	seen := map[string]bool{}
	for _, a := range attended {
		if a.Kind == "pkp" {
			if seen["pkp"] {
				continue
			}
			seen["pkp"] = true
			b.WriteString("\n• " + c.T("ProfileTrainingPKP", map[string]any{"Date": c.L.Date(a.StartsAt), "Certificate": a.Certificate != ""}))
			continue
		}
		b.WriteString("\n• " + c.T("ProfileTrainingAttended", map[string]any{"Kind": c.T("TrainingKind_" + trainingKind(a.Kind)),
			"Title": a.Title, "Date": c.L.Date(a.StartsAt), "Certificate": a.Certificate != ""}))
	}
	return b.String()
}
