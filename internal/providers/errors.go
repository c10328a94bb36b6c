package providers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"haloleads/internal/lead"
)

// APIError is what every provider client returns when the provider answers with an error, or
// cannot be reached. Callers branch on it with errors.As: Retryable says whether the same call
// may succeed later (after RetryAfter when the provider said how long), QuotaExhausted that the
// plan's credits or usage are spent and retrying before the quota renews is pointless.
type APIError struct {
	Provider       lead.Source
	StatusCode     int // 0 when no response arrived
	Retryable      bool
	RetryAfter     time.Duration
	QuotaExhausted bool
	Message        string
	cause          error
}

// Error says which provider failed and how.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", e.Provider.DisplayName())
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " answered %d", e.StatusCode)
	} else {
		b.WriteString(" unreachable")
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	switch {
	case e.QuotaExhausted:
		b.WriteString(" (quota exhausted)")
	case e.Retryable && e.RetryAfter > 0:
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	case e.Retryable:
		b.WriteString(" (retryable)")
	}
	return b.String()
}

// Unwrap returns the transport error behind a StatusCode 0 APIError.
func (e *APIError) Unwrap() error { return e.cause }

// AsAPIError returns the *APIError in err's chain, or nil.
func AsAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// maxMessage caps the part of an error body kept in Message.
const maxMessage = 300

// classify turns an error response into an APIError by the conventions most providers share:
// 429, 408 and 5xx are retryable, 402 means the credits are spent, everything else is final.
// The provider clients adjust the result for their own conventions.
func classify(p lead.Source, resp *http.Response, body []byte, now time.Time) *APIError {
	e := &APIError{Provider: p, StatusCode: resp.StatusCode, Message: bodyMessage(body)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Retryable, e.RetryAfter = true, RetryAfter(resp.Header, now)
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode >= 500:
		e.Retryable, e.RetryAfter = true, RetryAfter(resp.Header, now)
	case resp.StatusCode == http.StatusPaymentRequired:
		e.QuotaExhausted = true
	}
	return e
}

// bodyMessage extracts a readable message from an error body: the common JSON message fields
// of the five providers, or the text itself.
func bodyMessage(body []byte) string {
	msg := jsonMessage(body)
	if msg == "" {
		msg = strings.TrimSpace(string(body))
	}
	if len(msg) > maxMessage {
		msg = msg[:maxMessage] + "…"
	}
	return msg
}

// RetryAfter reads how long the provider asked to wait: Retry-After (seconds or an HTTP date),
// else a reset header in seconds (X-RateLimit-Reset, RateLimit-Reset). It returns 0 when the
// response says nothing. Reset values larger than a day are taken as Unix times.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	for _, k := range []string{"X-RateLimit-Reset", "RateLimit-Reset"} {
		s, err := strconv.ParseInt(strings.TrimSpace(h.Get(k)), 10, 64)
		switch {
		case err != nil || s <= 0:
		case s > 86400:
			if t := time.Unix(s, 0); t.After(now) {
				return t.Sub(now)
			}
		default:
			return time.Duration(s) * time.Second
		}
	}
	return 0
}
