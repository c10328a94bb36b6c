package workflows_test

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

// TestLandedStateIsTheOffersAndSignals checks that a new lead's workflow started with
// leadflow.LandedState (what an import that lands the lead itself starts it with) holds the
// same state as one that answered the offer (update-with-start) and then the Landed signal, and
// that leadflow.PlanNewLead is the plan the workflow answers: the import's landed start
// (activities/landedstart.go) changes the cost of a new lead, not what the lead becomes.
func TestLandedStateIsTheOffersAndSignals(t *testing.T) {
	t.Parallel()
	created := leadflow.HaloIDs{ClientID: 11, SiteID: 12, UserID: 13, TicketID: 14}
	matched := leadflow.HaloIDs{ClientID: 21, SiteID: 22, UserID: 23, TicketID: 24}
	edited := maps.Clone(dana().Values)
	edited[lead.JobTitle] = "Head of Growth" // a person's edit in HaloPSA: pinned
	cases := []struct {
		name    string
		offer   leadflow.Offer
		halo    leadflow.HaloIDs // what the batch holds after writing
		refused bool
	}{
		{"created", leadflow.Offer{Lead: dana(), Fit: 80}, created, false},
		{"suppressed", leadflow.Offer{Lead: dana(), Fit: 80, Suppressed: true}, created, false},
		{"invalid data", leadflow.Offer{Lead: dana(), Fit: 30, Invalid: "no e-mail address or phone"}, created, false},
		{"matched in HaloPSA, edited", leadflow.Offer{Lead: dana(), Fit: 80, Halo: matched, Current: edited}, matched, false},
		{"matched in HaloPSA, unchanged", leadflow.Offer{Lead: dana(), Fit: 80, Halo: matched, Current: dana().Values}, matched, false},
		{"refused after its user", leadflow.Offer{Lead: dana(), Fit: 80}, leadflow.HaloIDs{ClientID: 11, SiteID: 12, UserID: 13}, true},
		{"refused outright", leadflow.Offer{Lead: dana(), Fit: 80}, leadflow.HaloIDs{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := c.offer
			o.RunID, o.Batch = "run-1", 3
			id := o.Lead.ID

			// Today's path: the offer, then the Landed signal.
			offered := newLeadTest(t, newHalo(t))
			answer := offered.update(leadflow.UpdateOffer, o)
			var landed *leadflow.Landed
			offered.step(func() {
				var p leadflow.Plan
				if err := json.Unmarshal(answer.value, &p); err != nil || p.Action == leadflow.ActionNone {
					return
				}
				l := leadflow.LandedOf(o.RunID, o.Batch, p, leadflow.MergeIDs(c.halo, p.Halo), c.refused)
				landed = &l
				offered.env.SignalWorkflow(leadflow.SignalLanded, l)
			})
			want := offered.query()
			if err := offered.run(leadflow.LeadInput{LeadID: id}); !temporal.IsCanceledError(err) {
				t.Fatalf("offered workflow ended with %v, want cancellation", err)
			}
			mustDone(t, "offer", answer)
			var wantPlan leadflow.Plan
			if err := json.Unmarshal(answer.value, &wantPlan); err != nil || answer.err != nil {
				t.Fatalf("offer: %v %v", answer.err, err)
			}

			// The landed start.
			plan := leadflow.PlanNewLead(id, o)
			if g, w := asJSON(t, plan), asJSON(t, wantPlan); g != w {
				t.Fatalf("PlanNewLead:\n%s\nthe workflow planned:\n%s", g, w)
			}
			if (landed == nil) != (plan.Action == leadflow.ActionNone) {
				t.Fatalf("plan %s, landed %v", plan.Action, landed)
			}
			st := leadflow.LandedState(id, o, plan, landed, time.Time{})
			started := newLeadTest(t, newHalo(t))
			got := started.query()
			listed := leadflow.ListingOf(&st)
			if err := started.run(leadflow.LeadInput{LeadID: id, State: &st, Listed: &listed}); !temporal.IsCanceledError(err) {
				t.Fatalf("started workflow ended with %v, want cancellation", err)
			}
			if g, w := asJSON(t, stagesOnly(*got)), asJSON(t, stagesOnly(*want)); g != w {
				t.Errorf("started landed:\n%s\noffered and signalled:\n%s", g, w)
			}
			if want.Status != lifecycle.NewLead && c.refused {
				t.Errorf("a refused lead is %s", want.Status)
			}
		})
	}
}

// stagesOnly drops the times of the stages entered (workflow time differs between the runs).
func stagesOnly(st leadflow.LeadState) leadflow.LeadState {
	for i := range st.Stages {
		st.Stages[i].Entered = time.Time{}
	}
	return st
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
