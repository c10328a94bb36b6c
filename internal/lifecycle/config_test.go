package lifecycle

import (
	"errors"
	"testing"
)

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	if c.FitThreshold != 70 || c.OnViolation != Flag || len(c.Outcomes) != len(DefaultOutcomes()) {
		t.Errorf("DefaultConfig() = %+v", c)
	}
	kept := Config{FitThreshold: 80, OnViolation: Revert, Outcomes: []OutcomeRule{}}.WithDefaults()
	if kept.FitThreshold != 80 || kept.OnViolation != Revert || len(kept.Outcomes) != 0 {
		t.Errorf("WithDefaults replaced set values: %+v", kept)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		setting string
	}{
		{"zero", Config{}, ""},
		{"revert", Config{OnViolation: Revert, FitThreshold: 100}, ""},
		{"threshold too high", Config{FitThreshold: 101}, "fit_threshold"},
		{"threshold negative", Config{FitThreshold: -1}, "fit_threshold"},
		{"policy", Config{OnViolation: "REVERT"}, "on_violation"},
		{"empty outcome", Config{Outcomes: []OutcomeRule{{Outcome: " - "}}}, "outcomes[0]"},
		{"duplicate outcome", Config{Outcomes: []OutcomeRule{{Outcome: "No answer"}, {Outcome: "no-answer"}}}, "outcomes[1]"},
		{"unknown target", Config{Outcomes: []OutcomeRule{{Outcome: "x", To: "closed"}}}, "outcomes[0]"},
		{"unknown from", Config{Outcomes: []OutcomeRule{{Outcome: "x", To: Engaged, From: []Status{"open"}}}}, "outcomes[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if tt.setting == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Setting != tt.setting {
				t.Fatalf("Validate() = %v, want *ConfigError for %s", err, tt.setting)
			}
		})
	}
}
