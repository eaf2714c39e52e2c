package domain

import "testing"

func TestNextQuestionLeaves(t *testing.T) {
	type a = map[Question]bool
	tests := []struct {
		name    string
		answers a
		want    Recommendation
	}{
		{"ready to eat: no permit", a{QuestionIsFood: true, QuestionShortShelfLife: true},
			Recommendation{RecommendNoneNeeded, ReasonShortShelfLife, ""}},
		{"factory food", a{QuestionIsFood: true, QuestionShortShelfLife: false, QuestionHomeIndustry: false},
			Recommendation{PathMD, ReasonNotHomeIndustry, ""}},
		{"home-made milk drink", a{QuestionIsFood: true, QuestionShortShelfLife: false, QuestionHomeIndustry: true, QuestionNotEligibleCategory: true},
			Recommendation{PathMD, ReasonNotEligibleSPPIRT, ""}},
		{"home-made kelor tea", a{QuestionIsFood: true, QuestionShortShelfLife: false, QuestionHomeIndustry: true, QuestionNotEligibleCategory: false},
			Recommendation{PathSPPIRT, ReasonHomeIndustry, PathMD}},
		{"virgin coconut oil for skin", a{QuestionIsFood: false, QuestionIsCosmetic: true},
			Recommendation{PathKosmetik, ReasonCosmetic, ""}},
		{"jamu", a{QuestionIsFood: false, QuestionIsCosmetic: false, QuestionIsHerbalMedicine: true},
			Recommendation{PathObatTradisional, ReasonHerbalMedicine, ""}},
		{"tenun ikat", a{QuestionIsFood: false, QuestionIsCosmetic: false, QuestionIsHerbalMedicine: false},
			Recommendation{RecommendUnknown, ReasonNotCovered, ""}},
		{"answers off the path are ignored", a{QuestionIsFood: false, QuestionHomeIndustry: true, QuestionIsCosmetic: true},
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
		{nil, QuestionIsFood},
		{a{}, QuestionIsFood},
		{a{QuestionIsFood: true}, QuestionShortShelfLife},
		{a{QuestionIsFood: true, QuestionShortShelfLife: false}, QuestionHomeIndustry},
		{a{QuestionIsFood: true, QuestionShortShelfLife: false, QuestionHomeIndustry: true}, QuestionNotEligibleCategory},
		{a{QuestionIsFood: false}, QuestionIsCosmetic},
		{a{QuestionIsFood: false, QuestionIsCosmetic: false}, QuestionIsHerbalMedicine},
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
