package webhook

import (
	"slices"
	"sync"
	"time"
)

// Guarding the receiver against floods and disorder.
//
// A delivery may carry at most MaxEventsPerRequest events (413 otherwise: no single request
// can queue hours of work). Each object (a ticket, else the object the event is about) may
// have at most PerObjectPerMinute events dispatched in any rolling minute; the events over it
// are not dispatched and the delivery answers 429 with Retry-After, so HaloPSA re-sends them
// later and nothing is lost (the dispatcher re-reads the object anyway). Within a delivery
// events are taken in HaloPSA's timestamp order, and an event older than one already
// dispatched for the same object is stale: acknowledged, never dispatched.

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
	sent   []time.Time // dispatch times within the last minute, oldest first
	newest time.Time   // newest HaloPSA timestamp dispatched
	seen   time.Time   // last use, for eviction
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
		st = &objectState{}
		g.objects[key] = st
	}
	st.seen = now
	if !e.ChangedAt.IsZero() && e.ChangedAt.Before(st.newest) {
		return stale
	}
	cut := now.Add(-time.Minute)
	st.sent = slices.DeleteFunc(st.sent, func(t time.Time) bool { return !t.After(cut) })
	if len(st.sent) >= g.perMin {
		return limited
	}
	st.sent = append(st.sent, now)
	if e.ChangedAt.After(st.newest) {
		st.newest = e.ChangedAt
	}
	return allow
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
