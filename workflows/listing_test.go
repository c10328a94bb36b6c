package workflows_test

import (
	"errors"
	"testing"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"haloleads/internal/leadflow"
)

// TestNewLeadStartsListed checks that a lead started with the listing of its first offer
// (what the import starts a new lead with) upserts no search attribute and no memo when it
// answers that offer, and that one started without it publishes both (when it starts and
// when the offer changes them).
func TestNewLeadStartsListed(t *testing.T) {
	t.Parallel()
	suppressed := leadflow.Offer{RunID: "r1", Lead: dana(), Fit: 80, Suppressed: true}
	plain := leadflow.Offer{RunID: "r1", Lead: dana(), Fit: 80}
	cases := []struct {
		name        string
		offer       leadflow.Offer
		listed      bool
		wantUpserts int
	}{
		{"not listed", plain, false, 2}, // at the start, and for the offer (a minute later here)
		{"listed", plain, true, 0},
		{"listed, suppressed", suppressed, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lt := newLeadTest(t, newHalo(t))
			lt.env.OnUpsertTypedSearchAttributes("mock.Anything").Return(nil).Maybe()
			lt.env.OnUpsertMemo("mock.Anything").Return(nil).Maybe()
			in := leadflow.LeadInput{LeadID: c.offer.Lead.ID}
			if c.listed {
				l := leadflow.NewLeadListing(c.offer.Lead.ID, c.offer)
				in.Listed = &l
			}
			answer := lt.update(leadflow.UpdateOffer, c.offer)
			st := lt.query()
			if err := lt.run(in); !temporal.IsCanceledError(err) {
				t.Fatalf("workflow ended with %v, want cancellation", err)
			}
			mustDone(t, "offer", answer)
			if answer.err != nil {
				t.Fatalf("offer: %v", answer.err)
			}
			if c.listed && *in.Listed != leadflow.ListingOf(st) {
				t.Errorf("started listed as %+v, the lead's listing is %+v", *in.Listed, leadflow.ListingOf(st))
			}
			lt.env.AssertNumberOfCalls(t, "workflow.UpsertTypedSearchAttributes", c.wantUpserts)
			lt.env.AssertNumberOfCalls(t, "workflow.UpsertMemo", c.wantUpserts)
		})
	}
}

// TestContinuedRunKeepsListing checks that a run continues as new naming the listing it
// published, which the SDK carries over to the next run, so the next run upserts nothing.
func TestContinuedRunKeepsListing(t *testing.T) {
	t.Parallel()
	o := leadflow.Offer{RunID: "r1", Lead: dana(), Fit: 80}
	lt := newLeadTest(t, newHalo(t))
	lt.update(leadflow.UpdateOffer, o)
	err := lt.run(leadflow.LeadInput{LeadID: o.Lead.ID, Settings: leadflow.Settings{MaxEvents: 1}})
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want Continue-As-New after its one event", err)
	}
	var next leadflow.LeadInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatalf("decoding the carried input: %v", err)
	}
	if next.Listed == nil || *next.Listed != leadflow.ListingOf(next.State) {
		t.Fatalf("carried listing %+v, want the state's %+v", next.Listed, leadflow.ListingOf(next.State))
	}
	again := newLeadTest(t, newHalo(t))
	again.env.OnUpsertTypedSearchAttributes("mock.Anything").Return(nil).Maybe()
	again.env.OnUpsertMemo("mock.Anything").Return(nil).Maybe()
	again.query()
	if err := again.run(next); !temporal.IsCanceledError(err) {
		t.Fatalf("continued run ended with %v, want cancellation", err)
	}
	again.env.AssertNumberOfCalls(t, "workflow.UpsertTypedSearchAttributes", 0)
	again.env.AssertNumberOfCalls(t, "workflow.UpsertMemo", 0)
}
