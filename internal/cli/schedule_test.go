package cli

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
)

// TestPullScheduleOptions: a missed pull is caught up only within min(interval, 1 h), runs do
// not overlap, and a failed pull pauses the schedule.
func TestPullScheduleOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		every, catchup time.Duration
	}{
		{10 * time.Minute, 10 * time.Minute},
		{time.Hour, time.Hour},
		{24 * time.Hour, time.Hour},
	}
	for _, tt := range tests {
		o := pullSchedule("pull-apollo", tt.every, leadflow.PullInput{Source: lead.Apollo, Query: "title=IT"})
		if o.CatchupWindow != tt.catchup {
			t.Errorf("every %s: catch-up window %s, want %s", tt.every, o.CatchupWindow, tt.catchup)
		}
		if !o.PauseOnFailure || o.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP {
			t.Errorf("every %s: pause on failure %v, overlap %s; want true, skip", tt.every, o.PauseOnFailure, o.Overlap)
		}
	}
}
