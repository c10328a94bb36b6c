package leadflow

import (
	"slices"
	"testing"

	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
)

func offer(v lead.Values) Offer {
	return Offer{RunID: "r", Lead: lead.Lead{ID: "lead-1", Values: v, Quality: 70}, Fit: 65, Current: lead.Values{}}
}

func landedState(written lead.Values, status lifecycle.Status) *LeadState {
	st := &LeadState{LeadID: "lead-1", Stage: status.StageOf(), Status: status, Written: written, Fit: 65, Quality: 70,
		Halo: HaloIDs{ClientID: 1, SiteID: 2, UserID: 3, TicketID: 4}}
	p := PlanOffer(&LeadState{LeadID: "lead-1", Status: lifecycle.NewLead}, offer(written))
	st.Segments, st.Lists = p.Segments, p.Lists
	return st
}

// TestPlanOfferPersonFit checks a person's fit score outranks the computed one: it sets the
// temperature and the Fit Score written, on create and on update.
func TestPlanOfferPersonFit(t *testing.T) {
	t.Parallel()
	base := lead.Values{lead.FirstName: "Ada", lead.LastName: "Lovelace", lead.Email: "ada@example.com", lead.Company: "Example Ltd"}
	o := offer(base) // computed fit 65: warm
	if p := PlanOffer(&LeadState{LeadID: "lead-1", Status: lifecycle.NewLead}, o); !slices.Contains(p.Segments, lifecycle.SegmentWarm) || p.Fit != 65 {
		t.Fatalf("computed fit: segments %v, fit %d", p.Segments, p.Fit)
	}
	st := landedState(base, lifecycle.Qualified)
	o.PersonFit = 85
	p := PlanOffer(st, o)
	if !slices.Contains(p.Segments, lifecycle.SegmentHot) || !slices.Contains(p.Lists, lifecycle.ListHot) || p.Fit != 85 {
		t.Errorf("person's fit 85: segments %v, lists %v, fit %d; want hot and 85", p.Segments, p.Lists, p.Fit)
	}
	if p.Action != ActionUpdate || !slices.Contains(p.Unlist, lifecycle.ListWarm) {
		t.Errorf("moving from warm to hot: action %s, unlist %v", p.Action, p.Unlist)
	}
}

