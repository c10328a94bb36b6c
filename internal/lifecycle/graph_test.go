package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// complete is data that satisfies every status's requirements.
func complete() Data {
	return Data{
		Qualification: QualificationData{
			PainPoints: "Backups fail weekly", QualifiedServices: "Managed backup",
			DecisionMaker: "IT director", BudgetRange: "$2k-5k/month", Timeframe: "Q3", FitScore: 75,
		},
		Opportunity: OpportunityData{
			Value: 24000, ProductsServices: "Managed backup", Probability: 60,
			ExpectedClose: "2025-09-30", WinLossReason: "Price and references",
		},
	}
}

// wantEdges is the lifecycle graph written out independently of the implementation: every
// status transition CheckTransition must allow, and no other.
var wantEdges = map[[2]Status]bool{
	{NewLead, Researching}: true, {Researching, Contacted}: true, {Researching, InvalidData}: true,
	{Contacted, Engaged}: true, {Contacted, NoInterest}: true,
	{NewProspect, Prospecting}: true, {Prospecting, Qualified}: true, {Prospecting, Disqualified}: true,
	{NewOpportunity, Progressing}: true, {Progressing, Negotiation}: true,
	{Negotiation, Won}: true, {Negotiation, Lost}: true,
	// Do Not Contact is reachable from every other status, terminal ones included.
	{NewLead, DoNotContact}: true, {Researching, DoNotContact}: true, {Contacted, DoNotContact}: true,
	{Engaged, DoNotContact}: true, {NoInterest, DoNotContact}: true, {InvalidData, DoNotContact}: true,
	{NewProspect, DoNotContact}: true, {Prospecting, DoNotContact}: true, {Qualified, DoNotContact}: true,
	{Disqualified, DoNotContact}: true, {NewOpportunity, DoNotContact}: true,
	{Progressing, DoNotContact}: true, {Negotiation, DoNotContact}: true,
	{Won, DoNotContact}: true, {Lost, DoNotContact}: true,
}

func TestCheckTransitionEveryPair(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				t.Parallel()
				err := CheckTransition(from, to, complete(), cfg)
				if wantEdges[[2]Status{from, to}] {
					if err != nil {
						t.Fatalf("allowed transition refused: %v", err)
					}
					return
				}
				var re *RuleError
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want *RuleError", err)
				}
				if re.From != from || re.To != to || re.Reason == "" || re.Promotion {
					t.Errorf("RuleError = %+v", re)
				}
				prefix := fmt.Sprintf("cannot move from %s to %s: ", from.DisplayName(), to.DisplayName())
				if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), "; allowed: ") {
					t.Errorf("message %q, want prefix %q and the allowed list", err, prefix)
				}
			})
		}
	}
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from Status
		want []Status
	}{
		{NewLead, []Status{Researching, DoNotContact}},
		{Researching, []Status{Contacted, InvalidData, DoNotContact}},
		{Contacted, []Status{Engaged, NoInterest, DoNotContact}},
		{Engaged, []Status{DoNotContact}},
		{NoInterest, []Status{DoNotContact}},
		{DoNotContact, nil},
		{InvalidData, []Status{DoNotContact}},
		{NewProspect, []Status{Prospecting, DoNotContact}},
		{Prospecting, []Status{Qualified, Disqualified, DoNotContact}},
		{Qualified, []Status{DoNotContact}},
		{Disqualified, []Status{DoNotContact}},
		{NewOpportunity, []Status{Progressing, DoNotContact}},
		{Progressing, []Status{Negotiation, DoNotContact}},
		{Negotiation, []Status{Won, Lost, DoNotContact}},
		{Won, []Status{DoNotContact}},
		{Lost, []Status{DoNotContact}},
		{"closed", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.from), func(t *testing.T) {
			t.Parallel()
			got := Allowed(tt.from)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Allowed(%s) = %v, want %v", tt.from, got, tt.want)
			}
			for _, to := range got {
				if !wantEdges[[2]Status{tt.from, to}] {
					t.Errorf("Allowed(%s) lists %s, which is not an edge", tt.from, to)
				}
			}
		})
	}
}

