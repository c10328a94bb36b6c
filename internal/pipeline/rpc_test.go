package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/api/serviceerror"
)

// TestRetryRPCTimeout: a Temporal call that timed out by itself is made again while the
// caller's context has time; any other error, or the caller's own deadline, ends it.
func TestRetryRPCTimeout(t *testing.T) {
	t.Parallel()
	refused := errors.New("namespace not found")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name      string
		ctx       context.Context
		errs      []error // the call's answers, in order; then nil
		want      error
		wantCalls int
	}{
		{"answers at once", context.Background(), nil, nil, 1},
		{"the call's deadline twice, then an answer", context.Background(),
			[]error{serviceerror.NewDeadlineExceeded("context deadline exceeded"), fmt.Errorf("getting: %w", context.DeadlineExceeded)}, nil, 3},
		{"another error is returned at once", context.Background(), []error{refused}, refused, 1},
		{"the caller's context ended", done, []error{serviceerror.NewDeadlineExceeded("context deadline exceeded")}, nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := retryRPCTimeout(tc.ctx, func() error {
				calls++
				if calls <= len(tc.errs) {
					return tc.errs[calls-1]
				}
				return nil
			})
			if calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls, tc.wantCalls)
			}
			switch {
			case tc.ctx.Err() != nil:
				if !rpcTimedOut(err) {
					t.Errorf("error %v, want the call's timeout returned once the caller's context ended", err)
				}
			case !errors.Is(err, tc.want):
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}
