package score

import (
	"testing"

	"haloleads/internal/lead"
)

func TestFit(t *testing.T) {
	t.Parallel()
	cfg := DefaultFitConfig()
	ideal := lead.Values{
		lead.Industry: "Hospital & Health Care", lead.Employees: "120", lead.ManagementLevel: "C-Suite",
		lead.Department: "Information Technology", lead.TechnologyStack: "Microsoft 365; Azure; Slack",
		lead.IntentSignals: "Managed IT Services (high); Cloud Migration",
	}
	tests := []struct {
		name string
		v    lead.Values
		cfg  FitConfig
		want int
	}{
		{"ideal", ideal, cfg, 100},
		{"nothing known", lead.Values{}, cfg, 0},
		{"industry only", lead.Values{lead.Industry: "Legal Services"}, cfg, 20},
		{"industry prefix", lead.Values{lead.Industry: "Financial Services"}, cfg, 20},
		{"industry miss", lead.Values{lead.Industry: "Mining"}, cfg, 0},
		{"size in band", lead.Values{lead.Employees: "10"}, cfg, 20},
		{"size near band", lead.Values{lead.Employees: "900"}, cfg, 10},
		{"size far", lead.Values{lead.Employees: "50000"}, cfg, 0},
		{"size from range", lead.Values{lead.EmployeeRange: "51-200"}, cfg, 20},
		{"director by title", lead.Values{lead.JobTitle: "Director of IT"}, cfg, 16},
		{"VP by title", lead.Values{lead.JobTitle: "VP, Operations"}, cfg, 18},
		{"manager", lead.Values{lead.JobTitle: "Office Manager"}, cfg, 10},
		{"non-manager level beats title words", lead.Values{lead.ManagementLevel: "Non-Manager", lead.JobTitle: "Manager"}, cfg, 2},
		{"Lusha level code", lead.Values{lead.ManagementLevel: "D"}, cfg, 16},
		{"other title", lead.Values{lead.JobTitle: "Receptionist"}, cfg, 2},
		{"department IT, not digital", lead.Values{lead.Department: "Digital Marketing"}, cfg, 0},
		{"department IT", lead.Values{lead.Department: "IT"}, cfg, 10},
		{"one technology", lead.Values{lead.TechnologyStack: "Azure; Slack"}, cfg, 9},
		{"two technologies", lead.Values{lead.TechnologyStack: "Azure; Veeam"}, cfg, 15},
		{"intent on topic", lead.Values{lead.IntentSignals: "cybersecurity"}, cfg, 15},
		{"intent off topic", lead.Values{lead.IntentSignals: "office furniture"}, cfg, 8},
		{"any intent without topics", lead.Values{lead.IntentSignals: "office furniture"},
			FitConfig{Weights: FitWeights{Intent: 1}}, 100},
		{"zero weights", ideal, FitConfig{}, 0},
		{"custom weights", lead.Values{lead.Industry: "Retail"},
			FitConfig{Weights: FitWeights{Industry: 1, Size: 1}, Industries: []string{"retail"}}, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Fit(tt.v, tt.cfg); got != tt.want {
				t.Errorf("Fit = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"51-200", 125.5, true},
		{"51 to 200", 125.5, true},
		{"1,001 - 5,000", 3000.5, true},
		{"10001+", 10001, true},
		{"10K+", 10000, true},
		{"1-10 employees", 5.5, true},
		{"$1M-$5M", 3e6, true},
		{"", 0, false},
		{"unknown", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseRange(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseRange(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"51-200", "10K+", "1,001 - 5,000", "1.5.5-2", "9999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseRange(s)
		if ok && !(n >= 0) {
			t.Errorf("ParseRange(%q) = %v", s, n)
		}
	})
}

func FuzzFit(f *testing.F) {
	f.Add("Health", "120", "VP Sales", "Azure; Veeam", "cybersecurity")
	f.Fuzz(func(t *testing.T, industry, employees, title, stack, intent string) {
		v := lead.Values{lead.Industry: industry, lead.Employees: employees, lead.JobTitle: title,
			lead.TechnologyStack: stack, lead.IntentSignals: intent}
		if s := Fit(v, DefaultFitConfig()); s < 0 || s > 100 {
			t.Errorf("Fit = %d out of range", s)
		}
	})
}
