package halopsa

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Clock is the time source of a Limiter. Tests substitute a fake clock so that nothing really
// waits.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// maxPause caps a server-requested pause (Retry-After) so that one odd header cannot stall the
// process for hours.
const maxPause = 10 * time.Minute

// LimiterConfig configures a Limiter.
type LimiterConfig struct {
	Limit  int           // requests per Window; required
	Window time.Duration // rolling window; required
	// Pause is how long everyone waits after a 429 without Retry-After. Default 30 s.
	Pause time.Duration
	Clock Clock // default the real clock
}

// Budget is the request budget a Client draws from: every request it sends (API calls, token
// requests, re-sends) first waits in Wait, and a 429 answer calls Pause. *Limiter is the
// in-process budget; a budget shared by several processes implements the same two methods.
type Budget interface {
	// Wait blocks until a request may be sent and counts it, or returns ctx's error.
	Wait(ctx context.Context) error
	// Pause makes every caller wait after a 429: for retryAfter when the server said so,
	// otherwise for the configured pause.
	Pause(retryAfter time.Duration)
}

// AnsweredBudget is a Budget that is also told when each request it let through has been
// answered, so that it can count a request until a window after its answer: the server counts
// it from its arrival, somewhere between its start and its answer, however long it took to get
// there. Both budgets, the in-process *Limiter and the one shared between processes
// (store.Budget), implement it; the transport prefers Take to Wait when the budget has it.
type AnsweredBudget interface {
	Budget
	// Take blocks until a request may be sent and counts it, or returns ctx's error. done is
	// called once, when the request is over: answered is true when a response arrived (the
	// request then counts until one window after now), false when it failed without one (a
	// cancelled context, a timeout, a broken connection): the request may still reach the
	// server after the client gave up, and the server counts it from then, so it counts until
	// two windows after now.
	Take(ctx context.Context) (done func(answered bool), err error)
}

// Limiter is a rolling-window request budget: at most Limit requests count in any interval of
// length Window. A request taken with Take counts from its start until one window after its
// answer (two after a failure without an answer, two from its start while it is in flight); one
// counted by Wait counts for the window and 1 % from its start. Callers wait for budget instead
// of exceeding it, and after a 429 everyone waits for the pause. A Limiter is safe for
// concurrent use; share one per HaloPSA tenant.
type Limiter struct {
	cfg         LimiterConfig
	mu          sync.Mutex
	sent        []*counted // the requests that count, in start order
	pausedUntil time.Time
	waits       int64 // times a caller had to wait
	// onReserve, when set (by tests), sees every granted start time under the lock.
	onReserve func(time.Time)
}

// counted is one request the Limiter counts, from its start until "until".
type counted struct{ start, until time.Time }

// NewLimiter returns a limiter with cfg (Pause and Clock defaulted).
func NewLimiter(cfg LimiterConfig) (*Limiter, error) {
	if cfg.Limit < 1 || cfg.Window <= 0 {
		return nil, fmt.Errorf("%w: limiter needs a positive limit and window", ErrInvalidConfig)
	}
	if cfg.Pause <= 0 {
		cfg.Pause = DefaultRateLimitPause
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	return &Limiter{cfg: cfg, sent: make([]*counted, 0, min(cfg.Limit, 1024))}, nil
}

// Wait blocks until a request may be sent, then counts it from now for the window and 1 %. It
// returns ctx's error if ctx ends first (the request is then not counted). Prefer Take, which
// counts a request until a window after its answer.
func (l *Limiter) Wait(ctx context.Context) error {
	_, err := l.take(ctx, l.span())
	return err
}

// Take blocks until a request may be sent, then counts it as in flight (for two windows from
// now) until done is called; see AnsweredBudget. It returns ctx's error if ctx ends first (the
// request is then not counted).
func (l *Limiter) Take(ctx context.Context) (done func(answered bool), err error) {
	c, err := l.take(ctx, 2*l.cfg.Window)
	if err != nil {
		return nil, err
	}
	return func(answered bool) { l.over(c, answered) }, nil
}

// take waits for room and counts a request for hold from its start.
func (l *Limiter) take(ctx context.Context, hold time.Duration) (*counted, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("waiting for HaloPSA rate-limit budget: %w", err)
		}
		c, d := l.reserve(hold)
		if c != nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for HaloPSA rate-limit budget: %w", ctx.Err())
		case <-l.cfg.Clock.After(d):
		}
	}
}

