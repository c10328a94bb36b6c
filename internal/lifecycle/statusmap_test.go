package lifecycle

import (
	"strings"
	"testing"
)

func TestStatusMap(t *testing.T) {
	t.Parallel()
	m, err := ParseStatusMap(" Closed = closed ; Won (billing)=Won, On hold=researching")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stage Stage
		want  Status
		ok    bool
	}{
		{"closed", Lead, NoInterest, true},
		{"CLOSED", Prospect, Disqualified, true},
		{"Closed", Opportunity, Lost, true},
		{"won  (billing)", Opportunity, Won, true},
		{"On Hold", Lead, Researching, true},
		{"Waiting on Customer", Lead, "", false},
	}
	for _, tt := range tests {
		got, ok := m.Resolve(tt.name, tt.stage)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Resolve(%q, %s) = %s, %v; want %s, %v", tt.name, tt.stage, got, ok, tt.want, tt.ok)
		}
	}
	if s := m.String(); s != "closed=closed,on hold=researching,won (billing)=won" {
		t.Errorf("String() = %q", s)
	}
	def, err := ParseStatusMap(DefaultStatusMap)
	if err != nil || len(def) != 1 {
		t.Errorf("default map: %v, %v", def, err)
	}
}

func TestParseStatusMapErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"Closed", "=won", "Closed=shut", "a=won,A=lost"} {
		if _, err := ParseStatusMap(in); err == nil {
			t.Errorf("ParseStatusMap(%q) accepted", in)
		}
	}
	if m, err := ParseStatusMap(""); err != nil || len(m) != 0 {
		t.Errorf("empty: %v, %v", m, err)
	}
}

func FuzzParseStatusMap(f *testing.F) {
	f.Add(DefaultStatusMap)
	f.Add("Closed=closed;Won (billing)=won")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseStatusMap(s)
		if err != nil {
			return
		}
		again, err := ParseStatusMap(m.String())
		if err != nil && !strings.ContainsAny(m.String(), ",;=") {
			t.Fatalf("String() of a parsed map does not parse: %q: %v", m.String(), err)
		}
		_ = again
	})
}

func TestDataOverlay(t *testing.T) {
	t.Parallel()
	ours := Data{Qualification: QualificationData{PainPoints: "outages", FitScore: 60, Notes: "ours"},
		Opportunity: OpportunityData{Value: 1000, Competitors: "Acme"}, DoNotContact: true}
	halo := Data{Qualification: QualificationData{PainPoints: " weekly outages ", DecisionMaker: "CFO", FitScore: 85},
		Opportunity: OpportunityData{Probability: 40, Competitors: "  "}}
	got := ours.Overlay(halo)
	want := Data{Qualification: QualificationData{PainPoints: "weekly outages", DecisionMaker: "CFO", FitScore: 85, Notes: "ours"},
		Opportunity: OpportunityData{Value: 1000, Probability: 40, Competitors: "Acme"}, DoNotContact: true}
	if got != want {
		t.Errorf("Overlay = %+v\nwant %+v", got, want)
	}
}
