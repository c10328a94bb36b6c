package halopsa

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"
)

func TestLimiterNeverExceedsBudgetInAnyWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		limit, workers int
		perWorker      int
		window         time.Duration
	}{
		{"tight", 3, 4, 10, 10 * time.Second},
		{"halo default", 300, 20, 50, 5 * time.Minute},
		{"one at a time", 1, 8, 5, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			l, err := NewLimiter(LimiterConfig{Limit: tc.limit, Window: tc.window, Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var starts []time.Time
			l.onReserve = func(at time.Time) { mu.Lock(); starts = append(starts, at); mu.Unlock() }
			var wg sync.WaitGroup
			for range tc.workers {
				wg.Go(func() {
					for range tc.perWorker {
						if err := l.Wait(context.Background()); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if len(starts) != tc.workers*tc.perWorker {
				t.Fatalf("%d starts, want %d", len(starts), tc.workers*tc.perWorker)
			}
			if n, at := maxInWindow(starts, tc.window); n > tc.limit {
				t.Fatalf("%d requests in the window starting %v, limit %d", n, at, tc.limit)
			}
		})
	}
}

// maxInWindow returns the largest number of times inside any half-open window [t, t+w).
func maxInWindow(ts []time.Time, w time.Duration) (int, time.Time) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, at, lo := 0, time.Time{}, 0
	for hi := range ts {
		for !ts[hi].Before(ts[lo].Add(w)) {
			lo++
		}
		if n := hi - lo + 1; n > best {
			best, at = n, ts[lo]
		}
	}
	return best, at
}

func TestLimiterWaitsForTheOldestToLeaveTheWindow(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	t0 := clock.Now()
	l, err := NewLimiter(LimiterConfig{Limit: 3, Window: 10 * time.Second, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Duration
	for range 7 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		got = append(got, clock.Now().Sub(t0))
	}
	// The window plus the limiter's 1 % safety margin.
	span := 10*time.Second + 100*time.Millisecond
	want := []time.Duration{0, 0, 0, span, span, span, 2 * span}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("start times %v, want %v", got, want)
		}
	}
	if l.Waits() != 2 {
		t.Errorf("waits = %d, want 2", l.Waits())
	}
}

func TestLimiterPause(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		pauses []time.Duration // successive Pause arguments
		want   time.Duration
	}{
		{"default pause", []time.Duration{0}, 30 * time.Second},
		{"retry-after wins", []time.Duration{5 * time.Second}, 5 * time.Second},
		{"longer earlier pause is kept", []time.Duration{2 * time.Minute, 5 * time.Second}, 2 * time.Minute},
		{"capped", []time.Duration{24 * time.Hour}, maxPause},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			t0 := clock.Now()
			l, err := NewLimiter(LimiterConfig{Limit: 10, Window: time.Minute, Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.pauses {
				l.Pause(p)
			}
			if err := l.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := clock.Now().Sub(t0); got != tc.want {
				t.Errorf("waited %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSharedLimiterIsPerTenant(t *testing.T) {
	t.Parallel()
	var reg Limiters
	a, _ := reg.SharedLimiter(LimiterKey("https://Acme.halopsa.com/", "acme"), 300, 5*time.Minute)
	b, _ := reg.SharedLimiter(LimiterKey("https://acme.halopsa.com", "ACME"), 10, time.Second)
	c, _ := reg.SharedLimiter(LimiterKey("https://acme.halopsa.com", "other"), 300, 5*time.Minute)
	if a != b || a == c {
		t.Fatalf("same tenant must share, others must not: a=%p b=%p c=%p", a, b, c)
	}
	f := newFakeHalo(t)
	c1 := f.client(t, func(cfg *Config) { cfg.Limiters = &reg; cfg.Tenant = "t" })
	c2 := f.client(t, func(cfg *Config) { cfg.Limiters = &reg; cfg.Tenant = "t" })
	if c1.Limiter() != c2.Limiter() {
		t.Error("two clients of one tenant got different limiters")
	}
	if _, err := NewLimiter(LimiterConfig{}); err == nil {
		t.Error("NewLimiter accepted a zero limit")
	}
}
