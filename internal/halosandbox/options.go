package halosandbox

import (
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// Defaults of Options.
const (
	DefaultClientID     = "haloleads-sandbox"
	DefaultClientSecret = "sandbox-secret"
	DefaultTenant       = "sandbox"
	DefaultRateLimit    = 300
	DefaultRateWindow   = 5 * time.Minute
	DefaultTokenTTL     = 3600 * time.Second
	// MaxPageSize is the largest page_size honoured; larger values are capped.
	MaxPageSize = 100
	// DefaultPageSize is the page size when pageinate=true comes without page_size.
	DefaultPageSize = 50
)

// Options configures a Server. The zero value is a usable in-memory sandbox with the defaults
// above.
type Options struct {
	// ClientID and ClientSecret are the only credentials /auth/token accepts.
	ClientID, ClientSecret string
	// Tenant is the tenant name /api/authinfo reports; a token request naming another tenant
	// fails with 500, as Halo does. Default "sandbox".
	Tenant string
	// DataDir, when set, holds the state file: New loads it and Save/Close write it. Empty
	// means in memory only.
	DataDir string
	// RateLimit is the number of /api and /auth requests allowed per RateWindow (rolling);
	// default 300, negative disables limiting.
	RateLimit int
	// RateWindow is the rolling window of the rate limit; default 5 minutes.
	RateWindow time.Duration
	// RetryAfter adds a Retry-After header to 429 answers (Halo's behaviour is UNCONFIRMED,
	// so it is off by default).
	RetryAfter bool
	// TokenTTL is the lifetime of access tokens; default 3600 s.
	TokenTTL time.Duration
	// FirstObjectOnly makes a multi-item POST answer with the first object only instead of
	// the whole array (Halo's behaviour is UNCONFIRMED).
	FirstObjectOnly bool
	// Now is the clock for token expiry, the rate window and record dates; default time.Now.
	Now func() time.Time
	// Logger receives one debug line per request (method, route, status; never bodies or
	// query strings, which can carry personal data). Default: no logging.
	Logger *zap.Logger
	// WebhookClient delivers outbound webhooks; default an http.Client with a 10 s timeout.
	WebhookClient *http.Client
}

// withDefaults returns o with every unset field given its default.
func (o Options) withDefaults() Options {
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.Tenant == "" {
		o.Tenant = DefaultTenant
	}
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.RateWindow == 0 {
		o.RateWindow = DefaultRateWindow
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.WebhookClient == nil {
		o.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	return o
}

// validate reports settings that cannot work.
func (o Options) validate() error {
	switch {
	case o.RateWindow < 0:
		return errors.New("sandbox options: RateWindow must not be negative")
	case o.TokenTTL < 0:
		return errors.New("sandbox options: TokenTTL must not be negative")
	}
	return nil
}
