package lifecycle

import (
	"fmt"
	"strings"
)

// OnViolation says what happens to a status change made in HaloPSA that breaks the rules.
type OnViolation string

// The violation policies.
const (
	// Flag keeps the person's change and flags it on the ticket for review.
	Flag OnViolation = "flag"
	// Revert puts the ticket back to the status it had and notes why.
	Revert OnViolation = "revert"
)

// DefaultFitThreshold is the lowest fit score that qualifies a prospect.
const DefaultFitThreshold = 70

// Config holds the tunable lifecycle rules. The zero value means the defaults; WithDefaults
// fills them in and Validate checks a configuration once, at start-up.
type Config struct {
	// FitThreshold is the lowest fit score (1-100) that lets a prospect become Qualified.
	// Zero means DefaultFitThreshold.
	FitThreshold int `json:"fit_threshold,omitempty"`
	// OnViolation says what Adopt does with a rule-breaking change made in HaloPSA. Empty means
	// Flag: overriding a person's work is the stronger action and must be chosen. A change away
	// from Do Not Contact is always reverted.
	OnViolation OnViolation `json:"on_violation,omitempty"`
	// Outcomes maps call outcomes to status changes. Nil means DefaultOutcomes().
	Outcomes []OutcomeRule `json:"outcomes,omitempty"`
	// RequireWinLossReason makes Win/Loss Reason required to close an opportunity as Won or
	// Lost. The design doc marks it optional, so it is off by default.
	RequireWinLossReason bool `json:"require_win_loss_reason,omitempty"`
}

// DefaultConfig returns the configuration with every default filled in.
func DefaultConfig() Config { return Config{}.WithDefaults() }

// WithDefaults returns c with its zero fields replaced by the defaults.
func (c Config) WithDefaults() Config {
	if c.FitThreshold == 0 {
		c.FitThreshold = DefaultFitThreshold
	}
	if c.OnViolation == "" {
		c.OnViolation = Flag
	}
	if c.Outcomes == nil {
		c.Outcomes = DefaultOutcomes()
	}
	return c
}

// ConfigError reports an invalid lifecycle configuration setting.
type ConfigError struct {
	Setting string
	Problem string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("lifecycle config %s: %s", e.Setting, e.Problem)
}

// Validate checks c after applying the defaults and returns a *ConfigError for the first problem.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if c.FitThreshold < 1 || c.FitThreshold > 100 {
		return &ConfigError{"fit_threshold", fmt.Sprintf("%d is outside 1-100", c.FitThreshold)}
	}
	if c.OnViolation != Flag && c.OnViolation != Revert {
		return &ConfigError{"on_violation", fmt.Sprintf("%q is not %q or %q", c.OnViolation, Revert, Flag)}
	}
	return validateOutcomes(c.Outcomes)
}

// validateOutcomes checks that each rule names an outcome once and known statuses.
func validateOutcomes(rules []OutcomeRule) error {
	seen := make(map[string]bool, len(rules))
	for i, r := range rules {
		setting := fmt.Sprintf("outcomes[%d]", i)
		key := outcomeKey(r.Outcome)
		switch {
		case key == "":
			return &ConfigError{setting, "outcome is empty"}
		case seen[key]:
			return &ConfigError{setting, fmt.Sprintf("outcome %q is listed twice", key)}
		case r.To != "" && !r.To.Valid():
			return &ConfigError{setting, fmt.Sprintf("unknown status %q", r.To)}
		}
		for _, f := range r.From {
			if !f.Valid() {
				return &ConfigError{setting, fmt.Sprintf("unknown status %q in from", f)}
			}
		}
		seen[key] = true
	}
	return nil
}

// outcomeKey folds a call outcome to its lookup form: lower case, words joined by single spaces,
// hyphens and underscores read as spaces, and a trailing full stop dropped.
func outcomeKey(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '\t' || r == '\n' || r == '.'
	})
	return strings.Join(words, " ")
}
