package halosandbox

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// knobs are the run-time fault and behaviour switches, guarded by Server.mu.
type knobs struct {
	latency         time.Duration
	fail            failRule
	dropWrites      int
	forceUntil      time.Time
	retryAfter      bool
	firstObjectOnly bool
	recordCount     int // <0: report the truth
	newClientSite   NewClientSite
}

// failRule answers the Nth counted request (or every Nth) with status instead of handling it.
type failRule struct {
	n, status int
	every     bool
	seen      int
}

// hit counts one request and reports whether it must fail.
func (f *failRule) hit() bool {
	if f.n <= 0 {
		return false
	}
	f.seen++
	if f.every {
		return f.seen%f.n == 0
	}
	if f.seen == f.n {
		f.n = 0
		return true
	}
	return false
}

// rateWindow is a rolling-window request counter.
type rateWindow struct {
	limit  int // <0 disables
	window time.Duration
	hits   []time.Time // ascending
}

// allow records a request at now and reports whether it is within the limit; when it is not,
// wait is how long until the oldest request leaves the window. Rejected requests do not count.
func (rw *rateWindow) allow(now time.Time) (ok bool, wait time.Duration) {
	if rw.limit < 0 {
		return true, 0
	}
	cut := 0
	for cut < len(rw.hits) && !rw.hits[cut].After(now.Add(-rw.window)) {
		cut++
	}
	rw.hits = rw.hits[cut:]
	if len(rw.hits) >= rw.limit {
		if len(rw.hits) == 0 {
			return false, rw.window
		}
		return false, rw.hits[0].Add(rw.window).Sub(now)
	}
	rw.hits = append(rw.hits, now)
	return true, 0
}

// Stats counts what the sandbox has seen since it started (or since ResetStats).
type Stats struct {
	Requests     int // every request, whatever its answer
	Writes       int // POSTs and DELETEs that changed state
	Responses429 int
	// ByRoute counts requests per served route, e.g. "POST /api/Tickets", "GET /api/Users/{id}".
	ByRoute map[string]int
}

// maxLog caps the request log; the older half is dropped when it fills.
const maxLog = 10000

// LoggedRequest is one entry of the request log.
type LoggedRequest struct {
	Method string
	Path   string
	Query  string
	Route  string // the served route pattern, "" when none matched
	Status int    // 0 when the connection was dropped without an answer
	// At is when an /api or /auth request reached the rate limiter (zero for other requests).
	At time.Time
}

// admit applies the forced-429 period, the rate limit and the failure rule to a counted request,
// and returns the request's arrival time: the time the rate limit counted it at (or refused it).
func (s *Server) admit() (time.Time, *reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Before(s.knobs.forceUntil) {
		return now, s.tooMany(s.knobs.forceUntil.Sub(now))
	}
	if ok, wait := s.limit.allow(now); !ok {
		return now, s.tooMany(wait)
	}
	if s.knobs.fail.hit() {
		st := s.knobs.fail.status
		return now, jsonReply(st, map[string]string{"error": "sandbox fault injection: " + http.StatusText(st)})
	}
	return now, nil
}

// tooMany is Halo's 429, with Retry-After when the knob is on. Called with s.mu held.
func (s *Server) tooMany(wait time.Duration) *reply {
	msg := fmt.Sprintf("Rate Limit Reached - %d Requests per rolling %s window", s.limit.limit, windowText(s.limit.window))
	rp := jsonReply(http.StatusTooManyRequests, map[string]string{"error": msg})
	if s.knobs.retryAfter {
		secs := int(math.Ceil(wait.Seconds()))
		rp.header.Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	return rp
}

// windowText renders a window as Halo words it: "5 minute", "30 second".
func windowText(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d minute", int(d/time.Minute))
	}
	return fmt.Sprintf("%d second", int(math.Ceil(d.Seconds())))
}

