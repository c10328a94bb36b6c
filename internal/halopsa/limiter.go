package halopsa

import (
	"context"
	"fmt"
	"net/url"
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
// there. A budget shared between processes (store.Budget) implements it; the transport prefers
// Take to Wait when the budget has it.
type AnsweredBudget interface {
	Budget
	// Take blocks until a request may be sent and counts it, or returns ctx's error; answered
	// is called once, when the request has been answered or has failed.
	Take(ctx context.Context) (answered func(), err error)
}

// Limiter is a rolling-window request budget: at most Limit requests start in any interval of
// length Window. Callers wait for budget instead of exceeding it, and after a 429 everyone waits
// for the pause. A Limiter is safe for concurrent use; share one per HaloPSA tenant.
type Limiter struct {
	cfg         LimiterConfig
	mu          sync.Mutex
	sent        []time.Time // start times inside the window, oldest first
	pausedUntil time.Time
	waits       int64 // times a caller had to wait
	// onReserve, when set (by tests), sees every granted start time under the lock.
	onReserve func(time.Time)
}

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
	return &Limiter{cfg: cfg, sent: make([]time.Time, 0, min(cfg.Limit, 1024))}, nil
}

// Wait blocks until a request may be sent, then counts it. It returns ctx's error if ctx ends
// first (the request is then not counted).
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("waiting for HaloPSA rate-limit budget: %w", err)
		}
		d := l.reserve()
		if d <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for HaloPSA rate-limit budget: %w", ctx.Err())
		case <-l.cfg.Clock.After(d):
		}
	}
}

// reserve takes budget and returns 0, or returns how long to wait before trying again.
func (l *Limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Clock.Now()
	if now.Before(l.pausedUntil) {
		l.waits++
		return l.pausedUntil.Sub(now)
	}
	l.prune(now)
	if len(l.sent) < l.cfg.Limit {
		l.sent = append(l.sent, now)
		if l.onReserve != nil {
			l.onReserve(now)
		}
		return 0
	}
	l.waits++
	return l.sent[0].Add(l.span()).Sub(now)
}

// span is the window the limiter keeps to: HaloPSA's window plus 1 % (at least 1 ms), because
// the server counts a request from its arrival, a little after the client sent it. Without the
// margin a client running at its full budget could draw a 429 from timing jitter alone.
func (l *Limiter) span() time.Duration {
	return l.cfg.Window + max(l.cfg.Window/100, time.Millisecond)
}

// prune drops start times that have left the window ending at now.
func (l *Limiter) prune(now time.Time) {
	cut := now.Add(-l.span())
	i := 0
	for i < len(l.sent) && !l.sent[i].After(cut) {
		i++
	}
	l.sent = append(l.sent[:0], l.sent[i:]...)
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
