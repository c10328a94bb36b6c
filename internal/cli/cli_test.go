package cli

import "testing"

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