// delay waits for the configured latency, or until ctx ends.
func (s *Server) delay(ctx context.Context) error {
	s.mu.Lock()
	d := s.knobs.latency
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// takeDrop consumes one "drop after write" if any is armed.
func (s *Server) takeDrop() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.knobs.dropWrites <= 0 {
		return false
	}
	s.knobs.dropWrites--
	return true
}

// record adds the request to the stats and the log.
func (s *Server) record(r *http.Request, out outcome, status int, dropped bool) {
	if dropped {
		status = 0
	}
	s.mu.Lock()
	s.stats.Requests++
	if out.applied {
		s.stats.Writes++
	}
	if status == http.StatusTooManyRequests {
		s.stats.Responses429++
	}
	if out.route != "" {
		s.stats.ByRoute[out.route]++
	}
	if len(s.reqlog) >= maxLog {
		s.reqlog = append(s.reqlog[:0], s.reqlog[maxLog/2:]...)
	}
	s.reqlog = append(s.reqlog, LoggedRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Route: out.route, Status: status, At: out.arrived})
	s.mu.Unlock()
	if out.counted {
		s.observe(r.Method, status, out.arrived)
	} else {
		s.observeNotAPI(r)
		// Who sends requests that are no HaloPSA call: method, protocol and client, never a
		// header value but the user agent.
		s.log.Info("halo sandbox: a request to neither /api nor /auth", zap.String("method", r.Method),
			zap.String("proto", r.Proto), zap.String("path", r.URL.Path), zap.String("remote", r.RemoteAddr),
			zap.String("user_agent", r.UserAgent()))
	}
	s.log.Debug("halo sandbox request", zap.String("method", r.Method), zap.String("route", out.route),
		zap.Int("status", status), zap.Bool("dropped", dropped))
}

// SetLatency delays every request by d before it is handled (0 turns it off).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.latency = d
}

// FailNth answers the nth /api or /auth request from now with status (a 5xx, typically), once.
func (s *Server) FailNth(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.fail = failRule{n: n, status: status}
}

// FailEveryNth answers every nth /api or /auth request from now with status.
func (s *Server) FailEveryNth(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.fail = failRule{n: n, status: status, every: true}
}

// DropAfterWrite arms the next n writes to be applied and then answered by closing the
// connection without a response: the client cannot know the write happened.
func (s *Server) DropAfterWrite(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.dropWrites = n
}

// ExpireTokens expires every access token issued so far.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, t := range s.st.Tokens {
		t.Expires = now
		s.st.Tokens[k] = t
	}
}

// SetRateLimit changes the rate limit and its rolling window (limit < 0 disables limiting).
// Requests already in the window stay counted.
func (s *Server) SetRateLimit(limit int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit.limit, s.limit.window = limit, window
}

// SetRetryAfter turns the Retry-After header on 429 answers on or off.
func (s *Server) SetRetryAfter(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.retryAfter = on
}

// Force429 answers every /api and /auth request with 429 for d from now (by the sandbox clock).
func (s *Server) Force429(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.forceUntil = s.now().Add(d)
}

// SetRecordCount makes list envelopes report n as record_count whatever the truth (as a live
// tenant reporting 50 did); n < 0 reports the truth again.
func (s *Server) SetRecordCount(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.recordCount = n
}

// SetFirstObjectOnly makes multi-item POSTs answer with the first object only.
func (s *Server) SetFirstObjectOnly(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.firstObjectOnly = on
}

// ClearFaults turns off latency, failures, drops, the forced 429 and the record_count lie.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.latency, s.knobs.fail, s.knobs.dropWrites = 0, failRule{}, 0
	s.knobs.forceUntil, s.knobs.recordCount = time.Time{}, -1
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByRoute = maps.Clone(s.stats.ByRoute)
	return st
}

// RequestLog returns a copy of the request log, oldest first.
func (s *Server) RequestLog() []LoggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LoggedRequest(nil), s.reqlog...)
}

// ResetStats clears the counters and the request log.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{ByRoute: map[string]int{}}
	s.reqlog = nil
	s.resetSeen()
}
