package lifecycle

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, rewriting the file when -update is set.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s        Status
		name     string
		stage    Stage
		terminal bool
	}{
		{NewLead, "New Lead", Lead, false},
		{Researching, "Researching", Lead, false},
		{Contacted, "Contacted", Lead, false},
		{Engaged, "Engaged", Lead, false},
		{NoInterest, "No Interest", Lead, true},
		{DoNotContact, "Do Not Contact", Lead, true},
		{InvalidData, "Invalid Data", Lead, true},
		{NewProspect, "New Prospect", Prospect, false},
		{Prospecting, "Prospecting", Prospect, false},
		{Qualified, "Qualified", Prospect, false},
		{Disqualified, "Disqualified", Prospect, true},
		{NewOpportunity, "New Opportunity", Opportunity, false},
		{Progressing, "Progressing", Opportunity, false},
		{Negotiation, "Negotiation", Opportunity, false},
		{Won, "Won", Opportunity, true},
		{Lost, "Lost", Opportunity, true},
	}
	all := Statuses()
	if len(all) != len(tests) {
		t.Fatalf("Statuses() has %d statuses, want %d", len(all), len(tests))
	}
	for i, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			t.Parallel()
			if all[i] != tt.s {
				t.Errorf("Statuses()[%d] = %q, want %q", i, all[i], tt.s)
			}
			if got := tt.s.DisplayName(); got != tt.name {
				t.Errorf("DisplayName() = %q, want %q", got, tt.name)
			}
			if got := tt.s.StageOf(); got != tt.stage {
				t.Errorf("StageOf() = %q, want %q", got, tt.stage)
			}
			if got := tt.s.Terminal(); got != tt.terminal {
				t.Errorf("Terminal() = %v, want %v", got, tt.terminal)
			}
			if !tt.s.Valid() {
				t.Error("Valid() = false")
			}
		})
	}
}

func TestUnknownStatus(t *testing.T) {
	t.Parallel()
	s := Status("closed")
	if s.Valid() || s.StageOf() != "" || s.Terminal() || s.DisplayName() != `"closed"` {
		t.Errorf("unknown status: Valid %v, StageOf %q, Terminal %v, DisplayName %s",
			s.Valid(), s.StageOf(), s.Terminal(), s.DisplayName())
	}
	if got := Stage("x").DisplayName(); got != "x" {
		t.Errorf("unknown stage DisplayName = %q", got)
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Status
	}{
		{"new_lead", NewLead},
		{"New Lead", NewLead},
		{"NEW LEAD", NewLead},
		{"  do-not-contact ", DoNotContact},
		{"Do Not Contact", DoNotContact},
		{"do_not_contact", DoNotContact},
		{"new   opportunity", NewOpportunity},
		{"Won", Won},
		{"invalid data", InvalidData},
		{"", ""},
		{"new", ""},
		{"New Lead!", ""},
		{"closed", ""},
		{"new_lead_x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStatus(tt.in)
			if tt.want == "" {
				var ue *UnknownStatusError
				if !errors.As(err, &ue) || ue.Input != tt.in {
					t.Fatalf("ParseStatus(%q) = %q, %v; want *UnknownStatusError", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseStatus(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseStatusRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range Statuses() {
		for _, in := range []string{string(s), s.DisplayName()} {
			if got, err := ParseStatus(in); err != nil || got != s {
				t.Errorf("ParseStatus(%q) = %q, %v; want %q", in, got, err, s)
			}
		}
	}
}

func TestUnknownStatusErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := ParseStatus("Closed")
	want := `unknown status "Closed": want one of New Lead, Researching, Contacted, Engaged, No Interest, ` +
		`Do Not Contact, Invalid Data, New Prospect, Prospecting, Qualified, Disqualified, New Opportunity, ` +
		`Progressing, Negotiation, Won, Lost`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

func FuzzParseStatus(f *testing.F) {
	for _, s := range Statuses() {
		f.Add(string(s))
		f.Add(s.DisplayName())
	}
	f.Add("  NEW-lead ")
	f.Add("new__lead")
	f.Add("\xff")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseStatus(in)
		if err != nil {
			var ue *UnknownStatusError
			if !errors.As(err, &ue) || s != "" {
				t.Fatalf("ParseStatus(%q) = %q, %v", in, s, err)
			}
			return
		}
		if !s.Valid() {
			t.Fatalf("ParseStatus(%q) = invalid %q", in, s)
		}
		if again, err := ParseStatus(s.DisplayName()); err != nil || again != s {
			t.Fatalf("display name of %q does not parse back: %q, %v", s, again, err)
		}
	})
}
