package config

import (
	"strings"
	"testing"
)

func TestCheckTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		halo, pub string
		allow     bool
		wantVars  []string
	}{
		{"https tenant and hook", "https://acme.halopsa.com", "https://hooks.example.com/halo", false, nil},
		{"sandbox on loopback", "http://127.0.0.1:8090", "", false, nil},
		{"sandbox on localhost", "http://localhost:8090", "", false, nil},
		{"ipv6 loopback", "http://[::1]:8090", "", false, nil},
		{"plain http tenant", "http://acme.halopsa.com", "", false, []string{"HALO_URL"}},
		{"plain http hook", "https://acme.halopsa.com", "http://hooks.example.com/halo", false, []string{"WEBHOOK_PUBLIC_URL"}},
		{"both plain", "http://10.0.0.5", "http://10.0.0.6/h", false, []string{"HALO_URL", "WEBHOOK_PUBLIC_URL"}},
		{"explicitly allowed", "http://10.0.0.5", "http://10.0.0.6/h", true, nil},
		{"not a URL", "acme.halopsa.com", "", false, []string{"HALO_URL"}},
		{"ftp", "ftp://acme.halopsa.com", "", false, []string{"HALO_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Config{Halo: Halo{URL: tt.halo, AllowInsecure: tt.allow}, Webhook: Webhook{PublicURL: tt.pub}}
			err := c.CheckTransport()
			if (err != nil) != (len(tt.wantVars) > 0) {
				t.Fatalf("err %v, want errors for %v", err, tt.wantVars)
			}
			for _, v := range tt.wantVars {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("%v does not name %s", err, v)
				}
			}
		})
	}
}
