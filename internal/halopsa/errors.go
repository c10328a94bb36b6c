package halopsa

import (
	"encoding/json"
	"errors"
	"fmt"
	"haloleads/internal/safetext"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors an *APIError matches with errors.Is, by status code.
var (
	ErrRateLimited    = errors.New("rate limited")           // 429
	ErrNotFound       = errors.New("not found")              // 404
	ErrValidation     = errors.New("rejected by validation") // 400, 422
	ErrUnauthorized   = errors.New("unauthorized")           // 401
	ErrForbidden      = errors.New("forbidden")              // 403
	ErrServer         = errors.New("server error")           // 5xx
	ErrOutcomeUnknown = errors.New("outcome of the write is unknown")
)

// maxErrorBody caps the raw body kept in an APIError.
const maxErrorBody = 4 << 10

// APIError is a non-2xx answer from HaloPSA. Branch on it with errors.As, or with errors.Is and
// the sentinels above.
type APIError struct {
	Method     string // HTTP verb of the request
	Route      string // path below /api, e.g. "/Users"
	StatusCode int
	// Message is the human-readable message found in the body, or the status text.
	Message string
	// RetryAfter is the delay the server asked for (Retry-After header); 0 when absent.
	RetryAfter time.Duration
	// Body is the raw response body, truncated to 4 KiB. It may contain personal data: never log it.
	Body string
}

// Error renders the verb, route, status and message (never the body).
func (e *APIError) Error() string {
	return fmt.Sprintf("halopsa %s %s: %d %s", e.Method, e.Route, e.StatusCode, e.Message)
}

// Is matches the sentinel errors by status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrValidation:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// Retryable reports whether sending the same request later may succeed (429 and 5xx).
func (e *APIError) Retryable() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// IsRateLimited reports whether err is (or wraps) a 429 answer.
func IsRateLimited(err error) bool { return errors.Is(err, ErrRateLimited) }

// IsNotFound reports whether err is (or wraps) a 404 answer.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsValidation reports whether err is (or wraps) a 400/422 answer: the request itself was wrong
// and sending it again will not help.
func IsValidation(err error) bool { return errors.Is(err, ErrValidation) }

// newAPIError builds the error for a non-2xx response whose body has been read.
func newAPIError(method, route string, resp *http.Response, body []byte) *APIError {
	raw := string(body)
	if len(raw) > maxErrorBody {
		raw = raw[:maxErrorBody]
	}
	// A body may echo the request's credentials (a token, the client secret): errors reach
	// logs and Temporal histories.
	raw = safetext.Redact(raw)
	msg := safetext.Redact(ParseErrorMessage(body))
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &APIError{
		Method: method, Route: route, StatusCode: resp.StatusCode, Message: msg,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), Body: raw,
	}
}

// messageKeys are the JSON keys HaloPSA and its ASP.NET host use for a message, best first:
// {resultCode, errorMessage}, serialised .NET exceptions {ClassName, Message}, {Message},
// OAuth {error, error_description} and problem details {title, detail}.
var messageKeys = []string{"errorMessage", "error_description", "Message", "message", "detail", "title", "error"}

// ParseErrorMessage extracts a one-line message from an error body of any shape HaloPSA is known
// to send: the JSON objects listed in messageKeys, ASP.NET model-state objects keyed by field path
// ({"[0].id": ["..."]} or {"errors": {...}}), a JSON string, plain text, or HTML (ignored).
// It returns "" when nothing usable is found.
func ParseErrorMessage(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" || strings.HasPrefix(s, "<") {
		return ""
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return firstLine(s)
	}
	return firstLine(messageFrom(v))
}

func messageFrom(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		parts := make([]string, 0, len(t))
		for _, x := range t {
			if m := messageFrom(x); m != "" {
				parts = append(parts, m)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		return messageFromObject(t)
	}
	return ""
}

func messageFromObject(m map[string]any) string {
	for _, k := range messageKeys {
		if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
			if k == "title" {
				if errs := modelState(m["errors"]); errs != "" {
					return s + ": " + errs
				}
			}
			return s
		}
	}
	if errs := modelState(m["errors"]); errs != "" {
		return errs
	}
	return modelState(m)
}

// modelState renders {"field": ["msg", ...], ...} as "field: msg; ..." in key order.
func modelState(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if msg := messageFrom(m[k]); msg != "" {
			parts = append(parts, k+": "+msg)
		}
	}
	return strings.Join(parts, "; ")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	const max = 300
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
