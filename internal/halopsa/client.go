// Package halopsa is haloleads' HaloPSA REST client.
//
// It authenticates with OAuth2 client credentials, keeps every tenant inside its rolling-window
// request budget (a Limiter shared by all clients of the tenant), maps error answers to *APIError,
// lists collections as iterators that refuse to truncate silently, and saves records in bulk
// with POSTed arrays, recovering ids whatever shape HaloPSA answers with and never creating a
// record twice when a create's outcome is unknown.
//
// HaloPSA has GET, POST and DELETE only: a POST of an array creates items without an id and
// partially updates items with one. Opportunities are tickets. Custom fields are written by
// numeric FieldInfo id (see Fields). The behaviour modelled here is documented in
// shared/reference/halopsa-api.md; routes, parameters and body fields follow Halo's OpenAPI file,
// which conformance_test.go checks every request against.
package halopsa

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

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// maxResponse caps the size of a response body the client reads.
const maxResponse = 64 << 20

// Client is a HaloPSA REST API client. It is safe for concurrent use.
type Client struct {
	cfg     Config
	api     string       // BaseURL + "/api"
	hc      *http.Client // authenticated, limited, observed
	anon    *http.Client // limited, observed, no token (AuthInfo)
	limiter *Limiter
	budget  Budget // what requests wait in: limiter, or Config.Budget
	stats   *counters
	tokens  *tokenCache
}

// New returns a client for cfg, after applying defaults and validating it.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	lim, err := limiterFor(cfg)
	if err != nil {
		return nil, err
	}
	var budget Budget = lim
	if cfg.Budget != nil {
		budget = cfg.Budget
	}
	c := &Client{cfg: cfg, api: cfg.APIURL(), limiter: lim, budget: budget, stats: &counters{}}
	apiPath := mustPath(c.api)
	base := clientTransport{hc: cfg.HTTPClient}
	observe := func(token bool) http.RoundTripper {
		return &limitTransport{limiter: budget, token: token, next: &observeTransport{next: base, stats: c.stats,
			apiPath: apiPath, token: token, log: cfg.Logger, onRequest: cfg.OnRequest}}
	}
	tokens := &tokenCache{hc: &http.Client{Transport: observe(true)}, cc: &clientcredentials.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL(),
		Scopes: cfg.Scopes, AuthStyle: oauth2.AuthStyleInParams,
	}}
	c.tokens = tokens
	retries := max(cfg.MaxRateLimitRetries, 0)
	c.hc = &http.Client{Transport: &retryTransport{max: retries,
		next: &authTransport{tokens: tokens, next: observe(false)}}}
	c.anon = &http.Client{Transport: &retryTransport{max: retries, next: observe(false)}}
	return c, nil
}

// limiterFor picks the configured limiter, the registry's limiter for the tenant, or a new one.
func limiterFor(cfg Config) (*Limiter, error) {
	if cfg.Limiter != nil {
		return cfg.Limiter, nil
	}
	lc := LimiterConfig{Limit: cfg.RateLimit, Window: cfg.RateWindow, Pause: cfg.RateLimitPause, Clock: cfg.Clock}
	if cfg.Limiters != nil {
		return cfg.Limiters.shared(LimiterKey(cfg.BaseURL, cfg.Tenant), lc)
	}
	return NewLimiter(lc)
}

func mustPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "/api"
	}
	return u.Path
}

// Requests returns how many HTTP requests this client has sent to HaloPSA: API calls, token
// requests and every re-send after a 401 or 429.
func (c *Client) Requests() int64 { return c.stats.requests.Load() }

// WriteRequests returns how many POST and DELETE requests this client has sent to /api that
// HaloPSA may have applied (not those answered 4xx).
func (c *Client) WriteRequests() int64 { return c.stats.writes.Load() }

// RateLimitedResponses returns how many 429 answers this client has received.
func (c *Client) RateLimitedResponses() int64 { return c.stats.rateLimited.Load() }

// TokenRequests returns how many token requests this client has sent.
func (c *Client) TokenRequests() int64 { return c.stats.tokens.Load() }

// Authenticate obtains an access token, or reuses the cached one while it is valid (no request
// then), and says why when it cannot: readiness checks use it.
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.get(ctx)
	return err
}

// Limiter returns the in-process rate limiter this client draws from when Config.Budget is
// not set.
func (c *Client) Limiter() *Limiter { return c.limiter }

// BudgetInUse returns how many requests count against the budget this client draws from now:
// those of every process when the budget is shared (Config.Budget has an InUse(ctx) method, as
// store.Budget has), else those of the in-process Limiter.
func (c *Client) BudgetInUse(ctx context.Context) (int, error) {
	if b, ok := c.budget.(interface {
		InUse(context.Context) (int, error)
	}); ok {
		return b.InUse(ctx)
	}
	return c.limiter.InUse(), nil
}

