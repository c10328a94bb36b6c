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
// HaloPSA never sees more than Limit requests arrive inside one Window, whichever process sends
// them, and after a 429 every process waits for the pause. It implements halopsa.Budget and
// halopsa.AnsweredBudget.
//
// Each start takes one short transaction that locks the tenant's row: it reads the database's
// clock (so the hosts' clocks do not matter), drops the requests that stopped counting, and
// counts a new one when there is room. A request taken with Take counts from its start until
// one window after its answer: HaloPSA counts it from its arrival, which lies in between, so
// no delay on its way (a slow commit, a busy host, the network) can bunch requests up at
// HaloPSA. A request never answered (its process was killed) counts for two windows from its
// start; one that failed without an answer, for two windows from its failure.
type Budget struct {
	s      *Store
	key    string
	limit  int
	window time.Duration // HaloPSA's window
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
	return &Budget{s: s, key: key, limit: limit, window: window, pause: pause}, nil
}

// startSpan is how long a request counted by Wait (whose answer the budget is not told of)
// counts from its start: the window plus 1 %, as halopsa.Limiter keeps, for the time it takes
// to reach HaloPSA.
func (b *Budget) startSpan() time.Duration { return b.window + max(b.window/100, time.Millisecond) }

// Wait blocks until a request may be sent, then counts it from now for the window and 1 %. It
// returns ctx's error if ctx ends first (the request is then not counted). Prefer Take, which
// counts a request until a window after its answer.
func (b *Budget) Wait(ctx context.Context) error {
	_, err := b.take(ctx, b.startSpan())
	return err
}

// Take blocks until a request may be sent, then counts it as in flight; call done once the
// request is over, with whether it was answered (see halopsa.AnsweredBudget; safe to call from
// any goroutine, once). It returns ctx's error if ctx ends first (the request is then not
// counted).
func (b *Budget) Take(ctx context.Context) (done func(answered bool), err error) {
	id, err := b.take(ctx, 2*b.window)
	if err != nil {
		return nil, err
	}
	return func(answered bool) { b.over(id, answered) }, nil
}

// take waits for room and counts a request for hold from its start; it returns the request's row.
func (b *Budget) take(ctx context.Context, hold time.Duration) (int64, error) {
	for {
		id, d, err := b.reserve(ctx, hold)
		if err != nil {
			return 0, fmt.Errorf("waiting for HaloPSA rate-limit budget: %w", err)
		}
		if d <= 0 {
			return id, nil
		}
		b.waits.Add(1)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, fmt.Errorf("waiting for HaloPSA rate-limit budget: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// live is the SQL expression of when a row stops counting ($2: the start span of rows without
// "until", written by processes from before it).
const live = `COALESCE(until, at + $2 * interval '1 microsecond')`

// reserve counts a start held for hold and returns its row, or returns how long to wait
// before trying again.
func (b *Budget) reserve(ctx context.Context, hold time.Duration) (id int64, wait time.Duration, err error) {
	err = b.s.tx(ctx, func(tx *sql.Tx) error {
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
		span := b.startSpan().Microseconds()
		if _, err := tx.ExecContext(ctx, `DELETE FROM halo_requests WHERE key = $1 AND `+live+` <= $3`, b.key, span, now); err != nil {
			return err
		}
		var n int
		var next sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(`+live+`) FROM halo_requests WHERE key = $1`, b.key, span).
			Scan(&n, &next); err != nil {
			return err
		}
		if n >= b.limit {
			wait = max(next.Time.Sub(now), time.Millisecond)
			return nil
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO halo_requests(key, at, until) VALUES ($1, $2, $3) RETURNING id`,
			b.key, now, now.Add(hold)).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE halo_budget SET granted = granted + 1 WHERE key = $1`, b.key); err != nil {
			return err
		}
		if b.onReserve != nil {
			b.onReserve(now)
		}
		return nil
	})
	return id, wait, err
}

// over ends request id (the database's clock, read after it ended): answered, it counts until
// one window after now; failed without an answer, until two windows after now, never less than
// it already did, because it may still reach HaloPSA after the client gave up. A request that
// has stopped counting meanwhile (in flight for two windows) is counted again from now. A
// failure is not reported: the request then counts for the two windows of one in flight.
func (b *Budget) over(id int64, answered bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hold, set := b.window, `clock_timestamp() + $2 * interval '1 microsecond'`
	if !answered {
		hold, set = 2*b.window, `GREATEST(until, clock_timestamp() + $2 * interval '1 microsecond')`
	}
	us := hold.Microseconds()
	res, err := b.s.db.ExecContext(ctx, `UPDATE halo_requests SET until = `+set+` WHERE id = $1`, id, us)
	if err != nil {
		return
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		_, _ = b.s.db.ExecContext(ctx, `INSERT INTO halo_requests(key, at, until)
			VALUES ($1, clock_timestamp(), clock_timestamp() + $2 * interval '1 microsecond')`, b.key, us)
	}
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

// InUse returns how many requests, from every process, count against the budget now (the
// database's clock): the shared figure of halopsa.Limiter's InUse.
func (b *Budget) InUse(ctx context.Context) (int, error) {
	var n int
	err := b.s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM halo_requests WHERE key = $1 AND `+live+` > clock_timestamp()`,
		b.key, b.startSpan().Microseconds()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("reading the HaloPSA budget: %w", err)
	}
	return n, nil
}

// Granted returns how many requests the budget has let through since it was created, from
// every process: never fewer than HaloPSA received, unless a request went around it.
func (b *Budget) Granted(ctx context.Context) (int64, error) {
	var n int64
	if err := b.s.db.QueryRowContext(ctx, `SELECT granted FROM halo_budget WHERE key = $1`, b.key).Scan(&n); err != nil {
		return 0, fmt.Errorf("reading the HaloPSA budget: %w", err)
	}
	return n, nil
}
