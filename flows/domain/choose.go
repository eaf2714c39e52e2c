package domain

// Question is a question of "help me choose" (bantu pilih jalur); locales hold its text and the
// labels of its answers, keyed by the codes (ChooseQ_<question>, ChooseA_<question>_<answer>).
// Each asks one thing: the first is one button question for the kind of product, the rest are
// follow-ups only food opens.
type Question string

// The questions, in the order they can be asked.
const (
	// QuestionKind is the kind of product, one button per kind: for health (treating, relieving
	// or keeping off a complaint) first, so that a jamu drink is not taken for food nor minyak
	// urut for a cosmetic.
	QuestionKind Question = "kind"
	// QuestionHowSold: how food reaches the buyer (packed and keeping 7 days or more, keeping
	// less than 7 days, ready to eat, packed in front of the buyer).
	QuestionHowSold             Question = "how_sold"
	QuestionHomeIndustry        Question = "home_industry"         // yes/no: made by a home industry
	QuestionNotEligibleCategory Question = "not_eligible_category" // yes/no: one of Rules.NotEligibleForSPPIRT
)

// The answers to QuestionKind.
const (
	KindHealth     = "health"     // jamu, herbal drink or tea for a health benefit, param, pilis, tapel, minyak urut
	KindSupplement = "supplement" // capsules or tablets sold as a supplement (kelor capsules)
	KindBody       = "body"       // on skin, hair or body to clean, scent or care for it
	KindFood       = "food"       // food or drink
	KindOther      = "other"      // tenun ikat, crafts
)

// The answers to QuestionHowSold.
const (
	SoldPacked        = "packed"          // packed where it is made, keeps 7 days or more
	SoldShortLife     = "short_life"      // keeps less than 7 days
	SoldReadyToEat    = "ready_to_eat"    // nasi bungkus, kue basah
	SoldPackedInFront = "packed_in_front" // packed in front of the buyer
)

// The answers to a yes/no question.
const (
	Yes = "yes"
	No  = "no"
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

// node is a question with a branch per answer (in the order the buttons show them), or a leaf
// with a recommendation.
type node struct {
	question Question
	answers  []branch
	leaf     *Recommendation
}

type branch struct {
	answer string
	next   *node
}

func ask(q Question, answers ...branch) *node { return &node{question: q, answers: answers} }

func on(answer string, next *node) branch { return branch{answer, next} }

func leaf(path PathCode, reason Reason, alternative PathCode) *node {
	return &node{leaf: &Recommendation{Path: path, Reason: reason, Alternative: alternative}}
}

// decisionTree is DOMAIN.md's "help me choose". The kind of product comes first, health uses
// at the top (a jamu drink is not food, minyak urut is not a cosmetic); food alone asks more.
func decisionTree() *node {
	none := leaf(RecommendNoneNeeded, ReasonShortShelfLife, "")
	food := ask(QuestionHowSold,
		on(SoldPacked, ask(QuestionHomeIndustry,
			on(Yes, ask(QuestionNotEligibleCategory,
				on(Yes, leaf(PathMD, ReasonNotEligibleSPPIRT, "")),
				on(No, leaf(PathSPPIRT, ReasonHomeIndustry, PathMD)))), // md for supermarkets, other provinces
			on(No, leaf(PathMD, ReasonNotHomeIndustry, "")))),
		on(SoldShortLife, none),
		on(SoldReadyToEat, none),
		on(SoldPackedInFront, none))
	return ask(QuestionKind,
		on(KindHealth, leaf(PathObatTradisional, ReasonHerbalMedicine, "")),
		on(KindSupplement, leaf(RecommendUnknown, ReasonSupplement, "")),
		on(KindBody, leaf(PathKosmetik, ReasonCosmetic, "")),
		on(KindFood, food),
		on(KindOther, leaf(RecommendNoneNeeded, ReasonNotBPOMProduct, "")))
}

// NextQuestion walks the decision tree over the answers given so far. It returns the next
// question to ask with its possible answers (Yes and No for a yes/no question), or done with
// the recommendation once a leaf is reached. Answers to questions the walk does not reach, and
// answers a question does not have, are ignored.
func NextQuestion(answers map[Question]string) (q Question, choices []string, done bool, rec Recommendation) {
	n := decisionTree()
	for n.leaf == nil {
		var next *node
		for _, b := range n.answers {
			if b.answer == answers[n.question] {
				next = b.next
			}
		}
		if next == nil {
			for _, b := range n.answers {
				choices = append(choices, b.answer)
			}
			return n.question, choices, false, Recommendation{}
		}
		n = next
	}
	return "", nil, true, *n.leaf
}

// IsYesNo says whether a question's answers are Yes and No (asked with Ya/Tidak buttons).
func IsYesNo(choices []string) bool {
	return len(choices) == 2 && choices[0] == Yes && choices[1] == No
}
