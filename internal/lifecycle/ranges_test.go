package lifecycle

import (
	"math"
	"reflect"
	"testing"
)

func TestDataRangeProblems(t *testing.T) {
	t.Parallel()
	q := func(fit int) Data { return Data{Qualification: QualificationData{FitScore: fit}} }
	o := func(value float64, prob int) Data {
		return Data{Opportunity: OpportunityData{Value: value, Probability: prob}}
	}
	tests := []struct {
		name string
		d    Data
		want []string
	}{
		{"nothing given", Data{}, nil},
		{"fit at the bounds", q(100), nil},
		{"fit over 100", q(150), []string{"Fit Score 150 is outside 0-100"}},
		{"fit negative", q(-1), []string{"Fit Score -1 is outside 0-100"}},
		{"probability and value in range", o(24000, 60), nil},
		{"probability over 100", o(1, 101), []string{"Probability % 101 is outside 0-100"}},
		{"value negative", o(-5, 50), []string{"Opportunity Value -5 is outside 0-1000000000000"}},
		{"value NaN", o(math.NaN(), 50), []string{"Opportunity Value NaN is outside 0-1000000000000"}},
		{"value infinite, probability negative", o(math.Inf(1), -3), []string{"Probability % -3 is outside 0-100", "Opportunity Value +Inf is outside 0-1000000000000"}},
	}
	for _, tt := range tests {
		if got := tt.d.RangeProblems(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: RangeProblems = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCallRangeProblems(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		seconds int
		bad     bool
	}{{0, false}, {300, false}, {86400, false}, {86401, true}, {-1, true}, {1 << 40, true}} {
		if got := (Call{DurationSeconds: tt.seconds}).RangeProblems(); (len(got) > 0) != tt.bad {
			t.Errorf("duration %d: RangeProblems = %q, want a problem: %v", tt.seconds, got, tt.bad)
		}
	}
}

// FuzzDataRanges checks that RangeProblems refuses exactly the values outside their ranges.
func FuzzDataRanges(f *testing.F) {
	f.Add(50, 60, 24000.0)
	f.Add(-1, 101, math.NaN())
	f.Fuzz(func(t *testing.T, fit, prob int, value float64) {
		d := Data{Qualification: QualificationData{FitScore: fit}, Opportunity: OpportunityData{Probability: prob, Value: value}}
		ok := fit >= 0 && fit <= 100 && prob >= 0 && prob <= 100 && value >= 0 && value <= MaxOpportunityValue
		if got := d.RangeProblems(); (len(got) == 0) != ok {
			t.Errorf("fit %d, probability %d, value %v: RangeProblems = %q", fit, prob, value, got)
		}
	})
}
