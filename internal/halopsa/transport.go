package halopsa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The transport layers, outermost first:
//
//	retry429 → auth (bearer, one retry on 401) → limit (write fence, budget, pause on 429) →
//	observe (count, log, OnRequest) → the configured *http.Client (its Timeout applies to each
//	attempt).
//
// Token requests go through limit → observe → configured client, so they use the budget too.

// RequestInfo describes one request sent to HaloPSA, for Config.OnRequest.
type RequestInfo struct {
	Method string
	// Path is the route below /api ("/Users/12"), or the token endpoint's path when Token is set.
	Path  string
	Token bool
	// Query lists the query parameter names, sorted.
	Query []string
	// BodyFields lists the top-level field names of the JSON body (the union over the items of
	// an array body), sorted.
	BodyFields []string
	// NestedFields lists, for each body field holding an object or an array of objects, the
	// union of that object's field names, sorted: e.g. "customfields" → ["id", "value"].
	NestedFields map[string][]string
	// StatusCode is the response status, 0 when no response arrived.
	StatusCode int
}

// counters are a client's request statistics.
type counters struct {
	requests, writes, rateLimited, tokens atomic.Int64
}

// sentMark records, per logical call, whether any attempt reached the network.
type sentMark struct{ sent atomic.Bool }

type sentKey struct{}

func markSent(ctx context.Context) {
	if m, ok := ctx.Value(sentKey{}).(*sentMark); ok && m != nil {
		m.sent.Store(true)
	}
}

// clientTransport sends through a configured *http.Client, so its Timeout bounds each attempt
// and never the time spent waiting for rate-limit budget.
type clientTransport struct{ hc *http.Client }

func (t clientTransport) RoundTrip(req *http.Request) (*http.Response, error) { return t.hc.Do(req) }

// observeTransport counts, logs and reports every request that is really sent.
type observeTransport struct {
	next      http.RoundTripper
	stats     *counters
	apiPath   string
	token     bool
	log       *zap.Logger
	onRequest func(RequestInfo)
}

func (t *observeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	markSent(req.Context())
	t.count(req)
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		if status == http.StatusTooManyRequests {
			t.stats.rateLimited.Add(1)
		}
	}
	t.countWrite(req, status)
	path := t.path(req)
	t.log.Debug("halopsa request", zap.String("method", req.Method), zap.String("route", path),
		zap.Int("status", status), zap.Duration("took", time.Since(start)), zap.Bool("token", t.token))
	if t.onRequest != nil {
		t.onRequest(describe(req, path, t.token, status))
	}
	return resp, err
}

func (t *observeTransport) count(req *http.Request) {
	t.stats.requests.Add(1)
	c := counterFrom(req.Context())
	if c != nil {
		c.requests.Add(1)
	}
	if t.token {
		t.stats.tokens.Add(1)
	}
}

// countWrite counts a POST or DELETE that HaloPSA may have applied: every answer but a 4xx
// (a 429 or a refusal applied nothing), including no answer at all (the outcome is unknown).
func (t *observeTransport) countWrite(req *http.Request, status int) {
	if t.token || (req.Method != http.MethodPost && req.Method != http.MethodDelete) || (status >= 400 && status < 500) {
		return
	}
	t.stats.writes.Add(1)
	if c := counterFrom(req.Context()); c != nil {
		c.writes.Add(1)
		if c.OnWrite != nil {
			c.OnWrite()
		}
	}
}

func (t *observeTransport) path(req *http.Request) string {
	if t.token {
		return req.URL.Path
	}
	p := strings.TrimPrefix(req.URL.Path, t.apiPath)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// describe builds the RequestInfo of req (reading a copy of its body).
func describe(req *http.Request, path string, token bool, status int) RequestInfo {
	info := RequestInfo{Method: req.Method, Path: path, Token: token, StatusCode: status}
	for k := range req.URL.Query() {
		info.Query = append(info.Query, k)
	}
	sort.Strings(info.Query)
	if req.GetBody == nil || token {
		return info
	}
	body, err := req.GetBody()
	if err != nil {
		return info
	}
	defer body.Close()
	var v any
	if json.NewDecoder(body).Decode(&v) == nil {
		info.BodyFields, info.NestedFields = fieldNames(v)
	}
	return info
}

// fieldNames returns the top-level keys of v (an object or an array of objects) and the keys of
// nested objects or arrays of objects, each sorted.
func fieldNames(v any) ([]string, map[string][]string) {
	top := map[string]bool{}
	nested := map[string]map[string]bool{}
	for _, obj := range objects(v) {
		for k, val := range obj {
			top[k] = true
			for _, inner := range objects(val) {
				if nested[k] == nil {
					nested[k] = map[string]bool{}
				}
				for ik := range inner {
					nested[k][ik] = true
				}
			}
		}
	}
	out := make(map[string][]string, len(nested))
	for k, set := range nested {
		out[k] = sortedKeys(set)
	}
	return sortedKeys(top), out
}

func objects(v any) []map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		var out []map[string]any
		for _, x := range t {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// limitTransport waits for budget before each request and pauses the budget on a 429.
type limitTransport struct {
	next    http.RoundTripper
	limiter Budget
	token   bool // token requests are never fenced
}

// RoundTrip fences a write before it waits for budget (so the fence's round trip never sits
// between the budget and the send), and again after a wait longer than the fence's MaxAge.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f := fenceOf(req, t.token)
	if err := f.check(req); err != nil {
		return nil, err
	}
	done, err := t.take(req.Context())
	if err != nil {
		return nil, err
	}
	if err := f.recheck(req); err != nil {
		done(true) // not sent
		return nil, err
	}
	resends := &resends{take: t.take}
	resp, err := t.next.RoundTrip(resends.trace(req))
	// Without an answer the request may still reach HaloPSA, and be counted there, after the
	// client gave up (a cancelled context, a timeout): the budget keeps it longer.
	done(err == nil)
	resends.over(err == nil)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.limiter.Pause(parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()))
	}
	return resp, err
}

