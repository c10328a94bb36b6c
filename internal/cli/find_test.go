package cli

import "testing"

func TestLeadArgKind(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ arg, want string }{
		{"lead-1c8758288c3261e4", "id"},
		{"Dana.Okafor@example.com", "e-mail"},
		{"42", "ticket"},
		{"Jane Doe", "name"},
		{"Okafor", "name"},
		{"lead-x y", "name"},
	} {
		if got := leadArgKind(tt.arg); got != tt.want {
			t.Errorf("leadArgKind(%q) = %s, want %s", tt.arg, got, tt.want)
		}
	}
}

func TestMatchingName(t *testing.T) {
	t.Parallel()
	rows := []leadRow{
		{LeadID: "lead-a", Name: "Sam Lee — Harbour Lights Ltd"},
		{LeadID: "lead-b", Name: "Sam  Lee — Quarry Lane Dental"},
		{LeadID: "lead-c", Name: "Samuel Lee — Acme"},
		{LeadID: "lead-d", Name: "Dana Okafor — "},
	}
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"sam lee", []string{"lead-a", "lead-b"}},
		{" Dana   OKAFOR ", []string{"lead-d"}},
		{"Lee", nil},
	} {
		var got []string
		for _, r := range matchingName(rows, tt.name) {
			got = append(got, r.LeadID)
		}
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("matchingName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
