package halopsa

import (
	"context"
	"sync/atomic"
)

// Counter counts the requests sent on behalf of one piece of work (an import batch, an
// activity), whatever else shares the client at the same time. Attach it with WithCounter.
type Counter struct {
	requests, writes atomic.Int64
	// OnWrite, when set before the counter is used, is called after each write is counted (on
	// the goroutine that sent it), so that a caller can persist the count before it can be lost.
	OnWrite func()
}

// Requests is the number of requests sent with the counter's context.
func (c *Counter) Requests() int64 { return c.requests.Load() }

// Writes is the number of POST and DELETE requests among them that HaloPSA may have applied:
// those answered 4xx (a 429, a refusal) applied nothing and are not counted.
func (c *Counter) Writes() int64 { return c.writes.Load() }

type counterKey struct{}

// WithCounter returns a context whose requests are also counted by c.
func WithCounter(ctx context.Context, c *Counter) context.Context {
	return context.WithValue(ctx, counterKey{}, c)
}

func counterFrom(ctx context.Context) *Counter {
	c, _ := ctx.Value(counterKey{}).(*Counter)
	return c
}
