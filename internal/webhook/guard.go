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
//
// Each dispatch re-reads the object from HaloPSA, which costs API requests from the tenant's
// budget whether or not the event was real. So that events showing nothing new (forged or
// replayed with fresh ids) cannot spend that budget, an object is re-read by one dispatch at a
// time, and after a re-read that found nothing new the next waits firstReadGap, doubling with
// each further one up to maxReadGap; a re-read that finds something new ends the wait. Events
// that arrive meanwhile are deferred as above (the latest is dispatched when the wait ends), so
// a flood about one ticket costs a few re-reads and delays that ticket's real change by
// maxReadGap at most.

// Defaults of the guard's Config fields.
const (
	DefaultMaxEventsPerRequest = 50
	DefaultPerObjectPerMinute  = 20
	// guardObjects bounds the objects whose recent history the guard remembers.
	guardObjects = 10000
	// firstReadGap is the least time between two re-reads of an object after one that found
	// nothing new; it doubles with each further such re-read, up to maxReadGap.
	firstReadGap = time.Second
	maxReadGap   = 30 * time.Second
	// inFlightRetry is how soon an event deferred behind a running re-read of its object is
	// tried again.
	inFlightRetry = 250 * time.Millisecond
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
	// reading counts dispatches in flight; quiet counts the re-reads in a row that found
	// nothing new, and readAt is when the next re-read may start.
	reading int
	quiet   int
	readAt  time.Time
}

// readGap is the wait before the next re-read after quiet re-reads in a row found nothing new.
func readGap(quiet int) time.Duration {
	if quiet <= 0 {
		return 0
	}
	if quiet > 6 {
		return maxReadGap
	}
	return min(firstReadGap<<(quiet-1), maxReadGap)
}

// outcome is what a dispatch came to, for the guard.
type outcome int

const (
	effect    outcome = iota // the object showed something new: counted, its timestamp kept
	unchanged                // nothing new: not counted, the next re-read waits
	retry                    // failed, to be re-sent: not counted
	dropped                  // failed for good: counted
)

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
	if st.reading > 0 || now.Before(st.readAt) {
		return limited
	}
	cut := now.Add(-time.Minute)
	st.sent = slices.DeleteFunc(st.sent, func(t time.Time) bool { return !t.After(cut) })
	if len(st.sent) >= g.perMin {
		return limited
	}
	st.sent = append(st.sent, now)
	st.reading++
	return allow
}

// finish records what the dispatch of an event take allowed came to.
func (g *guard) finish(e Event, o outcome) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.objects[objectOf(e)]
	if st == nil {
		return
	}
	st.reading = max(st.reading-1, 0)
	switch o {
	case effect:
		st.quiet, st.readAt = 0, time.Time{}
		g.commit(st, e)
	case unchanged:
		st.quiet++
		st.readAt = g.now().Add(readGap(st.quiet))
		st.uncount()
	case retry:
		st.uncount()
	}
}

// uncount forgets the latest dispatch in the object's per-minute budget.
func (st *objectState) uncount() {
	if len(st.sent) > 0 {
		st.sent = st.sent[:len(st.sent)-1]
	}
}

// commit records that e had an effect: later events of its kind that are older are stale. The
// timestamp is the body's, which anyone with the credential can write, so it counts only for
// an event whose re-read found something new, and never beyond the receiver's clock. Called
// with g.mu held.
func (g *guard) commit(st *objectState, e Event) {
	if e.ChangedAt.IsZero() {
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

// wait is how long until e's object may dispatch again.
func (g *guard) wait(e Event) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.objects[objectOf(e)]
	if st == nil {
		return 0
	}
	now := g.now()
	var d time.Duration
	if len(st.sent) >= g.perMin {
		d = st.sent[0].Add(time.Minute).Sub(now)
	}
	d = max(d, st.readAt.Sub(now))
	if st.reading > 0 {
		d = max(d, inFlightRetry)
	}
	return max(d, time.Millisecond)
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
	err := d.h.d.Dispatch(ctx, e)
	switch {
	case err == nil:
		d.h.guard.finish(e, effect)
		log.Info("deferred webhook event dispatched")
	case errors.Is(err, ErrUnchanged):
		d.h.guard.finish(e, unchanged)
		log.Debug("deferred webhook event shows nothing new")
	case isRetryable(err):
		d.h.guard.finish(e, retry)
		log.Warn("deferred webhook event dispatch failed; trying again in 5 s", zap.Error(err))
		d.mu.Lock()
		if _, newer := d.pending[key]; !newer {
			d.pending[key] = e
			d.h.cfg.Clock.AfterFunc(5*time.Second, func() { d.flush(key) })
		}
		d.mu.Unlock()
	default:
		d.h.guard.finish(e, dropped)
		log.Error("deferred webhook event dispatch failed; dropped", zap.Error(err))
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