// take waits for budget; done tells an AnsweredBudget the request is over and whether it was
// answered (a no-op for other budgets).
func (t *limitTransport) take(ctx context.Context) (done func(answered bool), err error) {
	if ab, ok := t.limiter.(AnsweredBudget); ok {
		return ab.Take(ctx)
	}
	return func(bool) {}, t.limiter.Wait(ctx)
}

// resends takes budget for every connection a request is sent on after its first: net/http
// re-sends a GET by itself when a kept-alive connection breaks after the request was written,
// and HaloPSA may have counted the first one.
type resends struct {
	take  func(context.Context) (func(bool), error)
	mu    sync.Mutex
	conns int
	dones []func(bool)
}

// trace returns req with a trace that takes budget each time it gets a connection after the
// first (before the request is written on it).
func (r *resends) trace(req *http.Request) *http.Request {
	ctx := req.Context()
	return req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) {
		r.mu.Lock()
		r.conns++
		again := r.conns > 1
		r.mu.Unlock()
		if !again {
			return
		}
		// A failed wait means ctx ended: the re-send fails too, counted or not.
		if done, err := r.take(ctx); err == nil {
			r.mu.Lock()
			r.dones = append(r.dones, done)
			r.mu.Unlock()
		}
	}}))
}

// over ends every re-send's budget.
func (r *resends) over(answered bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, done := range r.dones {
		done(answered)
	}
}

// retryTransport re-sends a request answered with 429 (HaloPSA did not process it), after the
// limiter's pause, at most max times.
type retryTransport struct {
	next http.RoundTripper
	max  int
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		r, err := rewind(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.next.RoundTrip(r)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt >= t.max {
			return resp, err
		}
		drain(resp)
	}
}

// rewind returns req for the first attempt and a clone with a fresh body afterwards.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 0 {
		return req, nil
	}
	r := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("rewinding request body: %w", err)
		}
		r.Body = body
	}
	return r, nil
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// authTransport adds the bearer token; on a 401 it drops the token and retries once.
type authTransport struct {
	next   http.RoundTripper
	tokens *tokenCache
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.tokens.get(req.Context())
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(withBearer(req, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	drain(resp)
	t.tokens.drop(tok)
	if tok, err = t.tokens.get(req.Context()); err != nil {
		return nil, err
	}
	r, err := rewind(req, 1)
	if err != nil {
		return nil, err
	}
	return t.next.RoundTrip(withBearer(r, tok))
}

func withBearer(req *http.Request, tok *oauth2.Token) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return r
}

// tokenCache holds the current access token and fetches a new one when it has expired or was
// dropped after a 401. Concurrent callers share one fetch.
type tokenCache struct {
	cc *clientcredentials.Config
	hc *http.Client // sends token requests (limited and observed)
	mu sync.Mutex
	tk *oauth2.Token
}

func (c *tokenCache) get(ctx context.Context) (*oauth2.Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tk.Valid() {
		return c.tk, nil
	}
	// The token request is not the API call: hide the call's sent mark from it.
	ctx = context.WithValue(ctx, sentKey{}, (*sentMark)(nil))
	tok, err := c.cc.Token(context.WithValue(ctx, oauth2.HTTPClient, c.hc))
	if err != nil {
		return nil, tokenError(err)
	}
	c.tk = tok
	return tok, nil
}

// drop forgets tok unless a newer token has replaced it already.
func (c *tokenCache) drop(tok *oauth2.Token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tk == tok {
		c.tk = nil
	}
}

// tokenError turns an OAuth2 failure into an *APIError for route "/auth/token".
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return fmt.Errorf("getting HaloPSA access token: %w", err)
	}
	msg := re.ErrorCode
	if re.ErrorDescription != "" {
		msg += ": " + re.ErrorDescription
	}
	ae := newAPIError(http.MethodPost, "/auth/token", re.Response, re.Body)
	if msg != "" {
		ae.Message = msg
	}
	return fmt.Errorf("getting HaloPSA access token: %w", ae)
}
