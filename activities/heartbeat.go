package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// heartbeat keeps a long activity alive for the whole of its run, whatever it is doing (a
// dedupe, a limiter wait, a 429 pause): a goroutine records the latest progress every tick, so
// the heartbeat timeout only fires when the process is gone. The SDK batches the records and
// sends the last one when the activity ends, so a retry resumes from it
// (activity.GetHeartbeatDetails). When Temporal has given up on this attempt (timed out,
// cancelled), the SDK cancels ctx and every request made with it stops.
type heartbeat struct {
	ctx  context.Context
	mu   sync.Mutex
	last any
	stop chan struct{}
	done chan struct{}
}

// startHeartbeat starts ticking with details as the first progress. Call stop when done.
// Outside an activity (unit tests of the parts) it does nothing.
func startHeartbeat(ctx context.Context, details any) *heartbeat {
	h := &heartbeat{ctx: ctx, last: details, stop: make(chan struct{}), done: make(chan struct{})}
	if !activity.IsActivity(ctx) {
		close(h.done)
		return h
	}
	activity.RecordHeartbeat(ctx, details)
	every := heartbeatEvery(activity.GetInfo(ctx).HeartbeatTimeout)
	go h.run(every)
	return h
}

// heartbeatEvery ticks four times per heartbeat timeout, between 1 and 30 seconds.
func heartbeatEvery(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 10 * time.Second
	}
	return min(max(timeout/4, time.Second), 30*time.Second)
}

func (h *heartbeat) run(every time.Duration) {
	defer close(h.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.mu.Lock()
			d := h.last
			h.mu.Unlock()
			activity.RecordHeartbeat(h.ctx, d)
		}
	}
}

// progress records new details and sends them (the SDK throttles what it sends).
func (h *heartbeat) progress(details any) {
	h.mu.Lock()
	h.last = details
	h.mu.Unlock()
	if activity.IsActivity(h.ctx) {
		activity.RecordHeartbeat(h.ctx, details)
	}
}

// end stops the ticker.
func (h *heartbeat) end() {
	select {
	case <-h.done:
		return
	default:
	}
	close(h.stop)
	<-h.done
}
