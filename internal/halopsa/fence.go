package halopsa

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// A write fence is a check made just before each write request (POST, PUT, DELETE to the API)
// is sent: after any wait for budget, before the request reaches the network. A fence that
// fails stops the request unsent. LandBatch fences its writes with a synchronous Temporal
// heartbeat, so that an attempt Temporal has given up on never writes again (see
// activities/writer.go).

// ErrFenced is wrapped by the error of a write the fence stopped: nothing was sent.
var ErrFenced = errors.New("write stopped by its fence")

type fenceKey struct{}

// WithWriteFence returns ctx whose write requests each call fence first.
func WithWriteFence(ctx context.Context, fence func(context.Context) error) context.Context {
	return context.WithValue(ctx, fenceKey{}, fence)
}

// checkFence runs the fence of req's context, if any, for a write.
func checkFence(req *http.Request) error {
	fence, _ := req.Context().Value(fenceKey{}).(func(context.Context) error)
	if fence == nil || (req.Method != http.MethodPost && req.Method != http.MethodPut && req.Method != http.MethodDelete) {
		return nil
	}
	if err := fence(req.Context()); err != nil {
		return fmt.Errorf("%w: %w", ErrFenced, err)
	}
	return nil
}
