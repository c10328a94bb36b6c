package cli

import (
	"testing"
	"time"

	"haloleads/internal/leadflow"
)

func TestHaloBase(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://acme.halopsa.com", "https://acme.halopsa.com"},
		{"https://acme.halopsa.com/", "https://acme.halopsa.com"},
		{"https://acme.halopsa.com/api", "https://acme.halopsa.com"},
		{"https://acme.halopsa.com/api/", "https://acme.halopsa.com"},
		{" https://halo.example.com/helpdesk/api ", "https://halo.example.com/helpdesk"},
		{"https://apis.example.com", "https://apis.example.com"},
	}
	for _, tt := range tests {
		if got := haloBase(tt.in); got != tt.want {
			t.Errorf("haloBase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		p    leadflow.ImportProgress
		bar  bool
		want string
	}{
		{"reading", leadflow.ImportProgress{Phase: "reading"}, true, "import: reading, de-duplicating and staging the files…"},
		{"first batch", leadflow.ImportProgress{Phase: "landing", Batches: 4, Leads: 400, Landing: start}, false,
			"import: 0/4 batches, 0/400 leads"},
		{"half", leadflow.ImportProgress{Phase: "landing", Batches: 4, BatchesDone: 2, Leads: 400, LeadsDone: 200,
			Landing: start, Updated: start.Add(20 * time.Second)}, true,
			"import: [###############...............] 2/4 batches, 200/400 leads, 10.0 leads/s, about 20s left"},
		{"done", leadflow.ImportProgress{Phase: "done", Batches: 1, BatchesDone: 1, Leads: 30, LeadsDone: 30,
			Landing: start, Updated: start.Add(3 * time.Second)}, false,
			"import: 1/1 batches, 30/30 leads, 10.0 leads/s"},
	}
	for _, tt := range tests {
		if got := progressLine(tt.p.WithRate(), tt.bar); got != tt.want {
			t.Errorf("%s: progressLine = %q, want %q", tt.name, got, tt.want)
		}
	}
}