// reserve counts a request held for hold from now, or returns how long to wait before trying
// again.
func (l *Limiter) reserve(hold time.Duration) (*counted, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Clock.Now()
	if now.Before(l.pausedUntil) {
		l.waits++
		return nil, l.pausedUntil.Sub(now)
	}
	next := l.prune(now)
	if len(l.sent) < l.cfg.Limit {
		c := &counted{start: now, until: now.Add(hold)}
		l.sent = append(l.sent, c)
		if l.onReserve != nil {
			l.onReserve(now)
		}
		return c, 0
	}
	l.waits++
	return nil, next.Sub(now)
}

// over ends request c: it counts until one window after now when it was answered, and until
// two windows after now when it failed without an answer (never less than it already did).
// A request that stopped counting meanwhile counts again.
func (l *Limiter) over(c *counted, answered bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Clock.Now()
	if answered {
		c.until = now.Add(l.cfg.Window)
	} else {
		c.until = later(c.until, now.Add(2*l.cfg.Window))
	}
	if !slices.Contains(l.sent, c) {
		l.sent = append(l.sent, c)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// span is how long a request counted by Wait (whose answer the limiter is not told of) counts:
// HaloPSA's window plus 1 % (at least 1 ms), because the server counts a request from its
// arrival, a little after the client sent it.
func (l *Limiter) span() time.Duration {
	return l.cfg.Window + max(l.cfg.Window/100, time.Millisecond)
}

// prune drops the requests that have stopped counting at now and returns when the next one
// stops counting.
func (l *Limiter) prune(now time.Time) (next time.Time) {
	l.sent = slices.DeleteFunc(l.sent, func(c *counted) bool { return !c.until.After(now) })
	for _, c := range l.sent {
		if next.IsZero() || c.until.Before(next) {
			next = c.until
		}
	}
	return next
}

// Pause makes every caller wait: for retryAfter when the server said so (capped at 10 minutes),
// otherwise for the configured pause. Pauses never shorten an earlier, longer one.
func (l *Limiter) Pause(retryAfter time.Duration) {
	d := l.cfg.Pause
	if retryAfter > 0 {
		d = min(retryAfter, maxPause)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.cfg.Clock.Now().Add(d); until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
}

// InUse returns how many requests the current rolling window holds.
func (l *Limiter) InUse() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(l.cfg.Clock.Now())
	return len(l.sent)
}

// Waits returns how many times a caller had to wait for budget or a pause.
func (l *Limiter) Waits() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waits
}

// Limiters hands out one Limiter per key, so that every Client of a tenant shares one budget.
// Create one in main and pass it to every Config; the zero value is ready to use.
type Limiters struct {
	mu sync.Mutex
	m  map[string]*Limiter
}

// SharedLimiter returns the limiter for key, creating it with limit, window and the default
// pause on first use. Later calls return the same limiter whatever limit and window they pass.
func (r *Limiters) SharedLimiter(key string, limit int, window time.Duration) (*Limiter, error) {
	return r.shared(key, LimiterConfig{Limit: limit, Window: window})
}

func (r *Limiters) shared(key string, cfg LimiterConfig) (*Limiter, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.m[key]; ok {
		return l, nil
	}
	l, err := NewLimiter(cfg)
	if err != nil {
		return nil, err
	}
	if r.m == nil {
		r.m = make(map[string]*Limiter)
	}
	r.m[key] = l
	return l, nil
}

// LimiterKey is the key one tenant's budget is shared under: its base URL (scheme and host,
// lower-cased) plus its tenant name.
func LimiterKey(baseURL, tenant string) string {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimRight(baseURL, "/")) + "|" + tenant
	}
	return strings.ToLower(u.Scheme+"://"+u.Host) + strings.TrimRight(u.Path, "/") + "|" + strings.ToLower(tenant)
}
