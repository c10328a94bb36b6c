package lifecycle

import (
	"errors"
	"fmt"
)

// Action is what the workflow does about a status change seen in HaloPSA.
type Action string

// The actions Adopt decides between.
const (
	// ActionAdopt takes the change on: the workflow's status becomes the new one.
	ActionAdopt Action = "adopt"
	// ActionFlag keeps the change but flags the ticket for review, with the reason.
	ActionFlag Action = "flag"
	// ActionRevert puts the ticket back to the previous status, with the reason.
	ActionRevert Action = "revert"
)

// Decision is the verdict on one status change made by a person in HaloPSA.
type Decision struct {
	Action Action `json:"action"`
	From   Status `json:"from"`
	To     Status `json:"to"`
	// Promotion is set when the change was a promotion (a ticket type change as well).
	Promotion bool `json:"promotion,omitempty"`
	// Violation explains a refused change; nil when the change was adopted.
	Violation *RuleError `json:"-"`
	// Note is the one sentence to add to the ticket.
	Note string `json:"note"`
}

// Adopt classifies a status change a person made in HaloPSA. A change the rules allow (a status
// transition, or a promotion with the data it needs) is adopted; any other change is a violation,
// which is reverted or flagged as cfg.OnViolation says, except that a violation involving an
// opt-out (a change away from Do Not Contact, or any refused change for a person with
// d.DoNotContact set) is always reverted. A change to the same status is adopted with nothing to do.
//
// Adopt returns an error only when it cannot judge: an invalid configuration (*ConfigError) or a
// status the lifecycle does not know (*UnknownStatusError), for example a tenant's own status.
func Adopt(from, to Status, d Data, cfg Config) (Decision, error) {
	if err := cfg.Validate(); err != nil {
		return Decision{}, fmt.Errorf("judging a status change: %w", err)
	}
	for _, s := range []Status{from, to} {
		if !s.Valid() {
			return Decision{}, fmt.Errorf("judging a status change: %w", &UnknownStatusError{Input: string(s)})
		}
	}
	dec := Decision{From: from, To: to, Promotion: promotions[from] == to}
	if from == to {
		dec.Action, dec.Note = ActionAdopt, "No status change."
		return dec, nil
	}
	err := judge(from, to, dec.Promotion, d, cfg)
	if err == nil {
		dec.Action = ActionAdopt
		dec.Note = fmt.Sprintf("Status change from %s to %s adopted.", from.DisplayName(), to.DisplayName())
		return dec, nil
	}
	return violation(dec, err, d.DoNotContact, cfg), nil
}

// judge applies the promotion or transition rules to a change.
func judge(from, to Status, promotion bool, d Data, cfg Config) error {
	if promotion {
		_, err := CheckPromote(from, d, cfg)
		return err
	}
	return CheckTransition(from, to, d, cfg)
}

// violation fills in a refused decision: flagged or reverted as configured, always reverted when
// it breaks an opt-out.
func violation(dec Decision, err error, optOut bool, cfg Config) Decision {
	var re *RuleError
	if !errors.As(err, &re) {
		re = &RuleError{From: dec.From, To: dec.To, Promotion: dec.Promotion, Reason: err.Error()}
	}
	dec.Violation = re
	dec.Action = ActionFlag
	dec.Note = fmt.Sprintf("Flagged for review: %s.", re.Error())
	if cfg.WithDefaults().OnViolation == Revert || dec.From == DoNotContact || optOut {
		dec.Action = ActionRevert
		dec.Note = fmt.Sprintf("Reverted to %s: %s.", dec.From.DisplayName(), re.Error())
	}
	return dec
}
