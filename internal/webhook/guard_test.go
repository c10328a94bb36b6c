package webhook

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when told, running what falls due.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	timed []timedFunc
}

type timedFunc struct {
	at time.Time
	f  func()
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timed = append(c.timed, timedFunc{at: c.now.Add(d), f: f})
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	keep := c.timed[:0]
	for _, tf := range c.timed {
		if !tf.at.After(c.now) {
			due = append(due, tf.f)
		} else {
			keep = append(keep, tf)
		}
	}
	c.timed = keep
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

// ticketEvent is a delivery about ticket with its own delivery id and timestamp.
func ticketEvent(delivery string, ticket int, at time.Time) string {
	return fmt.Sprintf(`{"id":%q,"webhook_id":"w","event":"ticket status changed","object_id":%d,`+
		`"timestamp":%q,"ticket":{"id":%d,"status_id":2}}`, delivery, ticket, at.Format(time.RFC3339), ticket)
}

func batch(events ...string) string { return "[" + strings.Join(events, ",") + "]" }

func TestGuard(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	many := func(n, ticket int) string {
		var evs []string
		for i := range n {
			evs = append(evs, ticketEvent(fmt.Sprintf("f%d-%d", ticket, i), ticket, t0.Add(time.Duration(i)*time.Second)))
		}
		return batch(evs...)
	}
	type step struct {
		body       string
		advance    time.Duration // before sending
		wantStatus int
		wantSent   int // events dispatched so far
	}
	tests := []struct {
		name  string
		steps []step
		order []int  // ticket ids in dispatch order, when checked
		last  string // delivery id of the last event dispatched, when checked
	}{
		{name: "a delivery over the per-request cap dispatches nothing",
			steps: []step{{body: many(DefaultMaxEventsPerRequest+1, 7), wantStatus: http.StatusRequestEntityTooLarge, wantSent: 0}}},
		{name: "500 events in one delivery are refused at once",
			steps: []step{{body: many(500, 7), wantStatus: http.StatusRequestEntityTooLarge, wantSent: 0}}},
		{name: "per-ticket budget: the latest event over it is dispatched a minute later",
			steps: []step{
				{body: many(25, 7), wantStatus: http.StatusOK, wantSent: 20},
				{body: many(25, 7), wantStatus: http.StatusOK, wantSent: 20}, // re-sent: duplicates
				{advance: 30 * time.Second, wantSent: 20},
				{advance: 30 * time.Second, wantSent: 21},
				{advance: time.Hour, wantSent: 21},
			},
			last: "f7-24"},
		{name: "another ticket is not held back by a busy one",
			steps: []step{
				{body: many(25, 7), wantStatus: http.StatusOK, wantSent: 20},
				{body: batch(ticketEvent("dnc", 8, t0)), wantStatus: http.StatusOK, wantSent: 21},
			}},
		{name: "events are taken in HaloPSA's time order; an older one is stale",
			steps: []step{
				{body: batch(ticketEvent("late", 9, t0.Add(2*time.Minute)), ticketEvent("early", 10, t0), ticketEvent("mid", 9, t0.Add(time.Minute))),
					advance: time.Hour, wantStatus: http.StatusOK, wantSent: 3},
				{body: batch(ticketEvent("older", 9, t0.Add(30*time.Second))), wantStatus: http.StatusOK, wantSent: 3},
			},
			order: []int{10, 9, 9}},
		{name: "a forged timestamp from the future holds nothing back",
			steps: []step{
				{body: batch(ticketEvent("future", 9, t0.Add(24*time.Hour))), wantStatus: http.StatusOK, wantSent: 1},
				{body: batch(ticketEvent("real", 9, t0.Add(time.Second))), advance: 2 * time.Second, wantStatus: http.StatusOK, wantSent: 2},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{now: t0}
			rc := &recorder{}
			h := NewHandler(Config{User: testUser, Password: testPassword, Clock: clock}, rc, nil)
			for i, s := range tc.steps {
				clock.advance(s.advance)
				if s.body != "" {
					if resp := send(h, request{body: s.body}); resp.StatusCode != s.wantStatus {
						t.Fatalf("step %d: status %d, want %d", i, resp.StatusCode, s.wantStatus)
					}
				}
				if n := len(rc.objects()); n != s.wantSent {
					t.Fatalf("step %d: %d events dispatched, want %d", i, n, s.wantSent)
				}
			}
			if tc.last != "" && rc.events[len(rc.events)-1].DeliveryID != tc.last {
				t.Errorf("last dispatched %s, want %s", rc.events[len(rc.events)-1].DeliveryID, tc.last)
			}
			if tc.order != nil && !slices.Equal(rc.objects(), tc.order) {
				t.Errorf("dispatch order %v, want %v", rc.objects(), tc.order)
			}
		})
	}
}

// TestGuardNothingNew: events whose re-read shows nothing new (forged or replayed with fresh
// ids) cost a few re-reads, however many arrive; a real change among them is dispatched when
// the object's wait ends, and another object is never held back.
func TestGuardNothingNew(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	rc := &recorder{}
	rc.fail = func(n int) error {
		if e := rc.events[n]; strings.HasPrefix(e.DeliveryID, "forged") {
			return ErrUnchanged
		}
		return nil
	}
	h := NewHandler(Config{User: testUser, Password: testPassword, Clock: clock}, rc, nil)
	deliver := func(id string, ticket int) {
		t.Helper()
		if resp := send(h, request{body: ticketEvent(id, ticket, clock.Now())}); resp.StatusCode != http.StatusOK {
			t.Fatalf("delivery %s answered %d", id, resp.StatusCode)
		}
	}
	steps := []struct {
		name     string
		do       func()
		wantSent int
		wantLast string
	}{
		{"100 forged events: one re-read", func() {
			for i := range 100 {
				deliver(fmt.Sprintf("forged-%d", i), 7)
			}
		}, 1, "forged-0"},
		{"another ticket is not held back", func() { deliver("other", 8) }, 2, "other"},
		{"the latest forged event is re-read after the first gap", func() { clock.advance(firstReadGap) }, 3, "forged-99"},
		{"a real change waits for the doubled gap", func() { deliver("real", 7) }, 3, "forged-99"},
		{"and is dispatched when it ends", func() { clock.advance(2 * firstReadGap) }, 4, "real"},
		{"after a change the next re-read is at once", func() {
			for i := range 100 {
				deliver(fmt.Sprintf("forged-replay-%d", i), 7)
			}
		}, 5, "forged-replay-0"},
		{"then one more", func() { clock.advance(time.Hour) }, 6, "forged-replay-99"},
		{"and nothing is left", func() { clock.advance(time.Hour) }, 6, "forged-replay-99"},
	}
	for _, s := range steps {
		s.do()
		got := rc.objects()
		if len(got) != s.wantSent {
			t.Fatalf("%s: %d dispatches, want %d", s.name, len(got), s.wantSent)
		}
		if last := rc.events[len(rc.events)-1].DeliveryID; last != s.wantLast {
			t.Fatalf("%s: last dispatched %s, want %s", s.name, last, s.wantLast)
		}
	}
}

func TestReadGap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		quiet int
		want  time.Duration
	}{
		{0, 0}, {1, firstReadGap}, {2, 2 * firstReadGap}, {3, 4 * firstReadGap}, {5, 16 * firstReadGap},
		{6, maxReadGap}, {7, maxReadGap}, {100, maxReadGap},
	}
	for _, tt := range tests {
		if got := readGap(tt.quiet); got != tt.want {
			t.Errorf("readGap(%d) = %s, want %s", tt.quiet, got, tt.want)
		}
	}
}
