package domain

// Question is a yes/no question of "help me choose" (bantu pilih jalur); locales hold its text,
// keyed by the code.
type Question string

// The questions, in the order they can be asked.
const (
	QuestionIsFood              Question = "is_food"
	QuestionShortShelfLife      Question = "short_shelf_life_or_ready_to_eat" // < 7 days, ready to eat or packed in front of the buyer
	QuestionHomeIndustry        Question = "home_industry"
	QuestionNotEligibleCategory Question = "not_eligible_category" // one of Rules.NotEligibleForSPPIRT
	QuestionIsCosmetic          Question = "is_cosmetic"           // applied on skin, hair or body
	// QuestionIsHerbalMedicine: taken or used to treat, relieve or keep off a complaint (jamu, a
	// herbal drink or tea sold for a health benefit, param, pilis, tapel, minyak urut, rajangan).
	QuestionIsHerbalMedicine Question = "is_herbal_medicine"
	QuestionIsSupplement     Question = "is_supplement" // capsules or tablets sold as a supplement
)

// Outcomes of "help me choose" that are not permit paths.
const (
	// RecommendNoneNeeded: no izin edar; a hygiene certificate from the local health office.
	RecommendNoneNeeded PathCode = "none_needed"
	// RecommendUnknown: the bot cannot tell; advise HaloBPOM.
	RecommendUnknown PathCode = "unknown"
)

// Reason explains a recommendation; locales hold its text, keyed by the code.
type Reason string

// The reasons.
const (
	ReasonShortShelfLife    Reason = "short_shelf_life_or_ready_to_eat"
	ReasonHomeIndustry      Reason = "home_industry_low_risk"
	ReasonNotEligibleSPPIRT Reason = "not_eligible_for_spp_irt"
	ReasonNotHomeIndustry   Reason = "processed_food_not_home_industry"
	ReasonCosmetic          Reason = "applied_on_body"
	ReasonHerbalMedicine    Reason = "herbal_medicine"
	ReasonNotCovered        Reason = "not_covered"
	ReasonSupplement        Reason = "supplement"         // suplemen kesehatan (POM SD): not guided here
	ReasonNotBPOMProduct    Reason = "not_a_bpom_product" // tenun ikat, crafts: no izin edar
)

// Recommendation is where "help me choose" leads.
type Recommendation struct {
	Path   PathCode // a permit path, RecommendNoneNeeded or RecommendUnknown
	Reason Reason
	// Alternative is a second path worth mentioning, e.g. md for a home industry aiming at
	// supermarkets or other provinces; empty when there is none.
	Alternative PathCode
}

// node is a question with a branch per answer, or a leaf with a recommendation.
type node struct {
	question Question
	yes, no  *node
	leaf     *Recommendation
}

func ask(q Question, yes, no *node) *node { return &node{question: q, yes: yes, no: no} }

func leaf(path PathCode, reason Reason, alternative PathCode) *node {
	return &node{leaf: &Recommendation{Path: path, Reason: reason, Alternative: alternative}}
}

// decisionTree is DOMAIN.md's "help me choose": each ask lists its yes branch, then its no branch.
// Order matters: treating a complaint comes first (a jamu drink is not food, minyak urut is not a
// cosmetic), then the body, then food; what is none of them needs nothing from BPOM.
func decisionTree() *node {
	food := ask(QuestionShortShelfLife,
		leaf(RecommendNoneNeeded, ReasonShortShelfLife, ""),
		ask(QuestionHomeIndustry,
			ask(QuestionNotEligibleCategory,
				leaf(PathMD, ReasonNotEligibleSPPIRT, ""),
				leaf(PathSPPIRT, ReasonHomeIndustry, PathMD)), // md for supermarkets, other provinces
			leaf(PathMD, ReasonNotHomeIndustry, "")))
	return ask(QuestionIsHerbalMedicine,
		ask(QuestionIsSupplement,
			leaf(RecommendUnknown, ReasonSupplement, ""),
			leaf(PathObatTradisional, ReasonHerbalMedicine, "")),
		ask(QuestionIsCosmetic,
			leaf(PathKosmetik, ReasonCosmetic, ""),
			ask(QuestionIsFood,
				food,
				leaf(RecommendNoneNeeded, ReasonNotBPOMProduct, ""))))
}

// NextQuestion walks the decision tree over the answers given so far. It returns the next
// question to ask, or done with the recommendation once a leaf is reached. Answers to questions
// the walk does not reach are ignored.
func NextQuestion(answers map[Question]bool) (q Question, done bool, rec Recommendation) {
	n := decisionTree()
	for n.leaf == nil {
		yes, ok := answers[n.question]
		if !ok {
			return n.question, false, Recommendation{}
		}
		if yes {
			n = n.yes
		} else {
			n = n.no
		}
	}
	return "", true, *n.leaf
}
