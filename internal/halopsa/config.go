package halopsa

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Defaults applied by Config.withDefaults.
const (
	// DefaultRateLimit is the number of requests allowed per rolling window: the only primary
	// evidence is "300 Requests per rolling 5 minute window" on hosted HaloPSA.
	DefaultRateLimit = 300
	// DefaultRateWindow is the length of the rolling window.
	DefaultRateWindow = 5 * time.Minute
	// DefaultRateLimitPause is how long every request to a tenant waits after a 429 that carries
	// no Retry-After header (short sleeps do not clear a rolling window).
	DefaultRateLimitPause = 30 * time.Second
	// DefaultMaxRateLimitRetries is how many times one request is re-sent after a 429.
	DefaultMaxRateLimitRetries = 3
	// DefaultPageSize is the page size for paged lists (HaloPSA's maximum for /Tickets).
	DefaultPageSize = 100
	// MaxBatch is the largest number of items sent in one bulk POST.
	MaxBatch = 100
)

// DefaultScopes are the OAuth2 scopes haloleads needs, and no more:
//
//   - read:tickets, edit:tickets: lead, prospect and opportunity tickets and their actions;
//   - read:customers, edit:customers: clients, sites and users (end-user contacts);
//   - read:crm, edit:crm: CRM data attached to clients and opportunities.
//
// Tenant set-up (ticket types, statuses, custom fields, lookups, tags, distribution lists and the
// webhook) additionally relies on the permissions of the agent the API application logs in as;
// HaloPSA answers 401 or 403 when they are missing. The `admin` scope is never requested and
// Config.Validate rejects it.
var DefaultScopes = []string{
	"read:tickets", "edit:tickets",
	"read:customers", "edit:customers",
	"read:crm", "edit:crm",
}

// Config configures a Client. The zero value of every optional field selects the documented
// default.
type Config struct {
	// BaseURL is the tenant's address without a path, e.g. "https://acme.halopsa.com". The REST
	// API is served below BaseURL + "/api". Required.
	BaseURL string
	// AuthURL is the authorisation server. Default BaseURL + "/auth". The token endpoint is
	// AuthURL + "/token", with "?tenant=" + Tenant when Tenant is set. Client.AuthInfo
	// discovers the value a tenant advertises.
	AuthURL string
	// Tenant is the hosted tenant name sent with token requests; empty for self-hosted servers.
	Tenant string
	// ClientID and ClientSecret are the API application's client-credentials. Required.
	ClientID     string
	ClientSecret string
	// Scopes requested with every token. Default DefaultScopes. "admin" is rejected.
	Scopes []string

	// RateLimit is the number of requests allowed per RateWindow. Default 300.
	RateLimit int
	// RateWindow is the rolling window. Default 5 minutes.
	RateWindow time.Duration
	// RateLimitPause is how long every request waits after a 429 without Retry-After.
	// Default 30 s. Tests shorten it.
	RateLimitPause time.Duration
	// MaxRateLimitRetries is how often one request is re-sent after a 429. Default 3;
	// a negative value disables re-sending.
	MaxRateLimitRetries int
	// Limiter, when set, is the rolling-window budget this client draws from. Clients talking to
	// the same tenant must share one limiter: build it with Limiters.SharedLimiter.
	Limiter *Limiter
	// Budget, when set, replaces Limiter and Limiters: the client draws from a budget shared
	// beyond this process (store.Budget keeps one in PostgreSQL for every process of a
	// deployment). RateLimit and RateWindow then only describe it.
	Budget Budget
	// Limiters, used when Limiter is nil, hands out one limiter per LimiterKey(BaseURL, Tenant),
	// so every client built with the same registry shares its tenant's budget. When both are nil
	// the client gets a limiter of its own.
	Limiters *Limiters
	// Clock drives the limiter. Default the real clock.
	Clock Clock

	// PageSize is the page size for paged lists. Default 100 (HaloPSA's maximum).
	PageSize int
	// HTTPClient sends every request (its Transport is wrapped, never modified). Default a client
	// with a 60 s timeout.
	HTTPClient *http.Client
	// Logger receives one debug line per request (verb, route, status; never query values or
	// bodies). Default zap.NewNop().
	Logger *zap.Logger
	// OnRequest, when set, is called after every request sent to HaloPSA (token requests
	// included) with its route, verb, parameter names and body field names. It must be safe for
	// concurrent use. Conformance tests use it.
	OnRequest func(RequestInfo)
}

// ErrInvalidConfig is wrapped by every error Config.Validate returns.
var ErrInvalidConfig = errors.New("invalid HaloPSA configuration")

// Validate reports the first problem in c (after defaults), wrapping ErrInvalidConfig.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.BaseURL == "":
		return fmt.Errorf("%w: BaseURL is required", ErrInvalidConfig)
	case c.ClientID == "" || c.ClientSecret == "":
		return fmt.Errorf("%w: ClientID and ClientSecret are required", ErrInvalidConfig)
	case c.RateLimit < 1 || c.RateWindow <= 0:
		return fmt.Errorf("%w: RateLimit and RateWindow must be positive", ErrInvalidConfig)
	case c.PageSize < 1 || c.PageSize > DefaultPageSize:
		return fmt.Errorf("%w: PageSize must be between 1 and %d", ErrInvalidConfig, DefaultPageSize)
	}
	for _, u := range []string{c.BaseURL, c.AuthURL} {
		if err := checkURL(u); err != nil {
			return err
		}
	}
	for _, s := range c.Scopes {
		if strings.EqualFold(s, "admin") {
			return fmt.Errorf("%w: the admin scope is never needed; grant %s", ErrInvalidConfig,
				strings.Join(DefaultScopes, " "))
		}
	}
	return nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: %q is not an http(s) URL", ErrInvalidConfig, raw)
	}
	return nil
}

// withDefaults returns c with every unset field replaced by its default.
func (c Config) withDefaults() Config {
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.AuthURL == "" && c.BaseURL != "" {
		c.AuthURL = c.BaseURL + "/auth"
	}
	c.AuthURL = strings.TrimRight(c.AuthURL, "/")
	if len(c.Scopes) == 0 {
		c.Scopes = DefaultScopes
	}
	if c.RateLimit == 0 {
		c.RateLimit = DefaultRateLimit
	}
	if c.RateWindow == 0 {
		c.RateWindow = DefaultRateWindow
	}
	if c.RateLimitPause == 0 {
		c.RateLimitPause = DefaultRateLimitPause
	}
	if c.MaxRateLimitRetries == 0 {
		c.MaxRateLimitRetries = DefaultMaxRateLimitRetries
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return c
}

// String is a redacted dump of c for logs and `--check` output: the client secret is never shown.
func (c Config) String() string {
	c = c.withDefaults()
	secret := "(unset)"
	if c.ClientSecret != "" {
		secret = "(redacted)"
	}
	return fmt.Sprintf("HaloPSA base=%s auth=%s tenant=%q client_id=%q client_secret=%s scopes=%q rate=%d/%s",
		c.BaseURL, c.AuthURL, c.Tenant, c.ClientID, secret, strings.Join(c.Scopes, " "), c.RateLimit, c.RateWindow)
}

// TokenURL is the OAuth2 token endpoint the client uses.
func (c Config) TokenURL() string {
	c = c.withDefaults()
	u := c.AuthURL + "/token"
	if c.Tenant != "" {
		u += "?tenant=" + url.QueryEscape(c.Tenant)
	}
	return u
}

// APIURL is the root of the REST API.
func (c Config) APIURL() string { return c.withDefaults().BaseURL + "/api" }
