package workflows_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"haloleads/activities"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

// TestLeadEndsAfterQuietPeriod: a lead at a status that ends keeps running while it is touched,
// and ends once it has been untouched for its quiet period, its input (state and settings)
// kept in the store. Leads at other statuses, or with no quiet period, never end.
func TestLeadEndsAfterQuietPeriod(t *testing.T) {
	t.Parallel()
	const quiet = 10 * 24 * time.Hour
	for _, tc := range []struct {
		name   string
		status lifecycle.Status
		quiet  time.Duration
		ends   bool
	}{
		{"won ends", lifecycle.Won, quiet, true},
		{"do not contact ends", lifecycle.DoNotContact, quiet, true},
		{"lost ends", lifecycle.Lost, quiet, true},
		{"contacted runs on", lifecycle.Contacted, quiet, false},
		{"no quiet period runs on", lifecycle.Won, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHalo(t)
			lt := newLeadTest(t, h)
			lt.env.RegisterActivity(&activities.Ended{Store: h.store})
			landed := h.seedLead(t, dana(), 80)
			in := at(landed, tc.status, lifecycle.Data{}, leadflow.Settings{QuietPeriod: tc.quiet})
			var touched time.Time
			// A change seen in HaloPSA a day in starts the quiet period again.
			lt.env.RegisterDelayedCallback(func() {
				touched = lt.env.Now()
				lt.env.SignalWorkflow(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "ev-1", TicketID: landed.Halo.TicketID})
			}, 24*time.Hour)
			if !tc.ends {
				lt.env.RegisterDelayedCallback(lt.env.CancelWorkflow, 3*quiet)
			}
			lt.env.ExecuteWorkflow(leadflow.LeadWorkflow, in)
			err := lt.env.GetWorkflowError()
			kept, ok, kerr := h.store.EndedLead(context.Background(), in.LeadID)
			if kerr != nil {
				t.Fatal(kerr)
			}
			if !tc.ends {
				if err == nil || ok {
					t.Fatalf("lead ended (error %v, state kept %v), want it running until cancelled", err, ok)
				}
				return
			}
			if err != nil || !ok {
				t.Fatalf("workflow ended with %v, state kept %v; want a quiet end with the state kept", err, ok)
			}
			if idle := lt.env.Now().Sub(touched); idle < quiet {
				t.Errorf("ended %v after the last change, before its quiet period %v", idle, quiet)
			}
			var got leadflow.LeadInput
			if err := json.Unmarshal(kept, &got); err != nil {
				t.Fatal(err)
			}
			if got.State == nil || got.State.Status != tc.status || got.State.Halo != landed.Halo || got.Settings.QuietPeriod != quiet ||
				len(got.State.SeenEvents) != 1 {
				t.Errorf("kept input %+v, want the lead's state at %s with its settings and the change it saw", got, tc.status)
			}
		})
	}
}
