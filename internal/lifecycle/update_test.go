package lifecycle

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"haloleads/internal/lead"
)

func TestFieldLabel(t *testing.T) {
	t.Parallel()
	for f := range fieldLabels {
		if !slices.Contains(lead.AllFields, f) {
			t.Errorf("label for %s, which is not in lead.AllFields", f)
		}
	}
	tests := []struct {
		f    lead.Field
		want string
	}{
		{lead.PhoneMobile, "Mobile Phone"}, {lead.EmailOptOut, "Email Opt-Out"}, {lead.LeadSource, "Lead Source"},
		{"x_custom", "X Custom"}, {"élan_vital", "Élan Vital"}, {"", ""},
	}
	for _, tt := range tests {
		if got := FieldLabel(tt.f); got != tt.want {
			t.Errorf("FieldLabel(%q) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestClassOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f    lead.Field
		want Class
	}{
		{lead.Email, Protected}, {lead.FirstName, Protected}, {lead.Company, Protected},
		{lead.PhoneMobile, Enrichment}, {lead.TechnologyStack, Enrichment}, {lead.LinkedIn, Enrichment},
		{lead.HQPostcode, Enrichment}, {lead.EmailStatus, Enrichment}, {lead.EmailConfidence, Enrichment},
		{lead.ServicesOffered, Conditional}, {lead.GrowthSignals, Conditional}, {lead.JobTitle, Conditional},
		{lead.LeadSource, Conditional}, {"x_custom", Conditional},
		{lead.DoNotContact, OptOut}, {lead.DoNotCall, OptOut}, {lead.EmailOptOut, OptOut},
	}
	for _, tt := range tests {
		if got := ClassOf(tt.f); got != tt.want {
			t.Errorf("ClassOf(%s) = %s, want %s", tt.f, got, tt.want)
		}
	}
}

func TestPlanUpdate(t *testing.T) {
	t.Parallel()
	type V = lead.Values
	tests := []struct {
		name                           string
		current, lastWritten, incoming V
		pinned                         map[lead.Field]bool
		updates                        V
		preserved                      []Preserved
	}{
		{"new lead takes everything",
			V{}, V{}, V{lead.Email: "a@x.io", lead.PhoneMobile: "+441", lead.ServicesOffered: "IT"}, nil,
			V{lead.Email: "a@x.io", lead.PhoneMobile: "+441", lead.ServicesOffered: "IT"}, nil},
		{"enrichment replaces our own value",
			V{lead.PhoneMobile: "+441"}, V{lead.PhoneMobile: "+441"}, V{lead.PhoneMobile: "+442"}, nil,
			V{lead.PhoneMobile: "+442"}, nil},
		{"person's edit is kept",
			V{lead.PhoneMobile: "+449"}, V{lead.PhoneMobile: "+441"}, V{lead.PhoneMobile: "+442"}, nil,
			V{}, []Preserved{{lead.PhoneMobile, ReasonEdited}}},
		{"person's deletion is kept",
			V{}, V{lead.JobTitle: "CTO"}, V{lead.JobTitle: "Chief Technology Officer"}, nil,
			V{}, []Preserved{{lead.JobTitle, ReasonEdited}}},
		{"value typed before haloleads is kept",
			V{lead.Website: "acme.io"}, V{}, V{lead.Website: "https://www.acme.io"}, nil,
			V{}, []Preserved{{lead.Website, ReasonEdited}}},
		{"pinned field is kept",
			V{lead.TechnologyStack: "M365"}, V{lead.TechnologyStack: "M365"}, V{lead.TechnologyStack: "Google Workspace"},
			map[lead.Field]bool{lead.TechnologyStack: true},
			V{}, []Preserved{{lead.TechnologyStack, ReasonPinned}}},
		{"same value is no news",
			V{lead.Industry: "Legal"}, V{lead.Industry: "Old"}, V{lead.Industry: "Legal", lead.Email: ""}, nil,
			V{}, nil},
		{"conditional filled when empty",
			V{}, V{}, V{lead.GrowthSignals: "Hiring"}, nil,
			V{lead.GrowthSignals: "Hiring"}, nil},
		{"conditional not richer",
			V{lead.ServicesOffered: "Managed IT services"}, V{lead.ServicesOffered: "Managed IT services"},
			V{lead.ServicesOffered: "IT support and cloud"}, nil,
			V{}, []Preserved{{lead.ServicesOffered, ReasonNotRicher}}},
		{"conditional half as long again",
			V{lead.JobTitle: "CTO"}, V{lead.JobTitle: "CTO"}, V{lead.JobTitle: "Chief Technology Officer"}, nil,
			V{lead.JobTitle: "Chief Technology Officer"}, nil},
		{"conditional just under half as long again",
			V{lead.JobTitle: "abcd"}, V{lead.JobTitle: "abcd"}, V{lead.JobTitle: "abcde"}, nil,
			V{}, []Preserved{{lead.JobTitle, ReasonNotRicher}}},
		{"conditional list superset",
			V{lead.ProjectPipelines: "Cloud move; New office"}, V{lead.ProjectPipelines: "Cloud move; New office"},
			V{lead.ProjectPipelines: "cloud move; New office; ERP"}, nil,
			V{lead.ProjectPipelines: "cloud move; New office; ERP"}, nil},
		{"conditional list that drops an item",
			V{lead.ProjectPipelines: "Cloud move; New office"}, V{lead.ProjectPipelines: "Cloud move; New office"},
			V{lead.ProjectPipelines: "Cloud move; ERP; VoIP; SD-WAN"}, nil,
			V{}, []Preserved{{lead.ProjectPipelines, ReasonNotRicher}}},
		{"protected filled when empty",
			V{}, V{}, V{lead.LastName: "Okafor"}, nil,
			V{lead.LastName: "Okafor"}, nil},
		{"protected never changed",
			V{lead.Email: "jo@acme.io"}, V{lead.Email: "jo@acme.io"}, V{lead.Email: "j.o@acme.io"}, nil,
			V{}, []Preserved{{lead.Email, ReasonProtected}}},
		{"opt-out written over a person's edit",
			V{}, V{lead.DoNotCall: "true"}, V{lead.DoNotCall: "true"}, map[lead.Field]bool{lead.DoNotCall: true},
			V{lead.DoNotCall: "true"}, nil},
		{"opt-out never cleared",
			V{lead.DoNotContact: "true"}, V{lead.DoNotContact: "true"}, V{lead.DoNotContact: "false"}, nil,
			V{}, []Preserved{{lead.DoNotContact, ReasonOptOutKept}}},
		{"opt-out false is no news",
			V{}, V{}, V{lead.EmailOptOut: "false"}, nil,
			V{}, nil},
		{"mixed, in field order",
			V{lead.Company: "Acme", lead.JobTitle: "IT Lead", lead.PhoneDirect: "+1"},
			V{lead.Company: "Acme", lead.JobTitle: "IT Manager", lead.PhoneDirect: "+1"},
			V{lead.TechnologyStack: "M365", lead.Company: "Acme Ltd", lead.JobTitle: "Head of IT", lead.PhoneDirect: "+2", "x_extra": "1"},
			nil,
			V{lead.PhoneDirect: "+2", lead.TechnologyStack: "M365", "x_extra": "1"},
			[]Preserved{{lead.JobTitle, ReasonEdited}, {lead.Company, ReasonProtected}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			updates, preserved := PlanUpdate(tt.current, tt.lastWritten, tt.incoming, tt.pinned)
			if !maps.Equal(updates, tt.updates) {
				t.Errorf("updates = %v, want %v", updates, tt.updates)
			}
			if !slices.Equal(preserved, tt.preserved) {
				t.Errorf("preserved = %v, want %v", preserved, tt.preserved)
			}
		})
	}
}

func TestImportStatus(t *testing.T) {
	t.Parallel()
	for _, s := range append(Statuses(), "", "tenant_custom") {
		got, writable := ImportStatus(s)
		want, wantWritable := s, s == NewLead || s == Researching
		if s == "" {
			want, wantWritable = NewLead, true
		}
		if got != want || writable != wantWritable {
			t.Errorf("ImportStatus(%q) = %q, %v; want %q, %v", s, got, writable, want, wantWritable)
		}
	}
}

func TestPlanImport(t *testing.T) {
	t.Parallel()
	current := lead.Values{lead.PhoneMobile: "+441"}
	incoming := lead.Values{lead.PhoneMobile: "+442", lead.DoNotCall: "true", lead.Industry: "Legal"}
	tests := []struct {
		status    Status
		want      Status
		updates   lead.Values
		preserved []Preserved
	}{
		{"", NewLead, lead.Values{lead.PhoneMobile: "+442", lead.DoNotCall: "true", lead.Industry: "Legal"}, nil},
		{Researching, Researching, lead.Values{lead.PhoneMobile: "+442", lead.DoNotCall: "true", lead.Industry: "Legal"}, nil},
		{Prospecting, Prospecting, lead.Values{lead.DoNotCall: "true"},
			[]Preserved{{lead.PhoneMobile, ReasonProgressed}, {lead.Industry, ReasonProgressed}}},
		{Won, Won, lead.Values{lead.DoNotCall: "true"},
			[]Preserved{{lead.PhoneMobile, ReasonProgressed}, {lead.Industry, ReasonProgressed}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			t.Parallel()
			last := current
			if tt.status == "" {
				last = lead.Values{}
			}
			cur := maps.Clone(current)
			if tt.status == "" {
				cur = lead.Values{}
			}
			got, updates, preserved := PlanImport(tt.status, cur, last, incoming, nil)
			if got != tt.want || !maps.Equal(updates, tt.updates) || !slices.Equal(preserved, tt.preserved) {
				t.Errorf("PlanImport = %s, %v, %v\nwant %s, %v, %v", got, updates, preserved, tt.want, tt.updates, tt.preserved)
			}
		})
	}
}

func TestAuditNote(t *testing.T) {
	t.Parallel()
	current := lead.Values{
		lead.Email: "jo@acme.io", lead.Company: "Acme", lead.JobTitle: "IT Lead",
		lead.ServicesOffered: "Managed IT services", lead.PhoneDirect: "+441",
	}
	last := lead.Values{
		lead.Email: "jo@acme.io", lead.Company: "Acme", lead.JobTitle: "IT Manager",
		lead.ServicesOffered: "Managed IT services", lead.PhoneDirect: "+441",
	}
	incoming := lead.Values{
		lead.Email: "jo.smith@acme.io", lead.Company: "Acme", lead.JobTitle: "Head of IT",
		lead.ServicesOffered: "IT support", lead.PhoneDirect: "+442", lead.PhoneMobile: "+447",
		lead.TechnologyStack: "M365; Azure", lead.DoNotCall: "true",
	}
	pinned := map[lead.Field]bool{lead.PhoneDirect: true}
	updates, preserved := PlanUpdate(current, last, incoming, pinned)
	slices.Reverse(preserved) // AuditNote orders them itself
	note := AuditNote(updates, preserved)
	note += "---\n" + AuditNote(lead.Values{}, nil)
	note += "---\n" + AuditNote(lead.Values{lead.PhoneMobile: "+1"}, []Preserved{{"x_custom", "pinned by a person"}})
	golden(t, "audit_note.golden", note)
	if again := AuditNote(updates, preserved); again != AuditNote(updates, preserved) {
		t.Error("AuditNote is not deterministic")
	}
}

func ExampleAuditNote() {
	updates, preserved := PlanUpdate(
		lead.Values{lead.JobTitle: "IT Lead"},
		lead.Values{lead.JobTitle: "IT Manager"},
		lead.Values{lead.JobTitle: "Head of IT", lead.PhoneMobile: "+447700900123"},
		nil)
	fmt.Print(AuditNote(updates, preserved))
	// Output:
	// haloleads import: 1 field updated, 1 field preserved.
	// Updated: Mobile Phone.
	// Preserved:
	// - Job Title: changed in HaloPSA since haloleads last wrote it.
}

func BenchmarkPlanUpdate(b *testing.B) {
	current, last, incoming := lead.Values{}, lead.Values{}, lead.Values{}
	for i, f := range lead.AllFields {
		v := fmt.Sprintf("value %d", i)
		current[f], last[f] = v, v
		incoming[f] = v + " from a newer and longer provider row"
		if i%4 == 0 {
			current[f] = "edited"
		}
	}
	for b.Loop() {
		u, p := PlanUpdate(current, last, incoming, nil)
		_ = AuditNote(u, p)
	}
	b.ReportMetric(float64(b.N*len(lead.AllFields))/b.Elapsed().Seconds(), "fields/s")
}

func FuzzPlanUpdate(f *testing.F) {
	f.Add("CTO", "CTO", "Chief Technology Officer", "", "true", false)
	f.Add("a; b", "a", "a; b; c", "true", "false", true)
	f.Fuzz(func(t *testing.T, cur, last, in, curOpt, inOpt string, pin bool) {
		fields := []lead.Field{lead.JobTitle, lead.Email, lead.PhoneMobile}
		current, lastWritten, incoming := lead.Values{}, lead.Values{}, lead.Values{}
		for _, fl := range fields {
			current[fl], lastWritten[fl], incoming[fl] = cur, last, in
		}
		current[lead.DoNotCall], incoming[lead.DoNotCall] = curOpt, inOpt
		pinned := map[lead.Field]bool{lead.JobTitle: pin, lead.DoNotCall: pin}
		updates, preserved := PlanUpdate(current, lastWritten, incoming, pinned)
		for _, p := range preserved {
			if _, ok := updates[p.Field]; ok || p.Reason == "" {
				t.Fatalf("%s both updated and preserved, or without reason: %+v", p.Field, p)
			}
		}
		for fl, v := range updates {
			if v == "" || v == current[fl] {
				t.Fatalf("%s updated with no news: %q", fl, v)
			}
			if ClassOf(fl) != OptOut && (pinned[fl] || current[fl] != lastWritten[fl]) {
				t.Fatalf("%s overwrote a person's work", fl)
			}
			if ClassOf(fl) == Protected && current[fl] != "" {
				t.Fatalf("%s changed a protected value", fl)
			}
		}
		if inOpt == "true" && updates[lead.DoNotCall] != "true" && curOpt != "true" {
			t.Fatal("an opt-out was dropped")
		}
		if curOpt == "true" && updates[lead.DoNotCall] != "" {
			t.Fatal("an opt-out was cleared")
		}
		for _, fl := range fields {
			_, up := updates[fl]
			kept := slices.ContainsFunc(preserved, func(p Preserved) bool { return p.Field == fl })
			if news := in != "" && in != cur; news != (up || kept) {
				t.Fatalf("%s: news=%v updated=%v preserved=%v", fl, news, up, kept)
			}
		}
	})
}
