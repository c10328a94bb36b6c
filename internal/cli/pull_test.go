package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
)

// TestPullFailed: the result a failed pull carries in its error is read back (what it bought
// and spent is printed however the pull ended); any other error is not a pull failure.
func TestPullFailed(t *testing.T) {
	t.Parallel()
	res := leadflow.PullResult{RunID: "r1", Source: lead.Apollo, Bought: 7, Credits: 9, Unconfirmed: 2,
		Errors: []string{"importing: terminated"}}
	failure := temporal.NewNonRetryableApplicationError("pull r1 failed: importing: terminated", leadflow.PullFailedType, nil, res)
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{"a pull failure, wrapped", fmt.Errorf("pull r1: %w", failure), true},
		{"another application error", temporal.NewApplicationError("no", "Other", res), false},
		{"a plain error", errors.New("connection refused"), false},
		{"no error", nil, false},
	}
	for _, tt := range tests {
		got, why, ok := pullFailed(tt.err)
		if ok != tt.ok {
			t.Errorf("%s: pull failure %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if ok && (got.Bought != 7 || got.Credits != 9 || got.Unconfirmed != 2 || why != "pull r1 failed: importing: terminated") {
			t.Errorf("%s: read back %+v, %q", tt.name, got, why)
		}
	}
}

// TestPrintPullUnconfirmed: the people left unconfirmed are shown with what to make of them.
func TestPrintPullUnconfirmed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		unconfirmed int
		want        string
	}{
		{0, ""},
		{3, "3 unconfirmed: not bought again, an earlier attempt may have paid for them"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		printPull(&out, leadflow.PullResult{Source: lead.Apollo, Bought: 5, Unconfirmed: tt.unconfirmed})
		has := strings.Contains(out.String(), "unconfirmed")
		if tt.want == "" && has || tt.want != "" && !strings.Contains(out.String(), tt.want) {
			t.Errorf("unconfirmed %d printed:\n%s", tt.unconfirmed, out.String())
		}
	}
}
