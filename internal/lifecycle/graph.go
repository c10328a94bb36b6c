package lifecycle

import (
	"fmt"
	"slices"
)

// next lists the status transitions within a stage, in the order Allowed reports them. Do Not
// Contact is added to every status but itself by Allowed, so it is not listed here.
var next = map[Status][]Status{
	NewLead:        {Researching},
	Researching:    {Contacted, InvalidData},
	Contacted:      {Engaged, NoInterest},
	NewProspect:    {Prospecting},
	Prospecting:    {Qualified, Disqualified},
	NewOpportunity: {Progressing},
	Progressing:    {Negotiation},
	Negotiation:    {Won, Lost},
}

// promotions maps the statuses that can be promoted to the status they are promoted to.
var promotions = map[Status]Status{
	Engaged:   NewProspect,
	Qualified: NewOpportunity,
}

// promotionName is what the design doc calls each promotion.
var promotionName = map[Status]string{
	Engaged:   "Convert to Prospect",
	Qualified: "Promote to Opportunity",
}

// Allowed returns the statuses from may move to by a status transition, in a fixed order: the
// lifecycle's next steps, then Do Not Contact. Promotions are not included (see CheckPromote).
// Do Not Contact allows nothing; an unknown status allows nothing.
func Allowed(from Status) []Status {
	if from == DoNotContact || !from.Valid() {
		return nil
	}
	return append(slices.Clone(next[from]), DoNotContact)
}

// RuleError explains why a move is refused, in words a salesperson understands.
type RuleError struct {
	From, To Status
	// Promotion is set when the refused move was a promotion rather than a status transition.
	Promotion bool
	// Reason is the explanation, without the "cannot move ..." preamble.
	Reason string
	// Missing lists the fields to fill in or fix before the move is allowed, by display name.
	Missing []string
}

func (e *RuleError) Error() string {
	verb := "move"
	if e.Promotion {
		verb = "promote"
	}
	if e.To == "" {
		return fmt.Sprintf("cannot %s %s: %s", verb, e.From.DisplayName(), e.Reason)
	}
	return fmt.Sprintf("cannot %s from %s to %s: %s", verb, e.From.DisplayName(), e.To.DisplayName(), e.Reason)
}

// CheckTransition reports whether a lead may move from one status to another within the
// lifecycle, with d holding the data the target status requires. It returns nil or a *RuleError.
//
// Entering Qualified needs the qualification criteria and a fit score at cfg.FitThreshold or
// above; entering any opportunity status needs the opportunity data; Won and Lost also need a
// win/loss reason. A person who has opted out (d.DoNotContact) may only move to Do Not Contact.
func CheckTransition(from, to Status, d Data, cfg Config) error {
	if err := checkKnown(from, to, false); err != nil {
		return err
	}
	if err := checkEdge(from, to); err != nil {
		return err
	}
	if d.DoNotContact && to != DoNotContact {
		return &RuleError{From: from, To: to, Reason: optedOut}
	}
	return checkRequired(from, to, false, d, cfg)
}

// CheckPromote reports whether from can be promoted (Engaged → New Prospect, Qualified → New
// Opportunity) and returns the status the promotion leads to. It returns a *RuleError when from
// cannot be promoted or d lacks what the new status requires.
func CheckPromote(from Status, d Data, cfg Config) (Status, error) {
	if err := checkKnown(from, "", true); err != nil {
		return "", err
	}
	to, ok := promotions[from]
	if !ok {
		return "", &RuleError{From: from, Promotion: true, Reason: promoteHint}
	}
	if d.DoNotContact {
		return "", &RuleError{From: from, To: to, Promotion: true, Reason: optedOut}
	}
	if err := checkRequired(from, to, true, d, cfg); err != nil {
		return "", err
	}
	return to, nil
}

// Reasons shared by several refusals.
const (
	optedOut    = "the person has opted out; the only allowed move is to Do Not Contact"
	promoteHint = "only Engaged leads convert to prospects and only Qualified prospects are promoted to opportunities"
)

// checkKnown refuses statuses the package does not know; to is not checked for a promotion.
func checkKnown(from, to Status, promotion bool) error {
	unknown := from
	switch {
	case !from.Valid():
	case !promotion && !to.Valid():
		unknown = to
	default:
		return nil
	}
	return &RuleError{From: from, To: to, Promotion: promotion,
		Reason: fmt.Sprintf("%s is not a lifecycle status", unknown.DisplayName())}
}

// checkEdge refuses a transition that is not an edge of the graph, saying what is allowed.
func checkEdge(from, to Status) error {
	allowed := Allowed(from)
	if slices.Contains(allowed, to) {
		return nil
	}
	var reason string
	switch {
	case from == to:
		reason = "it is already " + to.DisplayName()
	case from == DoNotContact:
		reason = "Do Not Contact is permanent; the person must never be contacted again"
	case promotions[from] == to:
		reason = fmt.Sprintf("this is a promotion (%s), not a status change", promotionName[from])
	case from.Terminal():
		reason = fmt.Sprintf("%s is final", from.DisplayName())
	default:
		reason = "not an allowed transition"
	}
	return &RuleError{From: from, To: to, Reason: reason + "; allowed: " + joinNames(allowed)}
}

// checkRequired refuses a move when d lacks what to requires.
func checkRequired(from, to Status, promotion bool, d Data, cfg Config) error {
	p := required(to, d, cfg.WithDefaults())
	if p.empty() {
		return nil
	}
	return &RuleError{From: from, To: to, Promotion: promotion, Reason: p.reason(), Missing: p.missing()}
}
