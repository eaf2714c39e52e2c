package domain

import "testing"

func TestNextQuestionLeaves(t *testing.T) {
	type a = map[Question]bool
	tests := []struct {
		name    string
		answers a
		want    Recommendation
	}{
		{"ready to eat: no permit", a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: false, QuestionIsFood: true, QuestionShortShelfLife: true},
			Recommendation{RecommendNoneNeeded, ReasonShortShelfLife, ""}},
		{"factory food", a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: false, QuestionIsFood: true, QuestionShortShelfLife: false, QuestionHomeIndustry: false},
			Recommendation{PathMD, ReasonNotHomeIndustry, ""}},
		{"home-made milk drink", a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: false, QuestionIsFood: true, QuestionShortShelfLife: false, QuestionHomeIndustry: true, QuestionNotEligibleCategory: true},
			Recommendation{PathMD, ReasonNotEligibleSPPIRT, ""}},
		{"home-made kelor tea, no health claim", a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: false, QuestionIsFood: true, QuestionShortShelfLife: false, QuestionHomeIndustry: true, QuestionNotEligibleCategory: false},
			Recommendation{PathSPPIRT, ReasonHomeIndustry, PathMD}},
		{"virgin coconut oil for skin", a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: true},
			Recommendation{PathKosmetik, ReasonCosmetic, ""}},
		// Treating or relieving a complaint comes first: a jamu drink or a herbal tea sold for a
		// health benefit is not food, param, pilis, tapel and minyak urut are not cosmetics.
		{"jamu drink for a health benefit", a{QuestionIsHerbalMedicine: true, QuestionIsSupplement: false, QuestionIsFood: true},
			Recommendation{PathObatTradisional, ReasonHerbalMedicine, ""}},
		{"minyak urut", a{QuestionIsHerbalMedicine: true, QuestionIsSupplement: false, QuestionIsCosmetic: true},
			Recommendation{PathObatTradisional, ReasonHerbalMedicine, ""}},
		{"kelor capsules: a supplement the bot does not guide", a{QuestionIsHerbalMedicine: true, QuestionIsSupplement: true},
			Recommendation{RecommendUnknown, ReasonSupplement, ""}},
		{"tenun ikat: nothing from BPOM", a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: false, QuestionIsFood: false},
			Recommendation{RecommendNoneNeeded, ReasonNotBPOMProduct, ""}},
		{"answers off the path are ignored", a{QuestionIsHerbalMedicine: false, QuestionHomeIndustry: true, QuestionIsCosmetic: true},
			Recommendation{PathKosmetik, ReasonCosmetic, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, done, rec := NextQuestion(tt.answers)
			if !done || q != "" || rec != tt.want {
				t.Errorf("NextQuestion = %q, %v, %+v; want done with %+v", q, done, rec, tt.want)
			}
		})
	}
}

func TestNextQuestionOrder(t *testing.T) {
	type a = map[Question]bool
	tests := []struct {
		answers a
		want    Question
	}{
		{nil, QuestionIsHerbalMedicine},
		{a{}, QuestionIsHerbalMedicine},
		{a{QuestionIsHerbalMedicine: true}, QuestionIsSupplement},
		{a{QuestionIsHerbalMedicine: false}, QuestionIsCosmetic},
		{a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: false}, QuestionIsFood},
		{a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: false, QuestionIsFood: true}, QuestionShortShelfLife},
		{a{QuestionIsHerbalMedicine: false, QuestionIsCosmetic: false, QuestionIsFood: true, QuestionShortShelfLife: false}, QuestionHomeIndustry},
	}
	for _, tt := range tests {
		q, done, rec := NextQuestion(tt.answers)
		if done || q != tt.want || rec != (Recommendation{}) {
			t.Errorf("NextQuestion(%v) = %q, %v, %+v; want question %q", tt.answers, q, done, rec, tt.want)
		}
	}
}

// TestNextQuestionAlwaysEnds answers every question both ways and checks each walk reaches a
// leaf within the six questions.
func TestNextQuestionAlwaysEnds(t *testing.T) {
	var walk func(answers map[Question]bool, depth int)
	walk = func(answers map[Question]bool, depth int) {
		q, done, rec := NextQuestion(answers)
		if done {
			if rec.Path == "" || rec.Reason == "" {
				t.Errorf("leaf %v has an empty recommendation %+v", answers, rec)
			}
			return
		}
		if _, asked := answers[q]; asked || depth > 6 {
			t.Fatalf("question %q asked again after %v", q, answers)
		}
		for _, yes := range []bool{true, false} {
			next := map[Question]bool{q: yes}
			for k, v := range answers {
				next[k] = v
			}
			walk(next, depth+1)
		}
	}
	walk(map[Question]bool{}, 0)
}
