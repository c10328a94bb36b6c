package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/lead"
	"haloleads/internal/safetext"
)

// Defaults of a Doer.
const (
	DefaultMaxRetries = 2
	DefaultMaxWait    = 5 * time.Second
	DefaultTimeout    = 30 * time.Second
	maxBody           = 16 << 20
)

// Doer is the one request path of every provider client: build the request with ctx, add the
// credentials, send, map the status to an *APIError, decode. A retryable error whose wait is at
// most MaxWait is retried in place, up to MaxRetries times; longer waits are left to the caller
// (a Temporal activity retries with the APIError's RetryAfter as its next delay).
type Doer struct {
	Provider lead.Source
	BaseURL  string       // for example "https://api.apollo.io/api/v1"; no trailing slash needed
	HTTP     *http.Client // nil means a client with DefaultTimeout
	// Authorize adds credentials to a request.
	Authorize func(ctx context.Context, r *http.Request) error
	// Adjust refines the classification of an error response for the provider's conventions.
	Adjust     func(e *APIError, resp *http.Response, body []byte)
	MaxRetries int // negative: never retry; 0: DefaultMaxRetries
	MaxWait    time.Duration
	// Sleep waits d or until ctx ends; nil means a real timer. Tests replace it to record waits.
	Sleep  func(ctx context.Context, d time.Duration) error
	Now    func() time.Time
	Logger *zap.Logger
}

// Request is one API call. Body, when not nil, is sent as JSON.
type Request struct {
	Op     string // operation name for logs and credits, for example "people/bulk_match"
	Method string
	Path   string // appended to BaseURL
	Query  url.Values
	Header http.Header
	Body   any
}

// Response is what a successful call returned besides the decoded body.
type Response struct {
	StatusCode int
	Header     http.Header
}

// Do sends req and decodes a 2xx JSON body into out (when out is not nil). Any other status
// becomes an *APIError; a transport failure becomes a retryable *APIError with StatusCode 0.
func (d *Doer) Do(ctx context.Context, req Request, out any) (*Response, error) {
	var payload []byte
	if req.Body != nil {
		var err error
		if payload, err = json.Marshal(req.Body); err != nil {
			return nil, fmt.Errorf("encoding %s request: %w", req.Op, err)
		}
	}
	for attempt := 0; ; attempt++ {
		resp, body, err := d.send(ctx, req, payload)
		if err == nil {
			return resp, decode(req.Op, body, out)
		}
		wait, ok := d.retryWait(err, attempt)
		if !ok {
			return nil, err
		}
		d.logger().Info("retrying provider call", zap.String("provider", string(d.Provider)),
			zap.String("op", req.Op), zap.Int("attempt", attempt+1), zap.Duration("wait", wait))
		if err := d.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("waiting to retry %s: %w", req.Op, err)
		}
	}
}

// retryWait says whether err may be retried in place after attempt, and after how long.
func (d *Doer) retryWait(err error, attempt int) (time.Duration, bool) {
	ae := AsAPIError(err)
	if ae == nil || !ae.Retryable || attempt >= d.maxRetries() {
		return 0, false
	}
	wait := ae.RetryAfter
	if wait == 0 {
		wait = time.Duration(1<<attempt) * 250 * time.Millisecond
	}
	return wait, wait <= d.maxWait()
}

// send makes one attempt and returns the response of a 2xx status with its body.
func (d *Doer) send(ctx context.Context, req Request, payload []byte) (*Response, []byte, error) {
	hr, err := d.build(ctx, req, payload)
	if err != nil {
		return nil, nil, err
	}
	resp, err := d.client().Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("calling %s %s: %w", d.Provider, req.Op, ctx.Err())
		}
		return nil, nil, &APIError{Provider: d.Provider, Retryable: true,
			Message: transportMessage(req.Op, err), cause: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, nil, &APIError{Provider: d.Provider, StatusCode: resp.StatusCode, Retryable: true,
			Message: "reading " + req.Op + " response: " + err.Error(), cause: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A body may echo the request's key (some providers repeat headers or the query in
		// their errors): errors reach logs and Temporal histories.
		body = []byte(safetext.Redact(string(body), credentials(hr)...))
		ae := classify(d.Provider, resp, body, d.now())
		if d.Adjust != nil {
			d.Adjust(ae, resp, body)
		}
		return nil, nil, ae
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header}, body, nil
}

// build makes the HTTP request with credentials.
func (d *Doer) build(ctx context.Context, req Request, payload []byte) (*http.Request, error) {
	u := strings.TrimSuffix(d.BaseURL, "/") + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, body)
	if err != nil {
		return nil, fmt.Errorf("building %s request: %w", req.Op, err)
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hr.Header.Set("Accept", "application/json")
	if payload != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if d.Authorize != nil {
		if err := d.Authorize(ctx, hr); err != nil {
			return nil, fmt.Errorf("authorizing %s request: %w", req.Op, err)
		}
	}
	return hr, nil
}

// decode unmarshals a JSON body into out; an empty body leaves out untouched.
func decode(op string, body []byte, out any) error {
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decoding %s response: %w", op, err)
	}
	return nil
}

// transportMessage describes a transport error without the URL's query string, where Hunter
// API keys may sit.
func transportMessage(op string, err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return "calling " + op + ": " + ue.Err.Error()
	}
	return "calling " + op + ": " + err.Error()
}

func (d *Doer) client() *http.Client {
	if d.HTTP != nil {
		return d.HTTP
	}
	return &http.Client{Timeout: DefaultTimeout}
}

func (d *Doer) maxRetries() int {
	switch {
	case d.MaxRetries < 0:
		return 0
	case d.MaxRetries == 0:
		return DefaultMaxRetries
	}
	return d.MaxRetries
}

func (d *Doer) maxWait() time.Duration {
	if d.MaxWait <= 0 {
		return DefaultMaxWait
	}
	return d.MaxWait
}

func (d *Doer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Doer) logger() *zap.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return zap.NewNop()
}

// sleep waits d, or returns ctx's error when ctx ends first.
func (d *Doer) sleep(ctx context.Context, wait time.Duration) error {
	if d.Sleep != nil {
		return d.Sleep(ctx, wait)
	}
	return SleepContext(ctx, wait)
}

// IsRetryable reports whether err is an APIError worth retrying.
func IsRetryable(err error) bool {
	ae := AsAPIError(err)
	return ae != nil && ae.Retryable
}

// SleepContext waits d, or returns ctx's error when ctx ends first.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// credentials are the values of the request's credential headers and query parameters.
func credentials(hr *http.Request) []string {
	var out []string
	for _, h := range []string{"Authorization", "X-Api-Key", "Api-Key", "Api_key", "X-Auth-Token"} {
		if v := hr.Header.Get(h); v != "" {
			out = append(out, v)
			if _, tok, ok := strings.Cut(v, " "); ok {
				out = append(out, tok)
			}
		}
	}
	for k, vs := range hr.URL.Query() {
		if k := strings.ToLower(k); strings.Contains(k, "key") || strings.Contains(k, "token") || strings.Contains(k, "secret") {
			out = append(out, vs...)
		}
	}
	return out
}