// call is one logical API request.
type call struct {
	method    string
	route     string     // below /api, starting with "/"
	query     url.Values // may be nil
	body      any        // JSON-encoded when non-nil
	out       any        // JSON-decoded into when non-nil
	anonymous bool       // send without a token
}

// get, post and del are the three verbs HaloPSA has.
func (c *Client) get(ctx context.Context, route string, q url.Values, out any) error {
	return c.do(ctx, call{method: http.MethodGet, route: route, query: q, out: out})
}

func (c *Client) post(ctx context.Context, route string, body, out any) error {
	return c.do(ctx, call{method: http.MethodPost, route: route, body: body, out: out})
}

func (c *Client) del(ctx context.Context, route string, q url.Values) error {
	return c.do(ctx, call{method: http.MethodDelete, route: route, query: q})
}

// do is the one request path: build with ctx → send → map status to typed errors → decode.
// A POST whose request reached the network but got no answer, or a 5xx answer, wraps
// ErrOutcomeUnknown as well as the cause.
func (c *Client) do(ctx context.Context, k call) error {
	req, err := c.newRequest(ctx, k)
	if err != nil {
		return err
	}
	mark := &sentMark{}
	req = req.WithContext(context.WithValue(ctx, sentKey{}, mark))
	hc := c.hc
	if k.anonymous {
		hc = c.anon
	}
	resp, err := hc.Do(req)
	if err != nil {
		return c.sendError(k, mark.sent.Load(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return c.sendError(k, true, fmt.Errorf("reading response: %w", err))
	}
	if resp.StatusCode >= 300 {
		return c.statusError(k, newAPIError(k.method, k.route, resp, body))
	}
	return decode(k, body)
}

func (c *Client) newRequest(ctx context.Context, k call) (*http.Request, error) {
	u := c.api + k.route
	if len(k.query) > 0 {
		u += "?" + k.query.Encode()
	}
	var body io.Reader
	if k.body != nil {
		b, err := json.Marshal(k.body)
		if err != nil {
			return nil, fmt.Errorf("encoding %s %s body: %w", k.method, k.route, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("building %s %s: %w", k.method, k.route, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// sendError wraps a failure to get an answer. Token failures keep their *APIError.
func (c *Client) sendError(k call, sent bool, err error) error {
	var ae *APIError
	if errors.As(err, &ae) || !sent || k.method != http.MethodPost {
		return fmt.Errorf("%s %s: %w", k.method, k.route, err)
	}
	return fmt.Errorf("%s %s: %w: %w", k.method, k.route, ErrOutcomeUnknown, err)
}

func (c *Client) statusError(k call, ae *APIError) error {
	if k.method == http.MethodPost && ae.StatusCode >= 500 {
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, ae)
	}
	return ae
}

func decode(k call, body []byte) error {
	if k.out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if raw, ok := k.out.(*json.RawMessage); ok {
		*raw = append((*raw)[:0], body...)
		return nil
	}
	if err := json.Unmarshal(body, k.out); err != nil {
		return fmt.Errorf("decoding %s %s response: %w", k.method, k.route, err)
	}
	return nil
}

// AuthInfo is what GET /api/authinfo advertises (anonymously) about a tenant's authorisation.
type AuthInfo struct {
	AuthURL  string `json:"auth_url"`
	TenantID string `json:"tenant_id"`
}

// TokenURL is the token endpoint AuthInfo implies: AuthURL + "/token", with the tenant as query
// parameter when known.
func (a AuthInfo) TokenURL() string {
	u := strings.TrimRight(a.AuthURL, "/") + "/token"
	if a.TenantID != "" {
		u += "?tenant=" + url.QueryEscape(a.TenantID)
	}
	return u
}

// AuthInfo discovers the tenant's authorisation server (GET /api/authinfo, no token). Use its
// AuthURL and TenantID as Config.AuthURL and Config.Tenant.
func (c *Client) AuthInfo(ctx context.Context) (AuthInfo, error) {
	var raw struct {
		AuthURL  string          `json:"auth_url"`
		TenantID json.RawMessage `json:"tenant_id"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, route: "/authinfo", out: &raw, anonymous: true}); err != nil {
		return AuthInfo{}, fmt.Errorf("discovering HaloPSA auth server: %w", err)
	}
	return AuthInfo{AuthURL: raw.AuthURL, TenantID: rawString(raw.TenantID)}, nil
}

// rawString renders a JSON string or number as text ("" for null or absent).
func rawString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	t := strings.TrimSpace(string(raw))
	if t == "null" {
		return ""
	}
	return t
}
