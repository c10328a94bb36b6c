package lifecycle

import (
	"fmt"
	"math"
	"time"
)

// Numeric ranges of what a person gives: the design doc's Fit Score (0-100), Probability %
// (0-100), Opportunity Value (a currency amount) and a call's duration. A value outside its
// range is refused before anything is sent to HaloPSA, with one sentence per value.
const (
	// MaxOpportunityValue bounds an opportunity's value (in the tenant's currency): a trillion,
	// beyond any deal and within what HaloPSA's decimal oppvalue holds.
	MaxOpportunityValue = 1e12
	// MaxCallDuration bounds a call's duration.
	MaxCallDuration = 24 * time.Hour
)

// RangeProblems lists the values of d outside their range, one sentence each ("Fit Score 150
// is outside 0-100"); none when every value is in range (0 counts as not given).
func (d Data) RangeProblems() []string {
	var out []string
	percent := func(label string, n int) {
		if n < 0 || n > 100 {
			out = append(out, fmt.Sprintf("%s %d is outside 0-100", label, n))
		}
	}
	percent("Fit Score", d.Qualification.FitScore)
	percent("Probability %", d.Opportunity.Probability)
	if v := d.Opportunity.Value; math.IsNaN(v) || v < 0 || v > MaxOpportunityValue {
		out = append(out, fmt.Sprintf("Opportunity Value %v is outside 0-%.0f", v, MaxOpportunityValue))
	}
	return out
}

// RangeProblems lists the values of c outside their range: a duration from 0 to 24 hours.
func (c Call) RangeProblems() []string {
	if d := time.Duration(c.DurationSeconds) * time.Second; c.DurationSeconds < 0 || c.DurationSeconds > int(MaxCallDuration/time.Second) {
		return []string{fmt.Sprintf("duration %d s (%v) is outside 0-%d s", c.DurationSeconds, d, int(MaxCallDuration/time.Second))}
	}
	return nil
}
