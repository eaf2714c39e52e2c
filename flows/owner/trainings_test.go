package owner_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// A training with one seat: the second owner finds it full and joins the waiting list, a third
// after them; when the first cancels, the seat goes to the first in line, told at once (in their
// language, with a cancel button) and once — the old cancel button pressed again gives nothing
// more; the third moves up.
func TestTrainingWaitingListTranscript(t *testing.T) {
	h := flowtest.New(t)
	tr := store.Training{Title: "PKP Bajawa", Kind: "pkp", StartsAt: h.Clock().Add(72 * time.Hour), DurationMinutes: 120,
		Place: "Aula Dinkes Bajawa", Kabupaten: "ngada", Quota: 1, Organiser: "Dinkes Ngada", Office: "dinkes_ngada"}
	if err := store.CreateTraining(context.Background(), h.DB.DB(), &tr); err != nil {
		t.Fatal(err)
	}
	a := h.Chat(301, "id")
	a.CompleteProfile("Kopi Bajawa")
	a.Send("/pelatihan")
	a.PressMsg("TrainingRegisterButton")

	b := h.Chat(302, "en")
	b.CompleteProfile("Tenun Ikat")
	b.Send("/trainings")
	b.ExpectMsg("TrainingFull")
	b.PressMsg("TrainingJoinWaitlistButton")
	b.Expect("number 1")
	c := h.Chat(303, "id")
	c.CompleteProfile("Madu Hutan")
	c.Send("/pelatihan")
	c.PressMsg("TrainingJoinWaitlistButton")
	c.Expect("urutan ke-2")
	c.Send("/pelatihan")
	c.ExpectMsg("TrainingYouAreWaiting", map[string]any{"Position": 2})

	a.Send("/pelatihan")
	cancel, cancelMsg := a.ButtonData(h.T("id", "TrainingCancelButton"))
	a.PressData(cancel, cancelMsg)
	a.ExpectMsg("TrainingCancelled", map[string]any{"Title": "PKP Bajawa", "When": h.Msgs.For("id").DateTime(tr.StartsAt)})
	if len(a.Last.Notices) != 1 || a.Last.Notices[0].ChatID != 302 || a.Last.Notices[0].DedupeKey == "" ||
		!strings.Contains(a.Last.Notices[0].Reply.Text, "A seat is free") ||
		a.Last.Notices[0].Reply.Buttons[0][0].Label != h.T("en", "TrainingCancelButton") {
		t.Fatalf("notices after the cancel: %+v", a.Last.Notices)
	}
	a.PressData(cancel, cancelMsg) // the same button again: nothing more to give
	a.ExpectMsg("TrainingNotRegistered", map[string]any{"Title": "PKP Bajawa"})
	if len(a.Last.Notices) != 0 {
		t.Fatalf("a second seat was told: %+v", a.Last.Notices)
	}
	b.Send("/trainings")
	b.ExpectMsg("TrainingYouAreRegistered")
	c.Send("/pelatihan")
	c.ExpectMsg("TrainingYouAreWaiting", map[string]any{"Position": 1})
	c.PressMsg("TrainingLeaveWaitlistButton")
	c.ExpectMsg("TrainingWaitlistLeft", map[string]any{"Title": "PKP Bajawa"})

	// The first owner, now without a seat, finds it full and is offered the waiting list.
	a.Send("/pelatihan")
	a.ExpectMsg("TrainingFull")
	a.PressData("a:tr:reg:1", 1)
	a.ExpectMsg("TrainingFullNow", map[string]any{"Title": "PKP Bajawa"})
	if !a.HasButton(h.T("id", "TrainingJoinWaitlistButton")) {
		t.Fatalf("no waiting list offered:\n%s", a.Transcript())
	}
}

// With no PKP course scheduled in their kabupaten, an owner asks to be told; /pelatihan then
// offers to stop, which they do. A kind that is scheduled is not offered.
func TestTrainingNotifyMeTranscript(t *testing.T) {
	h := flowtest.New(t)
	tr := store.Training{Title: "Klinik label", Kind: "label", StartsAt: h.Clock().Add(72 * time.Hour), DurationMinutes: 120,
		Place: "Aula", Kabupaten: "ngada", Quota: 10}
	if err := store.CreateTraining(context.Background(), h.DB.DB(), &tr); err != nil {
		t.Fatal(err)
	}
	o := h.Chat(304, "id")
	o.CompleteProfile("Kopi Bajawa")
	o.Send("/pelatihan")
	o.ExpectMsg("TrainingsNotifyOffer", map[string]any{"Kabupaten": "Ngada"})
	pkp := h.T("id", "TrainingNotifyButton", map[string]any{"Kind": h.T("id", "TrainingKind_pkp")})
	if o.HasButton(h.T("id", "TrainingNotifyButton", map[string]any{"Kind": h.T("id", "TrainingKind_label")})) {
		t.Fatalf("a kind scheduled in Ngada is offered:\n%s", o.Transcript())
	}
	o.Press(pkp)
	o.ExpectMsg("TrainingNotifySaved", map[string]any{"Kind": h.T("id", "TrainingKind_pkp"), "Kabupaten": "Ngada"})
	var kab string
	h.Query(&kab, `SELECT kabupaten FROM training_interests WHERE kind = 'pkp' AND fulfilled_at IS NULL`)
	if kab != "ngada" {
		t.Fatalf("interest in %q", kab)
	}
	o.Send("/pelatihan")
	o.Press(h.T("id", "TrainingNotifyStopButton", map[string]any{"Kind": h.T("id", "TrainingKind_pkp")}))
	o.ExpectMsg("TrainingNotifyStopped", map[string]any{"Kind": h.T("id", "TrainingKind_pkp"), "Kabupaten": "Ngada"})
	var open int
	h.Query(&open, `SELECT count(*) FROM training_interests WHERE fulfilled_at IS NULL`)
	if open != 0 {
		t.Fatal("the wish is still open")
	}
	o.PressData("a:trn:on:nonsense", 1)
	o.ExpectMsg("CommonStaleButton")
}

// An owner with a seat deletes their data: the seat goes to the first in line, told at once,
// as a cancel would (it used to stay empty until the next cancel or edit).
func TestDeleteDataGivesTheSeatToTheLine(t *testing.T) {
	h := flowtest.New(t)
	tr := store.Training{Title: "PKP Ende", Kind: "pkp", StartsAt: h.Clock().Add(72 * time.Hour), DurationMinutes: 120,
		Place: "Aula Dinkes Ende", Kabupaten: "ende", Quota: 1, Organiser: "Dinkes Ende", Office: "dinkes_ende"}
	if err := store.CreateTraining(context.Background(), h.DB.DB(), &tr); err != nil {
		t.Fatal(err)
	}
	a := h.Chat(311, "id")
	a.CompleteProfile("Kopi Ende")
	a.Send("/pelatihan")
	a.PressMsg("TrainingRegisterButton")
	b := h.Chat(312, "en")
	b.CompleteProfile("Tenun Ende")
	b.Send("/trainings")
	b.PressMsg("TrainingJoinWaitlistButton")

	a.Send("/hapus_data")
	a.PressMsg("CommonYes")
	if len(a.Last.Notices) != 1 || a.Last.Notices[0].ChatID != 312 || !strings.Contains(a.Last.Notices[0].Reply.Text, "A seat is free") {
		t.Fatalf("notices after /hapus_data: %+v\n%s", a.Last.Notices, a.Transcript())
	}
	b.Send("/trainings")
	b.ExpectMsg("TrainingYouAreRegistered")
}