func TestAllowedReturnsACopy(t *testing.T) {
	t.Parallel()
	a := Allowed(Researching)
	a[0] = Won
	if got := Allowed(Researching); got[0] != Contacted {
		t.Fatalf("changing Allowed's result changed the graph: %v", got)
	}
}

func TestTransitionMessages(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			err := CheckTransition(from, to, Data{}, DefaultConfig())
			if err == nil {
				fmt.Fprintf(&b, "%-15s -> %-15s ok\n", from, to)
				continue
			}
			fmt.Fprintf(&b, "%-15s -> %-15s %v\n", from, to, err)
		}
	}
	golden(t, "transitions.golden", b.String())
}

func TestCheckTransitionMessage(t *testing.T) {
	t.Parallel()
	err := CheckTransition(NewLead, Won, Data{}, Config{})
	want := "cannot move from New Lead to Won: not an allowed transition; allowed: Researching, Do Not Contact"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

func TestRequiredFields(t *testing.T) {
	t.Parallel()
	edit := func(f func(*Data)) Data {
		d := complete()
		f(&d)
		return d
	}
	tests := []struct {
		name     string
		from, to Status
		d        Data
		cfg      Config
		missing  []string
		reason   string
	}{
		{"qualified complete", Prospecting, Qualified, complete(), Config{}, nil, ""},
		{"qualified nothing", Prospecting, Qualified, Data{}, Config{},
			[]string{"Confirmed Pain Points", "Qualified Services", "Decision Maker", "Budget Range", "Timeframe", "Fit Score"},
			"missing Confirmed Pain Points, Qualified Services, Decision Maker, Budget Range, Timeframe; Fit Score 0 is below the required 70"},
		{"qualified blank budget", Prospecting, Qualified, edit(func(d *Data) { d.Qualification.BudgetRange = "  " }), Config{},
			[]string{"Budget Range"}, "missing Budget Range"},
		{"fit 70 at default", Prospecting, Qualified, edit(func(d *Data) { d.Qualification.FitScore = 70 }), Config{}, nil, ""},
		{"fit 69 at default", Prospecting, Qualified, edit(func(d *Data) { d.Qualification.FitScore = 69 }), Config{},
			[]string{"Fit Score"}, "Fit Score 69 is below the required 70"},
		{"fit 75 at 80", Prospecting, Qualified, complete(), Config{FitThreshold: 80},
			[]string{"Fit Score"}, "Fit Score 75 is below the required 80"},
		{"fit 60 at 60", Prospecting, Qualified, edit(func(d *Data) { d.Qualification.FitScore = 60 }), Config{FitThreshold: 60}, nil, ""},
		{"disqualified needs nothing", Prospecting, Disqualified, Data{}, Config{}, nil, ""},
		{"opportunity complete", NewOpportunity, Progressing, complete(), Config{}, nil, ""},
		{"opportunity nothing", NewOpportunity, Progressing, Data{}, Config{},
			[]string{"Opportunity Value", "Products/Services", "Probability %", "Expected Close Date"},
			"missing Opportunity Value, Products/Services, Probability %, Expected Close Date"},
		{"negative value", NewOpportunity, Progressing, edit(func(d *Data) { d.Opportunity.Value = -1 }), Config{},
			[]string{"Opportunity Value"}, "missing Opportunity Value"},
		{"probability 1", NewOpportunity, Progressing, edit(func(d *Data) { d.Opportunity.Probability = 1 }), Config{}, nil, ""},
		{"probability 100", NewOpportunity, Progressing, edit(func(d *Data) { d.Opportunity.Probability = 100 }), Config{}, nil, ""},
		{"probability 101", NewOpportunity, Progressing, edit(func(d *Data) { d.Opportunity.Probability = 101 }), Config{},
			[]string{"Probability %"}, "Probability 101% is outside 0-100"},
		{"probability -1", Progressing, Negotiation, edit(func(d *Data) { d.Opportunity.Probability = -1 }), Config{},
			[]string{"Probability %"}, "Probability -1% is outside 0-100"},
		{"impossible date", NewOpportunity, Progressing, edit(func(d *Data) { d.Opportunity.ExpectedClose = "2025-02-30" }), Config{},
			[]string{"Expected Close Date"}, `Expected Close Date "2025-02-30" is not a date (YYYY-MM-DD)`},
		{"US date", NewOpportunity, Progressing, edit(func(d *Data) { d.Opportunity.ExpectedClose = "09/30/2025" }), Config{},
			[]string{"Expected Close Date"}, `Expected Close Date "09/30/2025" is not a date (YYYY-MM-DD)`},
		{"missing and failing", NewOpportunity, Progressing, edit(func(d *Data) {
			d.Opportunity.Probability = 120
			d.Opportunity.ProductsServices = ""
		}), Config{}, []string{"Products/Services", "Probability %"}, "missing Products/Services; Probability 120% is outside 0-100"},
		{"won without reason (optional in the doc)", Negotiation, Won, edit(func(d *Data) { d.Opportunity.WinLossReason = "" }), Config{},
			nil, ""},
		{"won needs reason when required", Negotiation, Won, edit(func(d *Data) { d.Opportunity.WinLossReason = "" }),
			Config{RequireWinLossReason: true}, []string{"Win/Loss Reason"}, "missing Win/Loss Reason"},
		{"lost needs reason when required", Negotiation, Lost, edit(func(d *Data) { d.Opportunity.WinLossReason = "" }),
			Config{RequireWinLossReason: true}, []string{"Win/Loss Reason"}, "missing Win/Loss Reason"},
		{"probability 0 is not given", NewOpportunity, Progressing, edit(func(d *Data) { d.Opportunity.Probability = 0 }), Config{},
			[]string{"Probability %"}, "missing Probability %"},
		{"lost at 0%", Negotiation, Lost, edit(func(d *Data) { d.Opportunity.Probability = 0 }), Config{}, nil, ""},
		{"lost needs opportunity data too", Negotiation, Lost, Data{}, Config{},
			[]string{"Opportunity Value", "Products/Services", "Expected Close Date"},
			"missing Opportunity Value, Products/Services, Expected Close Date"},
		{"do not contact needs nothing", Negotiation, DoNotContact, Data{}, Config{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckTransition(tt.from, tt.to, tt.d, tt.cfg)
			if tt.missing == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *RuleError", err)
			}
			if !slices.Equal(re.Missing, tt.missing) || re.Reason != tt.reason {
				t.Errorf("Missing = %q, Reason = %q\nwant %q, %q", re.Missing, re.Reason, tt.missing, tt.reason)
			}
		})
	}
}

