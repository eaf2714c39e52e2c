package domain

import (
	"slices"
	"testing"
)

func TestNextQuestionLeaves(t *testing.T) {
	type a = map[Question]string
	tests := []struct {
		name    string
		answers a
		want    Recommendation
	}{
		{"ready to eat: no permit", a{QuestionKind: KindFood, QuestionHowSold: SoldReadyToEat},
			Recommendation{RecommendNoneNeeded, ReasonShortShelfLife, ""}},
		{"keeps under 7 days: no permit", a{QuestionKind: KindFood, QuestionHowSold: SoldShortLife},
			Recommendation{RecommendNoneNeeded, ReasonShortShelfLife, ""}},
		{"packed in front of the buyer: no permit", a{QuestionKind: KindFood, QuestionHowSold: SoldPackedInFront},
			Recommendation{RecommendNoneNeeded, ReasonShortShelfLife, ""}},
		{"factory food", a{QuestionKind: KindFood, QuestionHowSold: SoldPacked, QuestionHomeIndustry: No},
			Recommendation{PathMD, ReasonNotHomeIndustry, ""}},
		{"home-made milk drink", a{QuestionKind: KindFood, QuestionHowSold: SoldPacked, QuestionHomeIndustry: Yes, QuestionNotEligibleCategory: Yes},
			Recommendation{PathMD, ReasonNotEligibleSPPIRT, ""}},
		{"home-made kelor tea, no health claim", a{QuestionKind: KindFood, QuestionHowSold: SoldPacked, QuestionHomeIndustry: Yes, QuestionNotEligibleCategory: No},
			Recommendation{PathSPPIRT, ReasonHomeIndustry, PathMD}},
		{"virgin coconut oil for skin", a{QuestionKind: KindBody},
			Recommendation{PathKosmetik, ReasonCosmetic, ""}},
		// Health comes first among the kinds: a jamu drink or a herbal tea sold for a health
		// benefit, param, pilis, tapel and minyak urut are traditional medicine.
		{"jamu drink for a health benefit", a{QuestionKind: KindHealth},
			Recommendation{PathObatTradisional, ReasonHerbalMedicine, ""}},
		{"kelor capsules: a supplement the bot does not guide", a{QuestionKind: KindSupplement},
			Recommendation{RecommendUnknown, ReasonSupplement, ""}},
		{"tenun ikat: nothing from BPOM", a{QuestionKind: KindOther},
			Recommendation{RecommendNoneNeeded, ReasonNotBPOMProduct, ""}},
		{"answers off the path are ignored", a{QuestionKind: KindBody, QuestionHomeIndustry: Yes},
			Recommendation{PathKosmetik, ReasonCosmetic, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _, done, rec := NextQuestion(tt.answers)
			if !done || q != "" || rec != tt.want {
				t.Errorf("NextQuestion = %q, %v, %+v; want done with %+v", q, done, rec, tt.want)
			}
		})
	}
}

func TestNextQuestionOrder(t *testing.T) {
	type a = map[Question]string
	tests := []struct {
		answers a
		want    Question
		choices []string
	}{
		{nil, QuestionKind, []string{KindHealth, KindSupplement, KindBody, KindFood, KindOther}},
		{a{QuestionKind: "nonsense"}, QuestionKind, nil}, // an answer the question does not have: asked again
		{a{QuestionKind: KindFood}, QuestionHowSold, []string{SoldPacked, SoldShortLife, SoldReadyToEat, SoldPackedInFront}},
		{a{QuestionKind: KindFood, QuestionHowSold: SoldPacked}, QuestionHomeIndustry, []string{Yes, No}},
		{a{QuestionKind: KindFood, QuestionHowSold: SoldPacked, QuestionHomeIndustry: Yes}, QuestionNotEligibleCategory, []string{Yes, No}},
	}
	for _, tt := range tests {
		q, choices, done, rec := NextQuestion(tt.answers)
		if done || q != tt.want || rec != (Recommendation{}) || (tt.choices != nil && !slices.Equal(choices, tt.choices)) {
			t.Errorf("NextQuestion(%v) = %q %v, %v, %+v; want question %q %v", tt.answers, q, choices, done, rec, tt.want, tt.choices)
		}
	}
	if _, choices, _, _ := NextQuestion(a{QuestionKind: KindFood, QuestionHowSold: SoldPacked}); !IsYesNo(choices) {
		t.Errorf("home industry is not a yes/no question: %v", choices)
	}
	if _, choices, _, _ := NextQuestion(nil); IsYesNo(choices) {
		t.Errorf("the kind of product is a yes/no question: %v", choices)
	}
}

// TestNextQuestionAlwaysEnds gives every answer to every question and checks each walk reaches
// a leaf within four questions, none asked twice.
func TestNextQuestionAlwaysEnds(t *testing.T) {
	leaves := 0
	var walk func(answers map[Question]string, depth int)
	walk = func(answers map[Question]string, depth int) {
		q, choices, done, rec := NextQuestion(answers)
		if done {
			leaves++
			if rec.Path == "" || rec.Reason == "" {
				t.Errorf("leaf %v has an empty recommendation %+v", answers, rec)
			}
			return
		}
		if _, asked := answers[q]; asked || depth > 4 || len(choices) < 2 {
			t.Fatalf("question %q (%v) asked again or too deep after %v", q, choices, answers)
		}
		for _, v := range choices {
			next := map[Question]string{q: v}
			for k, a := range answers {
				next[k] = a
			}
			walk(next, depth+1)
		}
	}
	walk(map[Question]string{}, 0)
	if leaves != 10 {
		t.Errorf("%d leaves, want 10", leaves)
	}
}
