package cli

import (
	"bytes"
	"strings"
	"testing"

	"haloleads/internal/config"
	"haloleads/internal/devserver"
)

func TestRunWorkerRefusesBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"--nope"}, nil, "unknown flag: --nope"},
		{"no tenant", nil, map[string]string{"TEMPORAL_ADDRESS": "127.0.0.1:1"}, "HALO_URL"},
		{"bad rate window", nil, map[string]string{"HALO_RATE_WINDOW": "soon"}, "HALO_RATE_WINDOW"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errs bytes.Buffer
			code := RunWorker(tt.args, IO{Stdout: &out, Stderr: &errs, Getenv: func(k string) string { return tt.env[k] }})
			if code == 0 {
				t.Fatalf("worker exited 0 on bad input")
			}
			if !strings.Contains(errs.String(), tt.want) {
				t.Errorf("stderr %q does not mention %q", errs.String(), tt.want)
			}
		})
	}
}

// TestDevUIAddress: TEMPORAL_UI_ADDRESS says where `worker --dev` serves the Web UI; only the
// default moves to a free port when taken, and 0 or off turns the UI off.
func TestDevUIAddress(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr     string
		ip       string
		port     int
		fallback bool
		wantErr  bool
	}{
		{config.DefaultUIAddress, "127.0.0.1", 8233, true, false},
		{"0.0.0.0:9233", "0.0.0.0", 9233, false, false},
		{"localhost:9233", "127.0.0.1", 9233, false, false},
		{":0", "127.0.0.1", -1, false, false},
		{"off", "", 0, false, false},
		{"0", "", 0, false, false},
		{"ui:port", "", 0, false, true},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			var o devserver.Options
			err := devUI(&o, config.Temporal{UIAddress: tt.addr})
			if (err != nil) != tt.wantErr {
				t.Fatalf("devUI(%q): %v", tt.addr, err)
			}
			if o.UIIP != tt.ip || o.UIPort != tt.port || o.UIFallback != tt.fallback {
				t.Fatalf("devUI(%q) = %s:%d fallback %v, want %s:%d fallback %v", tt.addr, o.UIIP, o.UIPort, o.UIFallback,
					tt.ip, tt.port, tt.fallback)
			}
		})
	}
}
