package dryrun

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	offer := leadflow.Offer{Lead: lead.Lead{ID: "lead-1", Sources: []lead.Source{lead.Apollo, lead.Lusha},
		Values: lead.Values{lead.FirstName: "Dana", lead.LastName: "Okafor", lead.JobTitle: "CTO", lead.PhoneMobile: "+15125550199"},
		Prov:   map[lead.Field]lead.Provenance{lead.PhoneMobile: {Source: lead.Lusha}}}}
	landed := &leadflow.LeadState{LeadID: "lead-1", Status: lifecycle.NewLead,
		Written: lead.Values{lead.FirstName: "Dana", lead.LastName: "Okafor", lead.JobTitle: "CRO", lead.PhoneMobile: "+15125550144"}}
	tests := []struct {
		name      string
		st        *leadflow.LeadState
		plan      leadflow.Plan
		wantOld   string
		wantKept  int
		wantFrom  lifecycle.Status
		wantField lead.Field
	}{
		{
			name: "create: every value is new", st: &leadflow.LeadState{LeadID: "lead-1"},
			plan:    leadflow.Plan{LeadID: "lead-1", Action: leadflow.ActionCreate, Status: lifecycle.NewLead, Write: lead.Values{lead.PhoneMobile: "+15125550199"}},
			wantOld: "", wantField: lead.PhoneMobile,
		},
		{
			name: "update: old value from what HaloPSA holds, kept field with both values", st: landed,
			plan: leadflow.Plan{LeadID: "lead-1", Action: leadflow.ActionUpdate, Status: lifecycle.NewLead,
				Write:     lead.Values{lead.PhoneMobile: "+15125550199"},
				Preserved: []lifecycle.Preserved{{Field: lead.JobTitle, Reason: lifecycle.ReasonPinned}}},
			wantOld: "+15125550144", wantKept: 1, wantFrom: lifecycle.NewLead, wantField: lead.PhoneMobile,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Diff(tt.st, offer, tt.plan)
			if c.Name != "Dana Okafor" || c.From != tt.wantFrom || len(c.Kept) != tt.wantKept || len(c.Sources) != 2 {
				t.Fatalf("Diff = %+v", c)
			}
			if len(c.Fields) != 1 || c.Fields[0].Field != tt.wantField || c.Fields[0].Old != tt.wantOld ||
				c.Fields[0].New != "+15125550199" || c.Fields[0].Source != lead.Lusha {
				t.Fatalf("Diff fields = %+v", c.Fields)
			}
			if tt.wantKept > 0 && (c.Kept[0].Halo != "CRO" || c.Kept[0].Offered != "CTO") {
				t.Fatalf("Diff kept = %+v", c.Kept)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ n, limit, want int }{
		{0, 300, 0}, {1, 300, 1}, {300, 300, 1}, {301, 300, 2}, {10, 0, 0},
	} {
		if got := Windows(tt.n, tt.limit); got != tt.want {
			t.Errorf("Windows(%d, %d) = %d, want %d", tt.n, tt.limit, got, tt.want)
		}
	}
}

func TestGatherAndText(t *testing.T) {
	t.Parallel()
	batches := []Batch{
		{Batch: 1, Cost: Cost{Writes: 2, Reads: 1}, Changes: []Change{
			{LeadID: "lead-b", Name: "Bo", Action: leadflow.ActionNone, Status: lifecycle.Contacted, From: lifecycle.Contacted,
				Kept: []Kept{{Field: lead.JobTitle, Halo: "CRO", Offered: "CTO", Reason: lifecycle.ReasonEdited}}},
			{LeadID: "lead-c", Name: "Cy", Action: leadflow.ActionNone},
		}},
		{Batch: 0, Cost: Cost{Writes: 5, Reads: 6}, Changes: []Change{
			{LeadID: "lead-a", Name: "Al", Action: leadflow.ActionCreate, Status: lifecycle.DoNotContact, DoNotContact: true,
				Fields: []FieldChange{{Field: lead.Email, New: "al@x.example"}}},
			{LeadID: "lead-d", Name: "Di", Action: leadflow.ActionUpdate, Status: lifecycle.Contacted, From: lifecycle.NewLead,
				Fields: []FieldChange{{Field: lead.PhoneMobile, Old: "+1", New: "+2"}}},
		}},
	}
	r := Gather(batches, 290, Budget{Limit: 300, Window: 5 * time.Minute})
	if len(r.Creates) != 1 || len(r.Updates) != 1 || len(r.Unchanged) != 2 || r.DoNotContact != 1 {
		t.Fatalf("Gather = %+v", r)
	}
	if r.Cost != (Cost{Writes: 7, Reads: 7}) || r.Windows != 2 {
		t.Fatalf("cost %+v, windows %d; want 7+7 and 2 windows (290 + 14 requests at 300)", r.Cost, r.Windows)
	}
	var buf bytes.Buffer
	r.WriteText(&buf)
	for _, want := range []string{
		"Would create 1 leads:\n  + lead-a  Al (Do Not Contact, 1 fields) [Do Not Contact]\n",
		"  ~ lead-d  Di\n      status: New Lead → Contacted\n      phone_mobile: \"+1\" → \"+2\"\n",
		"Unchanged 2 leads (1 keep values a person changed):\n  = lead-b  Bo\n      job_title: kept \"CRO\" (offered \"CTO\"): changed in HaloPSA",
		"Would cost 7 HaloPSA writes and at least 7 reads to land: with planning's 290 requests, 2 rate-limit window(s) of 300 requests per 5m0s.",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
}
