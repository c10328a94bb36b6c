package providers

import (
	"context"
	"net/http"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/lead"
)

// Settings are the transport settings every provider client's Config embeds. The zero value
// is usable.
type Settings struct {
	HTTP       *http.Client // nil: a client with DefaultTimeout
	Logger     *zap.Logger  // nil: no logging
	Now        func() time.Time
	MaxRetries int           // in-place retries of retryable errors; negative: none; 0: DefaultMaxRetries
	MaxWait    time.Duration // longest in-place wait; 0: DefaultMaxWait
	// Sleep waits between in-place retries; nil means a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Doer builds the request path of provider p at baseURL with these settings.
func (s Settings) Doer(p lead.Source, baseURL string, auth func(context.Context, *http.Request) error,
	adjust func(*APIError, *http.Response, []byte)) *Doer {
	return &Doer{Provider: p, BaseURL: baseURL, HTTP: s.HTTP, Authorize: auth, Adjust: adjust,
		MaxRetries: s.MaxRetries, MaxWait: s.MaxWait, Sleep: s.Sleep, Now: s.Now, Logger: s.Logger}
}

// Clock returns s.Now, or time.Now when it is nil.
func (s Settings) Clock() func() time.Time {
	if s.Now != nil {
		return s.Now
	}
	return time.Now
}
