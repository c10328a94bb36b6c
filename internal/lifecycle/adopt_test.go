package lifecycle

import (
	"errors"
	"testing"
)

func TestAdopt(t *testing.T) {
	t.Parallel()
	optedOut := complete()
	optedOut.DoNotContact = true
	noSales := complete()
	noSales.Opportunity = OpportunityData{}
	tests := []struct {
		name      string
		from, to  Status
		d         Data
		cfg       Config
		action    Action
		promotion bool
		note      string
	}{
		{"allowed", Researching, Contacted, complete(), Config{}, ActionAdopt, false,
			"Status change from Researching to Contacted adopted."},
		{"same status", Won, Won, Data{}, Config{}, ActionAdopt, false, "No status change."},
		{"skip flagged by default", NewLead, Won, complete(), Config{}, ActionFlag, false,
			"Flagged for review: cannot move from New Lead to Won: not an allowed transition; allowed: Researching, Do Not Contact."},
		{"skip reverted when configured", NewLead, Won, complete(), Config{OnViolation: Revert}, ActionRevert, false,
			"Reverted to New Lead: cannot move from New Lead to Won: not an allowed transition; allowed: Researching, Do Not Contact."},
		{"missing data flagged", Prospecting, Qualified, Data{}, Config{OnViolation: Flag}, ActionFlag, false,
			"Flagged for review: cannot move from Prospecting to Qualified: missing Confirmed Pain Points, Qualified Services, Decision Maker, Budget Range, Timeframe; Fit Score 0 is below the required 70."},
		{"promotion in HaloPSA adopted", Engaged, NewProspect, Data{}, Config{}, ActionAdopt, true,
			"Status change from Engaged to New Prospect adopted."},
		{"promotion without sales data", Qualified, NewOpportunity, noSales, Config{}, ActionFlag, true,
			"Flagged for review: cannot promote from Qualified to New Opportunity: missing Opportunity Value, Products/Services, Probability %, Expected Close Date."},
		{"leaving do not contact always reverted", DoNotContact, Engaged, complete(), Config{OnViolation: Flag}, ActionRevert, false,
			"Reverted to Do Not Contact: cannot move from Do Not Contact to Engaged: Do Not Contact is permanent; the person must never be contacted again; allowed: none."},
		{"opted-out person always reverted", Contacted, Engaged, optedOut, Config{}, ActionRevert, false,
			"Reverted to Contacted: cannot move from Contacted to Engaged: the person has opted out; the only allowed move is to Do Not Contact."},
		{"opted-out person to do not contact", Won, DoNotContact, optedOut, Config{}, ActionAdopt, false,
			"Status change from Won to Do Not Contact adopted."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dec, err := Adopt(tt.from, tt.to, tt.d, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if dec.Action != tt.action || dec.Promotion != tt.promotion || dec.Note != tt.note {
				t.Errorf("Adopt = %s promotion=%v %q\nwant %s promotion=%v %q", dec.Action, dec.Promotion, dec.Note, tt.action, tt.promotion, tt.note)
			}
			if dec.From != tt.from || dec.To != tt.to {
				t.Errorf("From/To = %s/%s", dec.From, dec.To)
			}
			if (dec.Action == ActionAdopt) != (dec.Violation == nil) {
				t.Errorf("Action %s with Violation %v", dec.Action, dec.Violation)
			}
		})
	}
}

func TestAdoptCannotJudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to Status
		cfg      Config
		target   any
	}{
		{"tenant status", Contacted, "Awaiting Reply", Config{}, new(*UnknownStatusError)},
		{"unknown from", "", Contacted, Config{}, new(*UnknownStatusError)},
		{"bad policy", Contacted, Engaged, Config{OnViolation: "ignore"}, new(*ConfigError)},
		{"bad threshold", Contacted, Engaged, Config{FitThreshold: 101}, new(*ConfigError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dec, err := Adopt(tt.from, tt.to, complete(), tt.cfg)
			if err == nil || !errors.As(err, tt.target) {
				t.Fatalf("Adopt = %+v, %v; want error of type %T", dec, err, tt.target)
			}
			if dec.Action != "" {
				t.Errorf("a decision came with the error: %+v", dec)
			}
		})
	}
}
