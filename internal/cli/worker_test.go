package cli

import (
	"bytes"
	"strings"
	"testing"
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