func TestDoNotContactIsHonouredEverywhere(t *testing.T) {
	t.Parallel()
	optedOut := complete()
	optedOut.DoNotContact = true
	for _, s := range Statuses() {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			if s != DoNotContact {
				if err := CheckTransition(s, DoNotContact, Data{}, Config{}); err != nil {
					t.Errorf("moving to Do Not Contact refused: %v", err)
				}
				if err := CheckTransition(DoNotContact, s, complete(), Config{}); err == nil {
					t.Errorf("left Do Not Contact for %s", s)
				}
			}
			for _, to := range Allowed(s) {
				err := CheckTransition(s, to, optedOut, Config{})
				if to == DoNotContact && err != nil {
					t.Errorf("opted-out person refused Do Not Contact: %v", err)
				}
				if to != DoNotContact && (err == nil || !strings.Contains(err.Error(), "opted out")) {
					t.Errorf("opted-out person moved to %s: %v", to, err)
				}
			}
			if to, err := CheckPromote(s, optedOut, Config{}); err == nil {
				t.Errorf("opted-out person promoted to %s", to)
			}
		})
	}
}

func TestCheckPromote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		from    Status
		d       Data
		want    Status
		message string
		missing []string
	}{
		{"engaged converts", Engaged, Data{}, NewProspect, "", nil},
		{"qualified promotes", Qualified, complete(), NewOpportunity, "", nil},
		{"qualified without sales data", Qualified, Data{Qualification: complete().Qualification}, "",
			"cannot promote from Qualified to New Opportunity: missing Opportunity Value, Products/Services, Probability %, Expected Close Date",
			[]string{"Opportunity Value", "Products/Services", "Probability %", "Expected Close Date"}},
		{"contacted cannot", Contacted, complete(), "",
			"cannot promote Contacted: only Engaged leads convert to prospects and only Qualified prospects are promoted to opportunities", nil},
		{"prospecting cannot", Prospecting, complete(), "",
			"cannot promote Prospecting: only Engaged leads convert to prospects and only Qualified prospects are promoted to opportunities", nil},
		{"won cannot", Won, complete(), "",
			"cannot promote Won: only Engaged leads convert to prospects and only Qualified prospects are promoted to opportunities", nil},
		{"opted out", Engaged, Data{DoNotContact: true}, "",
			"cannot promote from Engaged to New Prospect: the person has opted out; the only allowed move is to Do Not Contact", nil},
		{"unknown", "closed", complete(), "", `cannot promote "closed": "closed" is not a lifecycle status`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CheckPromote(tt.from, tt.d, Config{})
			if tt.message == "" {
				if err != nil || got != tt.want {
					t.Fatalf("CheckPromote = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) || !re.Promotion || got != "" {
				t.Fatalf("CheckPromote = %q, %v; want a promotion *RuleError", got, err)
			}
			if err.Error() != tt.message || !slices.Equal(re.Missing, tt.missing) {
				t.Errorf("error %q, Missing %q\nwant %q, %q", err, re.Missing, tt.message, tt.missing)
			}
		})
	}
}

