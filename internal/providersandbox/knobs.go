package providersandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"haloleads/internal/lead"
)

// knobs are one provider's forced failures.
type knobs struct {
	rateLimited int           // requests still to refuse as rate limited
	retryAfter  time.Duration // the wait those refusals announce
	quota       bool          // the plan's credits are spent
}

// RateLimit makes p refuse its next n requests the way p signals rate limiting (429, or 403 at
// Hunter), announcing retryAfter where p sends a wait (Retry-After, reset headers).
func (s *Server) RateLimit(p lead.Source, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs[p].rateLimited, s.knobs[p].retryAfter = n, retryAfter
}

// ExhaustQuota makes p answer as its plan does when the credits are spent (true), or lifts it.
// Apollo answers 422 INSUFFICIENT_CREDITS, Hunter 429, Lusha 429 with its daily-quota message,
// UpLead 402, and ZoomInfo marks each enrich input LIMIT_EXCEEDED.
func (s *Server) ExhaustQuota(p lead.Source, exhausted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs[p].quota = exhausted
}

// SetLatency delays every answer by d (0 turns it off).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetPendingVerifications makes Hunter's email verifier answer 202 (still running) n times for
// each address before it answers 200.
func (s *Server) SetPendingVerifications(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.people {
		s.pending[strings.ToLower(p.Email)] = n
	}
}

// ExpireTokens invalidates every ZoomInfo JWT issued so far.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Credits returns the credits p charged since the start or the last ResetCounters.
func (s *Server) Credits(p lead.Source) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.credits[p]
}

// Requests returns the requests p served (every status) since the start or the last reset.
func (s *Server) Requests(p lead.Source) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[p]
}

// ResetCounters zeroes the credit and request counters. What was bought stays bought.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.credits)
	clear(s.requests)
}

// forced returns the reply a knob imposes on the next request to p, if any.
func (s *Server) forced(p lead.Source) (reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.knobs[p]
	if k.rateLimited > 0 {
		k.rateLimited--
		return rateLimited(p, k.retryAfter), true
	}
	if k.quota && p != lead.ZoomInfo {
		return quotaExhausted(p), true
	}
	return reply{}, false
}

// quotaExhausted is p's answer once the credits are spent.
func quotaExhausted(p lead.Source) reply {
	switch p {
	case lead.Apollo:
		return reply{status: 422, body: map[string]any{"status": "failed", "error_code": "INSUFFICIENT_CREDITS",
			"error_message": "You have insufficient credits for this request"}}
	case lead.Hunter:
		return reply{status: 429, body: hunterErrors("too_many_requests", 429,
			"You have reached your monthly usage limit. Upgrade your plan to continue.")}
	case lead.Lusha:
		return reply{status: 429, body: map[string]any{"statusCode": 429, "message": "Daily API quota limit exceeded"}}
	}
	return reply{status: 402, body: map[string]any{"error": "Your account has no credits left", "status": 402}}
}

// rateLimited is p's rate-limit answer, announcing wait where p does.
func rateLimited(p lead.Source, wait time.Duration) reply {
	secs := strconv.Itoa(int(wait / time.Second))
	h := http.Header{}
	switch p {
	case lead.Apollo:
		h.Set("x-rate-limit-minute", "50")
		h.Set("x-minute-usage", "50")
		h.Set("x-minute-requests-left", "0")
		if wait > 0 {
			h.Set("Retry-After", secs)
		}
		return reply{status: 429, header: h, body: map[string]any{"message": "The maximum number of api calls " +
			"allowed for api/v1/people/bulk_match is 50 times per minute. Please upgrade your plan from " +
			"https://app.apollo.io/#/settings/plans/upgrade."}}
	case lead.Hunter:
		return reply{status: 403, body: hunterErrors("too_many_requests", 403, "You have reached the rate limit for this endpoint.")}
	case lead.Lusha:
		h.Set("RateLimit-Limit", "25")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", secs)
		return reply{status: 429, header: h, body: map[string]any{"statusCode": 429,
			"message": fmt.Sprintf("Hourly API rate limit exceeded. Reset in %s seconds", secs)}}
	case lead.ZoomInfo:
		h.Set("Retry-After", secs)
		h.Set("X-RateLimit-Limit", "25")
		h.Set("X-RateLimit-Remaining", "0")
		return reply{status: 429, header: h, body: map[string]any{"error": map[string]any{"code": "ZI0004",
			"message": "Rate limit exceeded", "status": 429, "retryable": true}}}
	}
	h.Set("Retry-After", secs)
	h.Set("X-RateLimit-Limit", "500")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", secs)
	return reply{status: 429, header: h, body: map[string]any{"error": "Rate limit exceeded. Try again in " +
		secs + " seconds.", "status": 429}}
}

// hunterErrors is Hunter's error envelope.
func hunterErrors(id string, code int, details string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"id": id, "code": code, "details": details}}}
}