func TestPlanOffer(t *testing.T) {
	t.Parallel()
	base := lead.Values{lead.FirstName: "Ada", lead.LastName: "Lovelace", lead.Email: "ada@example.com",
		lead.Company: "Example Ltd", lead.JobTitle: "CTO", lead.Industry: "Software"}
	with := func(f lead.Field, v string) lead.Values {
		out := Overlay(base, nil)
		out[f] = v
		return out
	}
	tests := []struct {
		name       string
		st         *LeadState
		o          Offer
		action     Action
		status     lifecycle.Status
		changed    bool
		writes     []lead.Field
		preserved  []lead.Field
		wantNote   bool
		wantOptOut bool
	}{
		{name: "new lead is created", st: &LeadState{LeadID: "lead-1", Status: lifecycle.NewLead}, o: offer(base),
			action: ActionCreate, status: lifecycle.NewLead, changed: true, writes: base.SortedFields()},
		{name: "suppressed new lead lands as do not contact", st: &LeadState{LeadID: "lead-1", Status: lifecycle.NewLead},
			o:      func() Offer { o := offer(base); o.Suppressed = true; return o }(),
			action: ActionCreate, status: lifecycle.DoNotContact, changed: true, wantOptOut: true,
			writes: append(base.SortedFields(), lead.DoNotContact)},
		{name: "new lead missing a required field lands as invalid data", st: &LeadState{LeadID: "lead-1", Status: lifecycle.NewLead},
			o:      func() Offer { o := offer(base); o.Invalid = "required Lead fields: Email missing"; return o }(),
			action: ActionCreate, status: lifecycle.InvalidData, changed: true, writes: base.SortedFields(), wantNote: true},
		{name: "an opt-out outranks invalid data", st: &LeadState{LeadID: "lead-1", Status: lifecycle.NewLead},
			o: func() Offer {
				o := offer(base)
				o.Invalid, o.Suppressed = "required Lead fields: Email missing", true
				return o
			}(),
			action: ActionCreate, status: lifecycle.DoNotContact, changed: true, wantOptOut: true,
			writes: append(base.SortedFields(), lead.DoNotContact)},
		{name: "an existing lead is not judged again", st: landedState(base, lifecycle.NewLead),
			o:      func() Offer { o := offer(base); o.Invalid = "required Lead fields: Email missing"; return o }(),
			action: ActionNone, status: lifecycle.NewLead},
		{name: "same data again writes nothing", st: landedState(base, lifecycle.NewLead), o: offer(base), action: ActionNone,
			status: lifecycle.NewLead},
		{name: "new enrichment is written", st: landedState(base, lifecycle.NewLead),
			o: offer(with(lead.TechnologyStack, "Microsoft 365")), action: ActionUpdate, status: lifecycle.NewLead,
			writes: []lead.Field{lead.TechnologyStack}, wantNote: true},
		{name: "a field a person changed is kept", st: landedState(base, lifecycle.NewLead),
			o: func() Offer {
				o := offer(with(lead.JobTitle, "Chief Technology Officer"))
				o.Current = lead.Values{lead.JobTitle: "Head of IT"}
				return o
			}(),
			// Nothing else changed: nothing is written, and the person's title stays.
			action: ActionNone, status: lifecycle.NewLead, preserved: []lead.Field{lead.JobTitle}},
		{name: "an import never resets a status", st: landedState(base, lifecycle.Contacted),
			o: offer(base), action: ActionNone, status: lifecycle.Contacted},
		{name: "an opt-out reaches a progressed lead", st: landedState(base, lifecycle.Engaged),
			o: offer(with(lead.DoNotCall, "true")), action: ActionUpdate, status: lifecycle.DoNotContact, changed: true,
			wantOptOut: true, wantNote: true, writes: []lead.Field{lead.DoNotCall, lead.DoNotContact}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := PlanOffer(tt.st, tt.o)
			if p.Action != tt.action || p.Status != tt.status || p.StatusChanged != tt.changed {
				t.Fatalf("plan = %s %s changed=%v, want %s %s changed=%v", p.Action, p.Status, p.StatusChanged, tt.action, tt.status, tt.changed)
			}
			for _, f := range tt.writes {
				if p.Write[f] == "" {
					t.Errorf("field %s not written: %v", f, p.Write)
				}
			}
			for _, f := range tt.preserved {
				if _, ok := p.Write[f]; ok {
					t.Errorf("field %s overwritten", f)
				}
				if !slices.ContainsFunc(p.Preserved, func(x lifecycle.Preserved) bool { return x.Field == f }) {
					t.Errorf("field %s not reported preserved: %v", f, p.Preserved)
				}
				if p.Owned[f] != tt.o.Current[f] {
					t.Errorf("owned %s = %q, want the person's %q written back", f, p.Owned[f], tt.o.Current[f])
				}
			}
			if (p.Note != "") != tt.wantNote {
				t.Errorf("note = %q, want note %v", p.Note, tt.wantNote)
			}
			if p.DoNotContact != tt.wantOptOut {
				t.Errorf("do not contact = %v, want %v", p.DoNotContact, tt.wantOptOut)
			}
			if p.DoNotContact && len(p.Lists) > 0 {
				t.Errorf("a do-not-contact person is in lists %v", p.Lists)
			}
		})
	}
}

func TestPlanOfferUnlistsWhenSegmentChanges(t *testing.T) {
	t.Parallel()
	v := lead.Values{lead.Email: "ada@example.com", lead.Company: "Example Ltd"}
	st := landedState(v, lifecycle.NewLead)
	st.Lists = []string{lifecycle.ListHot}
	p := PlanOffer(st, offer(v))
	if p.Action != ActionUpdate || !slices.Contains(p.Unlist, lifecycle.ListHot) {
		t.Fatalf("plan = %s unlist %v, want an update leaving %q", p.Action, p.Unlist, lifecycle.ListHot)
	}
}
