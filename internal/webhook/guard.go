package webhook

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Guarding the receiver against floods and disorder.
//
// A delivery may carry at most MaxEventsPerRequest events (413 otherwise: no single request
// can queue hours of work). Each object (a ticket, else the object the event is about) may
// have at most PerObjectPerMinute events dispatched in any rolling minute; of the events over
// it only the latest is kept, and dispatched when the budget allows: the dispatcher re-reads
// the object, so that one dispatch brings whatever the skipped events reported, and a flood
// about one ticket delays that ticket by a minute at most and no other ticket at all. Within a delivery
// events are taken in HaloPSA's timestamp order, and an event older than one already
// dispatched with an effect for the same object under the same event name (a status change
// older than the last status change that changed something) is stale: acknowledged, never
// dispatched. Body timestamps are the sender's word: they count only for events whose re-read
// found something new, and never beyond the receiver's clock.

// Defaults of the guard's Config fields.
const (
	DefaultMaxEventsPerRequest = 50
	DefaultPerObjectPerMinute  = 20
	// guardObjects bounds the objects whose recent history the guard remembers.
	guardObjects = 10000
)

// guard keeps, per object, the start times of recent dispatches and the newest timestamp
// dispatched. It is safe for concurrent use.
type guard struct {
	mu      sync.Mutex
	perMin  int
	now     func() time.Time
	objects map[int]*objectState
}

type objectState struct {
	sent   []time.Time          // dispatch times within the last minute, oldest first
	newest map[string]time.Time // by event name: newest HaloPSA timestamp dispatched
	seen   time.Time            // last use, for eviction
}

func newGuard(perMin int, now func() time.Time) *guard {
	return &guard{perMin: perMin, now: now, objects: map[int]*objectState{}}
}

// verdict is what the guard says about one event.
type verdict int

const (
	allow   verdict = iota
	stale           // older than an event already dispatched for its object
	limited         // over the object's budget: ask for a re-send later
)

// objectOf is the key events are limited and ordered by.
func objectOf(e Event) int {
	if e.TicketID != 0 {
		return e.TicketID
	}
	return e.ObjectID
}

// take judges e and, when it is allowed, counts it.
func (g *guard) take(e Event) verdict {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	key := objectOf(e)
	st := g.objects[key]
	if st == nil {
		g.evict()
		st = &objectState{newest: map[string]time.Time{}}
		g.objects[key] = st
	}
	st.seen = now
	if !e.ChangedAt.IsZero() && e.ChangedAt.Before(st.newest[e.Name]) {
		return stale
	}
	cut := now.Add(-time.Minute)
	st.sent = slices.DeleteFunc(st.sent, func(t time.Time) bool { return !t.After(cut) })
	if len(st.sent) >= g.perMin {
		return limited
	}
	st.sent = append(st.sent, now)
	return allow
}

// commit records that e had an effect: later events of its kind that are older are stale. The
// timestamp is the body's, which anyone with the credential can write, so it counts only for
// an event whose re-read found something new, and never beyond the receiver's clock.
func (g *guard) commit(e Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.objects[objectOf(e)]
	if st == nil || e.ChangedAt.IsZero() {
		return
	}
	at := e.ChangedAt
	if now := g.now(); at.After(now) {
		at = now
	}
	if at.After(st.newest[e.Name]) {
		st.newest[e.Name] = at
	}
}

// wait is how long until ticket key may dispatch again.
func (g *guard) wait(e Event) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.objects[objectOf(e)]
	if st == nil || len(st.sent) < g.perMin {
		return 0
	}
	return max(st.sent[0].Add(time.Minute).Sub(g.now()), time.Millisecond)
}

// deferred holds, per object, the latest event over its budget until it may be dispatched.
type deferred struct {
	h       *handler
	mu      sync.Mutex
	pending map[int]Event
}

// maxDeferred bounds the objects with a deferred event; past it, events are dropped (logged).
const maxDeferred = 10000

// add keeps e as its object's deferred event and reports whether a dispatch was scheduled
// (false when one already was: e replaces the event it will dispatch).
func (d *deferred) add(e Event) bool {
	key := objectOf(e)
	d.mu.Lock()
	_, scheduled := d.pending[key]
	if !scheduled && len(d.pending) >= maxDeferred {
		d.mu.Unlock()
		d.h.log.Error("too many deferred webhook objects; event dropped", zap.String("event_id", e.ID))
		return false
	}
	d.pending[key] = e
	d.mu.Unlock()
	if !scheduled {
		d.h.cfg.Clock.AfterFunc(d.h.guard.wait(e), func() { d.flush(key) })
	}
	return !scheduled
}

// flush dispatches an object's deferred event, or waits again if its budget is still spent
// or the dispatch failed and may be retried.
func (d *deferred) flush(key int) {
	d.mu.Lock()
	e, ok := d.pending[key]
	d.mu.Unlock()
	if !ok {
		return
	}
	switch d.h.guard.take(e) {
	case limited:
		d.h.cfg.Clock.AfterFunc(d.h.guard.wait(e), func() { d.flush(key) })
		return
	case stale: // a newer event of its kind was dispatched meanwhile
		d.mu.Lock()
		delete(d.pending, key)
		d.mu.Unlock()
		return
	}
	d.mu.Lock()
	delete(d.pending, key)
	d.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := d.h.log.With(zap.String("event_id", e.ID), zap.String("event", e.Name), zap.Int("object_id", e.ObjectID))
	if err := d.h.d.Dispatch(ctx, e); err != nil && !errors.Is(err, ErrUnchanged) {
		d.h.guard.undo(e)
		if isRetryable(err) {
			log.Warn("deferred webhook event dispatch failed; trying again in 5 s", zap.Error(err))
			d.mu.Lock()
			if _, newer := d.pending[key]; !newer {
				d.pending[key] = e
				d.h.cfg.Clock.AfterFunc(5*time.Second, func() { d.flush(key) })
			}
			d.mu.Unlock()
			return
		}
		log.Error("deferred webhook event dispatch failed; dropped", zap.Error(err))
		return
	}
	d.h.guard.commit(e)
	log.Info("deferred webhook event dispatched")
}

// undo forgets a dispatch that failed and will be re-sent.
func (g *guard) undo(e Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if st := g.objects[objectOf(e)]; st != nil && len(st.sent) > 0 {
		st.sent = st.sent[:len(st.sent)-1]
	}
}

// evict drops the least recently used object when the map is full.
func (g *guard) evict() {
	if len(g.objects) < guardObjects {
		return
	}
	var oldest int
	var at time.Time
	for k, st := range g.objects {
		if at.IsZero() || st.seen.Before(at) {
			oldest, at = k, st.seen
		}
	}
	delete(g.objects, oldest)
}

// inTimeOrder sorts a delivery's events by HaloPSA's timestamp (stable). When an event has no
// timestamp the delivery's order is kept as it came.
func inTimeOrder(events []Event) []Event {
	out := slices.Clone(events)
	if slices.ContainsFunc(out, func(e Event) bool { return e.ChangedAt.IsZero() }) {
		return out
	}
	slices.SortStableFunc(out, func(a, b Event) int { return a.ChangedAt.Compare(b.ChangedAt) })
	return out
}
