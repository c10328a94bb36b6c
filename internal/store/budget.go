package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Budget is a HaloPSA tenant's rolling-window request budget kept in PostgreSQL, so that every
// process of a deployment (workers, webhook receivers, the CLI's set-up) draws from one budget:
// at most Limit requests start in any interval of length Window, whichever process sends them,
// and after a 429 every process waits for the pause. It implements halopsa.Budget.
//
// Each request takes one short transaction that locks the tenant's row: it reads the database's
// clock (so the hosts' clocks do not matter), drops the starts that left the window, and counts
// a new start when there is room.
type Budget struct {
	s      *Store
	key    string
	limit  int
	window time.Duration // HaloPSA's window plus a 1 % margin (see halopsa.Limiter)
	pause  time.Duration
	waits  atomic.Int64
	// onReserve, when set (by tests), sees every granted start time (the database's clock).
	onReserve func(time.Time)
}

// ErrNotShared is returned by NewBudget on an SQLite store: a budget shared between processes
// needs PostgreSQL; one process uses halopsa's in-process Limiter.
var ErrNotShared = errors.New("a budget shared between processes needs the PostgreSQL store")

// NewBudget returns the budget of tenant key (halopsa.LimiterKey) allowing limit requests per
// window; pause is how long everyone waits after a 429 without Retry-After (default 30 s).
func (s *Store) NewBudget(ctx context.Context, key string, limit int, window, pause time.Duration) (*Budget, error) {
	if !s.Postgres() {
		return nil, ErrNotShared
	}
	if limit < 1 || window <= 0 {
		return nil, fmt.Errorf("a HaloPSA budget needs a positive limit and window, not %d per %v", limit, window)
	}
	if pause <= 0 {
		pause = 30 * time.Second
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO halo_budget(key) VALUES ($1) ON CONFLICT DO NOTHING`, key); err != nil {
		return nil, fmt.Errorf("creating the HaloPSA budget: %w", err)
	}
	span := window + max(window/100, time.Millisecond)
	return &Budget{s: s, key: key, limit: limit, window: span, pause: pause}, nil
}

// Wait blocks until a request may be sent, then counts it. It returns ctx's error if ctx ends
// first (the request is then not counted).
func (b *Budget) Wait(ctx context.Context) error {
	for {
		d, err := b.reserve(ctx)
		if err != nil {
			return fmt.Errorf("waiting for HaloPSA rate-limit budget: %w", err)
		}
		if d <= 0 {
			return nil
		}
		b.waits.Add(1)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for HaloPSA rate-limit budget: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// reserve counts a start and returns 0, or returns how long to wait before trying again.
func (b *Budget) reserve(ctx context.Context) (time.Duration, error) {
	var wait time.Duration
	err := b.s.tx(ctx, func(tx *sql.Tx) error {
		var now, pausedUntil time.Time
		err := tx.QueryRowContext(ctx, `SELECT clock_timestamp(), paused_until FROM halo_budget WHERE key = $1 FOR UPDATE`, b.key).
			Scan(&now, &pausedUntil)
		if err != nil {
			return err
		}
		if now.Before(pausedUntil) {
			wait = pausedUntil.Sub(now)
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM halo_requests WHERE key = $1 AND at <= $2`, b.key, now.Add(-b.window)); err != nil {
			return err
		}
		var n int
		var oldest sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(at) FROM halo_requests WHERE key = $1`, b.key).Scan(&n, &oldest); err != nil {
			return err
		}
		if n >= b.limit {
			wait = max(oldest.Time.Add(b.window).Sub(now), time.Millisecond)
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO halo_requests(key, at) VALUES ($1, $2)`, b.key, now); err != nil {
			return err
		}
		if b.onReserve != nil {
			b.onReserve(now)
		}
		return nil
	})
	return wait, err
}

// Pause makes every process wait: for retryAfter when the server said so (capped at 10 minutes),
// otherwise for the configured pause. Pauses never shorten an earlier, longer one. A failure to
// record the pause is not reported: the request that drew the 429 waits for budget again anyway.
func (b *Budget) Pause(retryAfter time.Duration) {
	d := b.pause
	if retryAfter > 0 {
		d = min(retryAfter, 10*time.Minute)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = b.s.db.ExecContext(ctx, `UPDATE halo_budget SET paused_until = GREATEST(paused_until, clock_timestamp() + $2 * interval '1 microsecond') WHERE key = $1`,
		b.key, d.Microseconds())
}

// Waits returns how many times a caller of this process had to wait for budget or a pause.
func (b *Budget) Waits() int64 { return b.waits.Load() }

// Starts returns the request start times recorded inside the current window, oldest first (for
// tests and reports).
func (b *Budget) Starts(ctx context.Context) ([]time.Time, error) {
	rows, err := b.s.db.QueryContext(ctx, `SELECT at FROM halo_requests WHERE key = $1 ORDER BY at`, b.key)
	if err != nil {
		return nil, fmt.Errorf("reading the HaloPSA budget: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, rows.Err()
}
