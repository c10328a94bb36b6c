package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Direction says who placed a call.
type Direction string

// The call directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// ParseDirection accepts "inbound"/"in" and "outbound"/"out" in any case; anything else is a
// *CallError.
func ParseDirection(s string) (Direction, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "inbound", "in":
		return Inbound, nil
	case "outbound", "out":
		return Outbound, nil
	}
	return "", &CallError{Problems: []string{fmt.Sprintf("direction %q is not inbound or outbound", clip(s))}}
}

// Call is one call record attached to a lead, prospect or opportunity.
type Call struct {
	At              time.Time `json:"at"`
	Direction       Direction `json:"direction"`
	Number          string    `json:"number,omitempty"` // the dialled number, E.164
	Agent           string    `json:"agent,omitempty"`
	Outcome         string    `json:"outcome"`
	NextAction      string    `json:"next_action,omitempty"`
	Notes           string    `json:"notes,omitempty"`
	DurationSeconds int       `json:"duration_seconds"`
}

// CallError lists what is wrong with a call record.
type CallError struct {
	Problems []string
}

func (e *CallError) Error() string {
	return "invalid call record: " + strings.Join(e.Problems, "; ")
}

// Validate checks that c has a time, a valid direction, an outcome and a duration of zero or
// more seconds, returning a *CallError listing every problem.
func (c Call) Validate() error {
	var problems []string
	if c.At.IsZero() {
		problems = append(problems, "the call time is missing")
	}
	if c.Direction != Inbound && c.Direction != Outbound {
		problems = append(problems, fmt.Sprintf("direction %q is not inbound or outbound", clip(string(c.Direction))))
	}
	if !filled(c.Outcome) {
		problems = append(problems, "the outcome is missing")
	}
	if c.DurationSeconds < 0 {
		problems = append(problems, fmt.Sprintf("duration %d s is negative", c.DurationSeconds))
	}
	if problems != nil {
		return &CallError{Problems: problems}
	}
	return nil
}

// OutcomeRule maps a call outcome to the status it moves a lead towards.
type OutcomeRule struct {
	// Outcome is matched case-insensitively; hyphens, underscores and repeated spaces count as
	// one space ("Do-Not-Call" matches "do not call").
	Outcome string `json:"outcome"`
	// To is the status the outcome leads to; empty means the outcome changes nothing.
	To Status `json:"to,omitempty"`
	// From limits the rule to these current statuses; empty means any status.
	From []Status `json:"from,omitempty"`
}

// DefaultOutcomes returns the standard outcome rules. Outcomes not listed change nothing.
func DefaultOutcomes() []OutcomeRule {
	early := []Status{NewLead, Researching, Contacted}
	return []OutcomeRule{
		{Outcome: "interested", To: Engaged, From: early},
		{Outcome: "meeting booked", To: Engaged, From: early},
		{Outcome: "not interested", To: NoInterest, From: early},
		{Outcome: "connected", To: Contacted, From: []Status{NewLead, Researching}},
		{Outcome: "call back", To: Contacted, From: []Status{NewLead, Researching}},
		{Outcome: "do not call", To: DoNotContact},
		{Outcome: "do not contact", To: DoNotContact},
		{Outcome: "asked not to be called", To: DoNotContact},
		{Outcome: "opt out", To: DoNotContact},
		{Outcome: "remove me", To: DoNotContact},
		{Outcome: "bad number", To: InvalidData, From: []Status{Researching}},
		{Outcome: "wrong number", To: InvalidData, From: []Status{Researching}},
		{Outcome: "wrong person", To: InvalidData, From: []Status{Researching}},
		{Outcome: "no answer"},
		{Outcome: "voicemail"},
		{Outcome: "busy"},
	}
}

// OutcomeTransition returns the next status a call with this outcome moves a lead to from
// current, and true; or current and false when the outcome changes nothing (an unknown outcome,
// a rule for another status, or a target the lead cannot reach).
//
// The result is always one allowed transition. When the rule's target lies further along the
// graph (an "interested" call while Researching passes through Contacted), the first step is
// returned: apply it and call again, or use OutcomePath.
func OutcomeTransition(current Status, outcome string, cfg Config) (Status, bool) {
	rule, ok := findOutcome(cfg.WithDefaults().Outcomes, outcome)
	if !ok || rule.To == "" || rule.To == current {
		return current, false
	}
	if len(rule.From) > 0 && !slices.Contains(rule.From, current) {
		return current, false
	}
	step, ok := firstStep(current, rule.To)
	if !ok {
		return current, false
	}
	return step, true
}

// OutcomePath returns every status a call with this outcome moves a lead through from current,
// in order; it is empty when the outcome changes nothing.
func OutcomePath(current Status, outcome string, cfg Config) []Status {
	var path []Status
	for {
		step, ok := OutcomeTransition(current, outcome, cfg)
		if !ok {
			return path
		}
		path = append(path, step)
		current = step
	}
}

// findOutcome returns the rule matching outcome.
func findOutcome(rules []OutcomeRule, outcome string) (OutcomeRule, bool) {
	key := outcomeKey(outcome)
	if key == "" {
		return OutcomeRule{}, false
	}
	for _, r := range rules {
		if outcomeKey(r.Outcome) == key {
			return r, true
		}
	}
	return OutcomeRule{}, false
}

// firstStep returns the first status on the shortest path of allowed transitions from one
// status to another (breadth first, in Allowed order, so ties are broken the same way each time).
func firstStep(from, to Status) (Status, bool) {
	first := map[Status]Status{}
	queue := []Status{from}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, n := range Allowed(s) {
			if _, seen := first[n]; seen || n == from {
				continue
			}
			first[n] = first[s]
			if s == from {
				first[n] = n
			}
			if n == to {
				return first[n], true
			}
			queue = append(queue, n)
		}
	}
	return "", false
}