func TestPromotionIsNotATransition(t *testing.T) {
	t.Parallel()
	err := CheckTransition(Engaged, NewProspect, complete(), Config{})
	want := "cannot move from Engaged to New Prospect: this is a promotion (Convert to Prospect), not a status change; allowed: Do Not Contact"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

func TestCheckTransitionUnknownStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ from, to Status }{{"closed", NewLead}, {NewLead, "closed"}, {"", NewLead}} {
		err := CheckTransition(tt.from, tt.to, complete(), Config{})
		var re *RuleError
		if !errors.As(err, &re) || !strings.Contains(re.Reason, "is not a lifecycle status") {
			t.Errorf("CheckTransition(%q, %q) = %v, want unknown-status *RuleError", tt.from, tt.to, err)
		}
	}
}

func ExampleCheckTransition() {
	err := CheckTransition(NewLead, Won, Data{}, DefaultConfig())
	fmt.Println(err)
	err = CheckTransition(Prospecting, Qualified, Data{Qualification: QualificationData{
		PainPoints: "Slow helpdesk", QualifiedServices: "Managed service desk",
		DecisionMaker: "COO", Timeframe: "Next quarter", FitScore: 64,
	}}, DefaultConfig())
	fmt.Println(err)
	// Output:
	// cannot move from New Lead to Won: not an allowed transition; allowed: Researching, Do Not Contact
	// cannot move from Prospecting to Qualified: missing Budget Range; Fit Score 64 is below the required 70
}

func BenchmarkCheckTransition(b *testing.B) {
	all, d, cfg := Statuses(), complete(), DefaultConfig()
	n := 0
	for b.Loop() {
		for _, from := range all {
			for _, to := range all {
				_ = CheckTransition(from, to, d, cfg)
				n++
			}
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "checks/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/check")
}
