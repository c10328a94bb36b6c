package cli

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"haloleads/internal/halosandbox"
)

func TestDemoEndpointsReachOtherCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	remove, err := writeEndpoints(dir, endpoints{Temporal: "127.0.0.1:40123", Namespace: "default", TemporalUI: "http://127.0.0.1:40124"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		address string
		ui      string
	}{
		{"demo's addresses", map[string]string{"HALOLEADS_DATA": dir}, "127.0.0.1:40123", "http://127.0.0.1:40124"},
		{"environment wins", map[string]string{"HALOLEADS_DATA": dir, "TEMPORAL_ADDRESS": "temporal:7233",
			"TEMPORAL_UI_URL": "https://ui.example"}, "temporal:7233", "https://ui.example"},
		{"another directory", map[string]string{"HALOLEADS_DATA": t.TempDir()}, "127.0.0.1:7233", ""},
	}
	for _, tt := range tests {
		cfg, err := loadConfig(IO{Getenv: func(k string) string { return tt.env[k] }})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Temporal.Address != tt.address || cfg.Temporal.UIURL != tt.ui {
			t.Errorf("%s: Temporal %s, UI %q; want %s, %q", tt.name, cfg.Temporal.Address, cfg.Temporal.UIURL, tt.address, tt.ui)
		}
	}
	remove()
	cfg, _ := loadConfig(IO{Getenv: func(k string) string { return map[string]string{"HALOLEADS_DATA": dir}[k] }})
	if cfg.Temporal.Address != "127.0.0.1:7233" {
		t.Errorf("after the demo stopped: Temporal %s, want the default", cfg.Temporal.Address)
	}
}

func TestMovedPorts(t *testing.T) {
	t.Parallel()
	got := movedPorts(map[string]int{"Temporal": 7233, "Temporal Web UI": 8233, "HaloPSA sandbox": 0},
		map[string]string{"Temporal": "127.0.0.1:7233", "Temporal Web UI": "http://127.0.0.1:41000", "HaloPSA sandbox": "http://127.0.0.1:41001"})
	want := []string{"port 8233 is taken: Temporal Web UI listens on http://127.0.0.1:41000 instead"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("movedPorts = %q, want %q", got, want)
	}
}

func TestSandboxHomePage(t *testing.T) {
	t.Parallel()
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	srv := httptest.NewServer(sandboxHome(sb, halosandbox.DefaultClientID, halosandbox.DefaultClientSecret))
	defer srv.Close()
	code, body := get(t, srv.URL+"/")
	if code != http.StatusOK || !strings.Contains(body, "HaloPSA sandbox") ||
		!strings.Contains(body, "HALO_URL="+srv.URL+" HALO_CLIENT_ID="+halosandbox.DefaultClientID) {
		t.Errorf("GET / answered %d:\n%s", code, body)
	}
	if code, _ := get(t, srv.URL+"/api/Tickets"); code != http.StatusUnauthorized {
		t.Errorf("GET /api/Tickets without a token answered %d, want 401 from the sandbox", code)
	}
}
