package leadflow

import (
	"testing"
	"time"

	"haloleads/internal/lifecycle"
)

func TestTimeInStages(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	h := time.Hour
	tests := []struct {
		name   string
		stages []StageEntry
		now    time.Time
		want   map[lifecycle.Stage]time.Duration
	}{
		{"none recorded", nil, t0, map[lifecycle.Stage]time.Duration{}},
		{"still in its first stage", []StageEntry{{lifecycle.Lead, t0}}, t0.Add(5 * h),
			map[lifecycle.Stage]time.Duration{lifecycle.Lead: 5 * h}},
		{"promoted twice", []StageEntry{{lifecycle.Lead, t0}, {lifecycle.Prospect, t0.Add(2 * h)}, {lifecycle.Opportunity, t0.Add(7 * h)}},
			t0.Add(10 * h), map[lifecycle.Stage]time.Duration{lifecycle.Lead: 2 * h, lifecycle.Prospect: 5 * h, lifecycle.Opportunity: 3 * h}},
		{"back to Lead (Do Not Contact) adds up", []StageEntry{{lifecycle.Lead, t0}, {lifecycle.Prospect, t0.Add(h)}, {lifecycle.Lead, t0.Add(3 * h)}},
			t0.Add(4 * h), map[lifecycle.Stage]time.Duration{lifecycle.Lead: 2 * h, lifecycle.Prospect: 2 * h}},
		{"a clock behind the last entry counts zero", []StageEntry{{lifecycle.Lead, t0}}, t0.Add(-h),
			map[lifecycle.Stage]time.Duration{lifecycle.Lead: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := (&LeadState{Stages: tt.stages}).TimeInStages(tt.now)
			if len(got) != len(tt.want) {
				t.Fatalf("TimeInStages = %v, want %v", got, tt.want)
			}
			for s, d := range tt.want {
				if v, ok := got[s]; !ok || v != d {
					t.Errorf("%s: %v, want %v", s, got[s], d)
				}
			}
		})
	}
}
