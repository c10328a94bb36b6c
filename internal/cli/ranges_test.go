package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestOutOfRangeNumbersAreRefused runs `lead set-data`, `lead promote` and `lead log-call` with
// numbers outside their ranges: each exits with the usage code and names the value, before
// anything is sent (no Temporal or HaloPSA is configured, so a request would fail otherwise).
func TestOutOfRangeNumbersAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"lead", "set-data", "lead-x", "--fit", "150"}, "Fit Score 150 is outside 0-100"},
		{[]string{"lead", "promote", "lead-x", "--fit", "-4"}, "Fit Score -4 is outside 0-100"},
		{[]string{"lead", "set-data", "lead-x", "--probability", "120", "--value", "24000"}, "Probability % 120 is outside 0-100"},
		{[]string{"lead", "set-data", "lead-x", "--value", "NaN"}, "Opportunity Value NaN"},
		{[]string{"lead", "set-data", "lead-x", "--value", "-10"}, "Opportunity Value -10"},
		{[]string{"lead", "log-call", "lead-x", "--outcome", "interested", "--duration", "90000"}, "duration 90000 s"},
		{[]string{"lead", "log-call", "lead-x", "--outcome", "interested", "--duration", "-1"}, "duration -1 s"},
	}
	for _, tt := range tests {
		var out, errs bytes.Buffer
		code := Run(tt.args, IO{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }})
		if code != int(ExitUsage) || !strings.Contains(errs.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d naming %q", tt.args, code, errs.String(), ExitUsage, tt.want)
		}
	}
}
