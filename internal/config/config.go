// Package config is haloleads' one typed configuration, shared by the worker and the starter.
//
// Every setting comes from an environment variable named in its field's `env` tag (the names are
// binding: docker-compose.yml uses them). A secret may instead be read from the file named by the
// same variable with a _FILE suffix (a Docker or Kubernetes secret); setting both is an error.
// Settings never come from command-line flags, which other users can read with ps.
//
// FromEnv reads and parses, Validate checks that the result can run a worker, and Redacted dumps
// it for logs with every secret hidden.
package config

import (
	"fmt"
	"io"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"

	"haloleads/internal/lifecycle"
)

// Config is the whole configuration.
type Config struct {
	Temporal  Temporal
	Halo      Halo
	Webhook   Webhook
	Lifecycle Lifecycle
	Providers Providers
	// DataDir holds haloleads' local state (the SQLite store, provider exports).
	DataDir string `env:"HALOLEADS_DATA" default:".haloleads"`
	// DatabaseURL, when set, puts the store on PostgreSQL (postgres://user:pass@host/db): every
	// worker, webhook receiver and CLI of the deployment then shares it, and the HaloPSA budget
	// with it. Empty means the SQLite file in DataDir, for one process on one host.
	DatabaseURL Secret `env:"HALOLEADS_DATABASE_URL"`
	// SuppressionKey is the secret the suppression list's keys are hashed with (HMAC-SHA256),
	// at least 16 bytes. Empty: the store generates a key of its own and keeps it in the database.
	SuppressionKey Secret `env:"HALOLEADS_SUPPRESSION_KEY"`
	// ImportWindow is the number of batches of 100 leads an import lands at once (0 or less:
	// leadflow.DefaultImportWindow, 4). Each worker process runs at most 4 HaloPSA activities
	// at a time, so more only helps with several workers.
	ImportWindow int `env:"IMPORT_PARALLEL_BATCHES" default:"4"`
	// LogLevel is the lowest level logged: debug, info, warn or error.
	LogLevel zapcore.Level `env:"LOG_LEVEL" default:"info"`
	// LogFormat is how logs are written: console (readable) or json (one object a line).
	LogFormat string `env:"LOG_FORMAT" default:"console"`
	// MetricsListen is where the worker serves /metrics, /healthz and /readyz (host:port);
	// "off" serves none (an empty value means the default). Read it through MetricsAddr.
	MetricsListen string `env:"METRICS_LISTEN" default:":9464"`
	// CodecKey encrypts every Temporal payload (package codec): base64 32-byte keys separated
	// by commas, the current one first. Empty means the key file codec.key in DataDir, when
	// there is one (the demo writes it), else payloads are not encrypted.
	CodecKey Secret `env:"HALOLEADS_CODEC_KEY"`
	// CodecListen, when set, is where the worker serves the codec endpoint the Temporal Web UI
	// decrypts through (host:port; keep it on a loopback address).
	CodecListen string `env:"CODEC_LISTEN"`
}

// Temporal says where the Temporal frontend is.
type Temporal struct {
	// Address is the frontend's host:port.
	Address string `env:"TEMPORAL_ADDRESS" default:"127.0.0.1:7233"`
	// Namespace holds haloleads' workflows.
	Namespace string `env:"TEMPORAL_NAMESPACE" default:"default"`
	// UIURL is the Temporal Web UI's address; commands print links to workflows below it.
	UIURL string `env:"TEMPORAL_UI_URL"`
	// DevDatabaseURL, when set, keeps `worker --dev`'s embedded Temporal server on PostgreSQL
	// (postgres://user:pass@host/temporal; the database and its "_visibility" twin are
	// created and migrated when missing) instead of SQLite in the data directory.
	DevDatabaseURL Secret `env:"TEMPORAL_DEV_DATABASE_URL"`
	// UIAddress is where `worker --dev` serves the embedded server's Web UI (host:port); "0"
	// or "off" turns the UI off. When the default's port is taken, a free one is used (the
	// log says which); when another address is taken, the worker stops.
	UIAddress string `env:"TEMPORAL_UI_ADDRESS" default:"127.0.0.1:8233"`
}

