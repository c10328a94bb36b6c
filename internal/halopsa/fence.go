package halopsa

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// A write fence is a check made before each write request (POST, PUT, DELETE to the API; never
// a token request) is sent: before it waits for budget, and again after the wait when the wait
// took longer than the fence's MaxAge. A fence that fails stops the request unsent. LandBatch
// fences its writes with a synchronous Temporal heartbeat, so that an attempt Temporal has
// given up on never writes again (see activities/writer.go).

// ErrFenced is wrapped by the error of a write the fence stopped: nothing was sent.
var ErrFenced = errors.New("write stopped by its fence")

// Fence is the check WithWriteFence installs.
type Fence struct {
	// Check is called for each write; an error stops it.
	Check func(context.Context) error
	// MaxAge is how long a passed check holds while the write waits for budget (0: for ever).
	MaxAge time.Duration
}

type fenceKey struct{}

// WithWriteFence returns ctx whose write requests are each checked by f first.
func WithWriteFence(ctx context.Context, f Fence) context.Context {
	return context.WithValue(ctx, fenceKey{}, &fenceRun{f: f})
}

// fenceRun is a fence on its way through one request.
type fenceRun struct {
	f  Fence
	at time.Time
}

// fenceOf returns the fence of req when it is a fenced write, else nil.
func fenceOf(req *http.Request, token bool) *fenceRun {
	fr, _ := req.Context().Value(fenceKey{}).(*fenceRun)
	if fr == nil || token || (req.Method != http.MethodPost && req.Method != http.MethodPut && req.Method != http.MethodDelete) {
		return nil
	}
	return &fenceRun{f: fr.f} // per request: requests of one context may run at once
}

// check runs the fence (nil: nothing to check).
func (fr *fenceRun) check(req *http.Request) error {
	if fr == nil || fr.f.Check == nil {
		return nil
	}
	if err := fr.f.Check(req.Context()); err != nil {
		return fmt.Errorf("%w: %w", ErrFenced, err)
	}
	fr.at = time.Now()
	return nil
}

// recheck runs the fence again when the last check is older than MaxAge.
func (fr *fenceRun) recheck(req *http.Request) error {
	if fr == nil || fr.f.MaxAge <= 0 || time.Since(fr.at) <= fr.f.MaxAge {
		return nil
	}
	return fr.check(req)
}
