package owner_test

import (
	"strings"
	"testing"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/flows/owner"
	"umkmbot/flows/staff"
	"umkmbot/locales"
)

// Message IDs built at run time ("PathName_" + code, a step's Prompt + "Field", …) are invisible
// to the locales code scan: this test walks every flow in the shapes its data can take and every
// domain code, and checks each ID exists in every language.
func TestComputedMessageIDsExist(t *testing.T) {
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	e, err := flows.New(flows.Config{Messages: msgs, Rules: rules}, owner.Flowset(), staff.Flowset())
	if err != nil {
		t.Fatal(err)
	}
	need := map[string]string{} // id -> where it is used
	use := func(id, where string) {
		if id != "" {
			need[id] = where
		}
	}

	for _, p := range rules.Paths() {
		use("PathName_"+string(p.Code), "path names")
		for _, d := range rules.Documents(p.Code) {
			use("DocName_"+d.Code, "document names")
			use("DocHelp_"+d.Code, "document help")
		}
	}
	for _, s := range domain.Statuses() {
		use("Status_"+string(s), "status names")
		use("StatusNext_"+string(s), "status next steps")
	}
	for _, k := range []string{"pkp", "bimtek", "label", "clinic", "cppob", "other"} {
		use("TrainingKind_"+k, "training kinds")
	}
	// Every question and every recommendation of "help me choose": walk all answer paths.
	var walk func(answers map[domain.Question]string)
	walk = func(answers map[domain.Question]string) {
		q, choices, done, rec := domain.NextQuestion(answers)
		if done {
			use("ChooseReason_"+string(rec.Reason), "choose reasons")
			if rec.Path != domain.RecommendNoneNeeded && rec.Path != domain.RecommendUnknown {
				use("PathName_"+string(rec.Path), "recommended path")
			}
			return
		}
		use("ChooseQ_"+string(q), "choose questions")
		for _, v := range choices {
			if !domain.IsYesNo(choices) {
				use("ChooseA_"+string(q)+"_"+v, "choose answers")
			}
			next := map[domain.Question]string{q: v}
			for k, a := range answers {
				next[k] = a
			}
			walk(next)
		}
	}
	walk(map[domain.Question]string{})

	// Every step of every flow, in the shapes the answers give them.
	shapes := []map[string]string{{}}
	for _, p := range rules.Paths() {
		shapes = append(shapes, map[string]string{"path": string(p.Code)})
		var kinds []string
		for _, d := range rules.Documents(p.Code) {
			kinds = append(kinds, d.Code)
		}
		shapes = append(shapes, map[string]string{"path": string(p.Code), "missing": strings.Join(kinds, " ")})
	}
	shapes = append(shapes, map[string]string{"path": "help"}, map[string]string{"path": "help", "q_kind": "food", "q_how_sold": "packed"})
	e.WalkMessageIDs(shapes, map[string]bool{"documents/app": true}, use)
	if len(need) < 100 {
		t.Fatalf("only %d computed IDs found: the walk is missing something", len(need))
	}
	for id, where := range need {
		for _, lang := range msgs.Languages() {
			if !msgs.Has(lang, id) {
				t.Errorf("%s: message %s is not defined in %s", where, id, lang)
			}
		}
	}
}