// DefaultUIAddress is TEMPORAL_UI_ADDRESS's default.
const DefaultUIAddress = "127.0.0.1:8233"

// UIOff reports whether TEMPORAL_UI_ADDRESS turns `worker --dev`'s Web UI off.
func (t Temporal) UIOff() bool {
	switch strings.ToLower(strings.TrimSpace(t.UIAddress)) {
	case "0", "off":
		return true
	}
	return false
}

// Halo holds the HaloPSA tenant and API application.
type Halo struct {
	// URL is the tenant's address without a path, e.g. https://acme.halopsa.com.
	URL string `env:"HALO_URL"`
	// AuthURL is the authorisation server; empty means URL + "/auth".
	AuthURL string `env:"HALO_AUTH_URL"`
	// Tenant is the hosted tenant name sent with token requests; empty for self-hosted Halo.
	Tenant string `env:"HALO_TENANT"`
	// ClientID and ClientSecret are the API application's "Client ID and Secret (Services)".
	ClientID     string `env:"HALO_CLIENT_ID"`
	ClientSecret Secret `env:"HALO_CLIENT_SECRET"`
	// Scopes are the OAuth2 scopes requested, space separated in the environment; empty means
	// the HaloPSA client's minimal default set.
	Scopes []string `env:"HALO_SCOPES"`
	// RateLimit is the number of requests HaloPSA allows per RateWindow (rolling).
	RateLimit int `env:"HALO_RATE_LIMIT" default:"300"`
	// RateWindow is the rolling window of RateLimit, as a Go duration ("5m").
	RateWindow time.Duration `env:"HALO_RATE_WINDOW" default:"5m"`
	// AllowInsecure lets `setup` use an http:// HALO_URL or WEBHOOK_PUBLIC_URL that is not on
	// a loopback address (a sandbox on another host); without it setup refuses to send the
	// client secret or the webhook password in clear.
	AllowInsecure bool `env:"HALO_ALLOW_INSECURE"`
	// NewClientSite is how a new client's main site is created: "with-client" in the client's
	// POST (Halo's newclient_sitename: one request per batch of new companies less; when the
	// answer does not name the site, one read of the newest sites finds it, and a client that
	// got none is given one), or "separate", a POST of its own.
	NewClientSite string `env:"HALO_NEW_CLIENT_SITE" default:"with-client"`
}

// Values of Halo.NewClientSite.
const (
	NewClientSiteWithClient = "with-client"
	NewClientSiteSeparate   = "separate"
)

// Webhook configures the receiver of HaloPSA's outbound webhooks. It runs when Password is set.
type Webhook struct {
	// Listen is the receiver's listen address, host:port. The default is loopback only: put a
	// TLS-terminating proxy in front, or set TLSCert and TLSKey and listen on a public address.
	Listen string `env:"WEBHOOK_LISTEN" default:"127.0.0.1:8089"`
	// TLSCert and TLSKey are PEM files; with both set the receiver serves HTTPS itself.
	TLSCert string `env:"WEBHOOK_TLS_CERT"`
	TLSKey  string `env:"WEBHOOK_TLS_KEY"`
	// User and Password are the Basic-auth credentials set on the HaloPSA webhook.
	User     string `env:"WEBHOOK_USER"`
	Password Secret `env:"WEBHOOK_PASSWORD"`
	// PublicURL is the https address HaloPSA calls (tenant set-up registers it); empty leaves
	// the webhook unregistered.
	PublicURL string `env:"WEBHOOK_PUBLIC_URL"`
}

// Enabled reports whether the webhook receiver should run.
func (w Webhook) Enabled() bool { return w.Password != "" }

