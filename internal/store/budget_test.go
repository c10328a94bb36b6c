package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"haloleads/internal/store/storetest"
)

// TestBudgetIsSharedBetweenProcesses draws from one tenant's budget through two store handles
// (two processes' connection pools) at once: no window of the database's clock holds more
// starts than the limit, and every request is granted.
func TestBudgetIsSharedBetweenProcesses(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	const limit, window, perWorker = 6, 400 * time.Millisecond, 6
	var mu sync.Mutex
	var starts []time.Time
	var budgets []*Budget
	for range 2 {
		s, err := OpenPostgres(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		b, err := s.NewBudget(ctx, "https://halo.example|t", limit, window, 0)
		if err != nil {
			t.Fatal(err)
		}
		b.onReserve = func(at time.Time) { mu.Lock(); starts = append(starts, at); mu.Unlock() }
		budgets = append(budgets, b)
	}
	var wg sync.WaitGroup
	for _, b := range budgets {
		for range 3 {
			wg.Go(func() {
				for range perWorker {
					if err := b.Wait(ctx); err != nil {
						t.Error(err)
					}
				}
			})
		}
	}
	wg.Wait()
	if len(starts) != 2*3*perWorker {
		t.Fatalf("%d starts granted, want %d", len(starts), 2*3*perWorker)
	}
	if n := maxInWindow(starts, window); n > limit {
		t.Fatalf("%d requests started inside one %v window, limit %d", n, window, limit)
	}
	if budgets[0].Waits()+budgets[1].Waits() == 0 {
		t.Fatal("nobody waited: the budget was not shared")
	}
}

// TestBudgetPauseHoldsEveryProcess: after one process's 429, the other's next request starts
// only once the pause has passed (by the database's clock).
func TestBudgetPauseHoldsEveryProcess(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	var bs [2]*Budget
	for i := range bs {
		s, err := OpenPostgres(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if bs[i], err = s.NewBudget(ctx, "k", 100, time.Minute, 0); err != nil {
			t.Fatal(err)
		}
	}
	var granted time.Time
	bs[1].onReserve = func(at time.Time) { granted = at }
	bs[0].Pause(300 * time.Millisecond)
	var until time.Time
	if err := bs[0].s.db.QueryRowContext(ctx, `SELECT paused_until FROM halo_budget WHERE key = 'k'`).Scan(&until); err != nil {
		t.Fatal(err)
	}
	if err := bs[1].Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if granted.Before(until) || bs[1].Waits() == 0 {
		t.Fatalf("request started at %v, inside the pause that ends at %v", granted, until)
	}
}

// TestBudgetCountsRequestsUntilAnswered: a request taken with Take counts for two windows while
// it is in flight (its process may be killed), and for one window from its answer once it is
// answered; one counted by Wait, for the window and 1 % from its start; a row written by an
// older process (no "until") likewise. Nothing here depends on how long the test takes: the
// window is an hour.
func TestBudgetCountsRequestsUntilAnswered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := OpenPostgres(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const limit, window = 4, time.Hour
	b, err := s.NewBudget(ctx, "k", limit, window, 0)
	if err != nil {
		t.Fatal(err)
	}
	held := func(id int64) (inFlight, afterAnswer bool) {
		t.Helper()
		err := s.db.QueryRowContext(ctx, `SELECT until - at = interval '2 hours',
			until > clock_timestamp() + interval '59 minutes' AND until < at + interval '2 hours' FROM halo_requests WHERE id = $1`, id).
			Scan(&inFlight, &afterAnswer)
		if err != nil {
			t.Fatal(err)
		}
		return inFlight, afterAnswer
	}
	lastID := func() (id int64) {
		t.Helper()
		if err := s.db.QueryRowContext(ctx, `SELECT MAX(id) FROM halo_requests`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	inUse := func(want int) {
		t.Helper()
		if n, err := b.InUse(ctx); err != nil || n != want {
			t.Fatalf("in use %d (%v), want %d", n, err, want)
		}
	}

	done, err := b.Take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := lastID()
	if inFlight, _ := held(first); !inFlight {
		t.Fatal("a request in flight does not count for two windows from its start")
	}
	done(true)
	if inFlight, after := held(first); inFlight || !after {
		t.Fatal("an answered request does not count for one window from its answer")
	}
	inUse(1)

	if err := b.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var spanOK bool
	if err := s.db.QueryRowContext(ctx, `SELECT until - at = interval '1 hour 36 seconds' FROM halo_requests WHERE id = $1`, lastID()).Scan(&spanOK); err != nil || !spanOK {
		t.Fatalf("a request counted by Wait does not count for the window and 1 %% (%v)", err)
	}
	// An older process's rows: one from two hours ago no longer counts, one from now does.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO halo_requests(key, at) VALUES ('k', clock_timestamp() - interval '2 hours'), ('k', clock_timestamp())`); err != nil {
		t.Fatal(err)
	}
	inUse(3)

	// A request answered after its row stopped counting is counted again from its answer.
	done, err = b.Take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM halo_requests WHERE id = $1`, lastID()); err != nil {
		t.Fatal(err)
	}
	done(true)
	if _, after := held(lastID()); !after {
		t.Fatal("a request answered after its row was dropped is not counted from its answer")
	}
	inUse(4)

	// A request that failed without an answer (a cancelled context, a timeout) may reach
	// HaloPSA after the client gave up: it counts for two windows from its failure, never less
	// than it already did. Made room for by dropping the older process's row.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM halo_requests WHERE until IS NULL`); err != nil {
		t.Fatal(err)
	}
	done, err = b.Take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	failed := lastID()
	if _, err := s.db.ExecContext(ctx, `UPDATE halo_requests SET at = at - interval '30 minutes', until = until - interval '30 minutes' WHERE id = $1`, failed); err != nil {
		t.Fatal(err)
	}
	done(false)
	var twoFromFailure bool
	if err := s.db.QueryRowContext(ctx, `SELECT until > clock_timestamp() + interval '119 minutes' FROM halo_requests WHERE id = $1`, failed).
		Scan(&twoFromFailure); err != nil || !twoFromFailure {
		t.Fatalf("a request that failed without an answer does not count for two windows from its failure (%v)", err)
	}
	inUse(4)

	// The budget is full: the next request waits (here until its context ends, uncounted).
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := b.Take(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Take on a full budget: %v, want the context's deadline", err)
	}
	inUse(4)
}

func TestBudgetNeedsPostgres(t *testing.T) {
	t.Parallel()
	s := openSQLite(t)
	if _, err := s.NewBudget(context.Background(), "k", 1, time.Second, 0); !errors.Is(err, ErrNotShared) {
		t.Fatalf("SQLite budget: %v, want ErrNotShared", err)
	}
}

// maxInWindow returns the largest number of times inside any half-open window [t, t+w).
func maxInWindow(ts []time.Time, w time.Duration) int {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	best, lo := 0, 0
	for hi := range ts {
		for !ts[hi].Before(ts[lo].Add(w)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// Processes starting together migrate one database once: the advisory lock serialises them.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := OpenPostgres(url)
			if err == nil {
				err = s.SaveIdentities(context.Background(), map[string]string{"email:a@example.com": "lead-1"})
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	s, err := OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id, ok, _ := s.LookupIdentity(context.Background(), "email:a@example.com"); !ok || id != "lead-1" {
		t.Fatalf("after reopen: %q %v", id, ok)
	}
}

// BenchmarkBudget measures one request's cost in the shared budget: Wait (a transaction), and
// Take with its answer (a transaction and an update).
func BenchmarkBudget(b *testing.B) {
	s, err := OpenPostgres(storetest.PostgresURL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	bud, err := s.NewBudget(ctx, "k", 1<<30, time.Second, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("wait", func(b *testing.B) {
		for b.Loop() {
			if err := bud.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("take+answered", func(b *testing.B) {
		for b.Loop() {
			done, err := bud.Take(ctx)
			if err != nil {
				b.Fatal(err)
			}
			done(true)
		}
	})
}