// Lifecycle holds the tunable Lead → Prospect → Opportunity rules.
type Lifecycle struct {
	// AutoConvertEngaged promotes an Engaged lead to a prospect without waiting for a person.
	AutoConvertEngaged bool `env:"LEAD_AUTO_CONVERT"`
	// FitThreshold is the lowest fit score (1-100) that qualifies a prospect.
	FitThreshold int `env:"LEAD_FIT_THRESHOLD" default:"70"`
	// OnViolation says what happens to a rule-breaking status change made in HaloPSA.
	OnViolation lifecycle.OnViolation `env:"LEAD_ON_VIOLATION" default:"flag"`
	// RequireWinLossReason makes Win/Loss Reason required to close an opportunity (the design
	// doc marks it optional).
	RequireWinLossReason bool `env:"LEAD_REQUIRE_WIN_LOSS_REASON"`
	// QuietPeriod is how long a lead at Won, Lost, Disqualified or Do Not Contact stays
	// untouched before its workflow ends, its state kept in the store (0: never).
	QuietPeriod time.Duration `env:"LEAD_QUIET_PERIOD" default:"720h"`
	// StatusMap maps the tenant's own HaloPSA statuses to lifecycle statuses ("Name=status,...";
	// "closed" is the closing status of the lead's stage): lifecycle.ParseStatusMap.
	StatusMap string `env:"LEAD_STATUS_MAP" default:"Closed=closed"`
}

// Providers holds the data providers' credentials; a provider without credentials is used
// through CSV exports only. An empty base URL means the provider's public API.
type Providers struct {
	ApolloKey     Secret `env:"APOLLO_API_KEY"`
	ApolloBaseURL string `env:"APOLLO_BASE_URL"`

	// ZoomInfo's legacy API authenticates with a username and either a password or a client
	// id and RSA private key (PEM) that sign a client JWT.
	ZoomInfoUser       string `env:"ZOOMINFO_USERNAME"`
	ZoomInfoPassword   Secret `env:"ZOOMINFO_PASSWORD"`
	ZoomInfoClientID   string `env:"ZOOMINFO_CLIENT_ID"`
	ZoomInfoPrivateKey Secret `env:"ZOOMINFO_PRIVATE_KEY"`
	ZoomInfoBaseURL    string `env:"ZOOMINFO_BASE_URL"`

	HunterKey     Secret `env:"HUNTER_API_KEY"`
	HunterBaseURL string `env:"HUNTER_BASE_URL"`

	UpLeadKey     Secret `env:"UPLEAD_API_KEY"`
	UpLeadBaseURL string `env:"UPLEAD_BASE_URL"`

	LushaKey     Secret `env:"LUSHA_API_KEY"`
	LushaBaseURL string `env:"LUSHA_BASE_URL"`
	// LushaWebhookSecret is the Lusha account's webhook secret (Lusha's API: GET
	// /api/account/secret): with it the webhook receiver serves Lusha's opt-out webhook, and
	// `starter setup` subscribes it when LUSHA_API_KEY and WEBHOOK_PUBLIC_URL are set too.
	LushaWebhookSecret Secret `env:"LUSHA_WEBHOOK_SECRET"`
}

// Secret is a credential. It prints, formats and encodes as "[redacted]" (or "(unset)"), so it
// cannot leak through fmt, a log line, JSON or a dump; Value returns the credential itself.
type Secret string

// Value returns the credential.
func (s Secret) Value() string { return string(s) }

// String returns "[redacted]", or "(unset)" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return "(unset)"
	}
	return "[redacted]"
}

// Format prints String for every verb, so that no fmt verb (not even a wrong one, like %d)
// reaches the credential.
func (s Secret) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// MarshalText hides the secret from encoders (JSON, zap's reflection encoder).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MetricsOff is the METRICS_LISTEN value that turns the metrics and health endpoint off.
const MetricsOff = "off"

// MetricsAddr is where the worker serves /metrics, /healthz and /readyz, or "" when
// METRICS_LISTEN is "off".
func (c Config) MetricsAddr() string {
	if strings.EqualFold(strings.TrimSpace(c.MetricsListen), MetricsOff) {
		return ""
	}
	return c.MetricsListen
}
