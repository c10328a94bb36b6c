package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"haloleads/internal/lifecycle"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// env turns a map into a getenv function.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// defaults is the configuration of an empty environment.
func defaults() Config {
	return Config{
		Temporal:  Temporal{Address: "127.0.0.1:7233", Namespace: "default", UIAddress: DefaultUIAddress},
		Halo:      Halo{RateLimit: 300, RateWindow: 5 * time.Minute, NewClientSite: NewClientSiteWithClient},
		Webhook:   Webhook{Listen: "127.0.0.1:8089"},
		Lifecycle: Lifecycle{FitThreshold: 70, OnViolation: lifecycle.Flag, StatusMap: lifecycle.DefaultStatusMap, QuietPeriod: 720 * time.Hour},
		DataDir:   ".haloleads", ImportWindow: 4,
		LogLevel:  zapcore.InfoLevel,
		LogFormat: "console", MetricsListen: ":9464",
	}
}

// secretFile writes content to a file in a test directory and returns its path.
func secretFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want func(*Config)
	}{
		{"empty environment gives the defaults", nil, func(*Config) {}},
		{"every plain setting", map[string]string{
			"TEMPORAL_ADDRESS": "temporal:7233", "TEMPORAL_NAMESPACE": "leads",
			"HALO_URL": "https://acme.halopsa.com", "HALO_AUTH_URL": "https://acme.halopsa.com/auth", "HALO_TENANT": "acme",
			"HALO_CLIENT_ID": "cid", "HALO_CLIENT_SECRET": "csecret", "HALO_SCOPES": " read:tickets\tedit:tickets  read:crm ",
			"HALO_RATE_LIMIT": "450", "HALO_RATE_WINDOW": "90s", "HALO_NEW_CLIENT_SITE": "separate",
			"WEBHOOK_LISTEN": "0.0.0.0:9000", "WEBHOOK_USER": "halo", "WEBHOOK_PASSWORD": "pw", "WEBHOOK_PUBLIC_URL": "https://hooks.example.com/halo",
			"HALOLEADS_DATA": "/data", "LEAD_AUTO_CONVERT": "yes", "LEAD_FIT_THRESHOLD": "80", "LEAD_ON_VIOLATION": "revert", "LEAD_QUIET_PERIOD": "240h",
			"APOLLO_API_KEY": "ak", "APOLLO_BASE_URL": "http://127.0.0.1:9001",
			"ZOOMINFO_USERNAME": "zu", "ZOOMINFO_PASSWORD": "zp", "ZOOMINFO_CLIENT_ID": "zc", "ZOOMINFO_PRIVATE_KEY": "zk", "ZOOMINFO_BASE_URL": "https://zi.example",
			"HUNTER_API_KEY": "hk", "HUNTER_BASE_URL": "https://hu.example", "UPLEAD_API_KEY": "uk", "UPLEAD_BASE_URL": "https://up.example",
			"LUSHA_API_KEY": "lk", "LUSHA_BASE_URL": "https://lu.example", "LOG_LEVEL": "DEBUG",
		}, func(c *Config) {
			c.Temporal = Temporal{Address: "temporal:7233", Namespace: "leads", UIAddress: DefaultUIAddress}
			c.Halo = Halo{URL: "https://acme.halopsa.com", AuthURL: "https://acme.halopsa.com/auth", Tenant: "acme", ClientID: "cid",
				ClientSecret: "csecret", Scopes: []string{"read:tickets", "edit:tickets", "read:crm"}, RateLimit: 450, RateWindow: 90 * time.Second,
				NewClientSite: NewClientSiteSeparate}
			c.Webhook = Webhook{Listen: "0.0.0.0:9000", User: "halo", Password: "pw", PublicURL: "https://hooks.example.com/halo"}
			c.DataDir = "/data"
			c.Lifecycle = Lifecycle{AutoConvertEngaged: true, FitThreshold: 80, OnViolation: lifecycle.Revert, StatusMap: lifecycle.DefaultStatusMap, QuietPeriod: 240 * time.Hour}
			c.Providers = Providers{ApolloKey: "ak", ApolloBaseURL: "http://127.0.0.1:9001",
				ZoomInfoUser: "zu", ZoomInfoPassword: "zp", ZoomInfoClientID: "zc", ZoomInfoPrivateKey: "zk", ZoomInfoBaseURL: "https://zi.example",
				HunterKey: "hk", HunterBaseURL: "https://hu.example", UpLeadKey: "uk", UpLeadBaseURL: "https://up.example",
				LushaKey: "lk", LushaBaseURL: "https://lu.example"}
			c.LogLevel = zapcore.DebugLevel
		}},
		{"values are trimmed", map[string]string{"HALO_URL": "  https://acme.halopsa.com\n", "LEAD_FIT_THRESHOLD": " 75 "},
			func(c *Config) { c.Halo.URL, c.Lifecycle.FitThreshold = "https://acme.halopsa.com", 75 }},
		{"blank value keeps the default", map[string]string{"TEMPORAL_ADDRESS": "  ", "LEAD_ON_VIOLATION": ""}, func(*Config) {}},
		{"bool spellings", map[string]string{"LEAD_AUTO_CONVERT": "ON"}, func(c *Config) { c.Lifecycle.AutoConvertEngaged = true }},
		{"false bool", map[string]string{"LEAD_AUTO_CONVERT": "0"}, func(*Config) {}},
		{"explicit zero stays zero", map[string]string{"LEAD_FIT_THRESHOLD": "0"}, func(c *Config) { c.Lifecycle.FitThreshold = 0 }},
		{"secret from a file, line break dropped", map[string]string{"HALO_CLIENT_SECRET_FILE": secretFile(t, "from-file\n")},
			func(c *Config) { c.Halo.ClientSecret = "from-file" }},
		{"secret file with CRLF and inner spaces", map[string]string{"WEBHOOK_PASSWORD_FILE": secretFile(t, " two words \r\n")},
			func(c *Config) { c.Webhook.Password = " two words " }},
		{"multi-line private key file", map[string]string{"ZOOMINFO_PRIVATE_KEY_FILE": secretFile(t, "-----BEGIN KEY-----\nabc\n-----END KEY-----\n")},
			func(c *Config) { c.Providers.ZoomInfoPrivateKey = "-----BEGIN KEY-----\nabc\n-----END KEY-----" }},
		{"_FILE is ignored for plain settings", map[string]string{"HALO_URL_FILE": "/nonexistent"}, func(*Config) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := FromEnv(env(tc.env))
			if err != nil {
				t.Fatalf("FromEnv: %v", err)
			}
			want := defaults()
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestFromEnvErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name  string
		env   map[string]string
		vars  []string // the variables the errors name, in order
		texts []string // substrings of the message
	}{
		{"bad number", map[string]string{"HALO_RATE_LIMIT": "lots"}, []string{"HALO_RATE_LIMIT"}, []string{`HALO_RATE_LIMIT is "lots", not a whole number`}},
		{"bad duration", map[string]string{"HALO_RATE_WINDOW": "5"}, []string{"HALO_RATE_WINDOW"}, []string{"not a Go duration such as 5m"}},
		{"bad bool", map[string]string{"LEAD_AUTO_CONVERT": "sometimes"}, []string{"LEAD_AUTO_CONVERT"}, []string{"not true or false"}},
		{"bad log level", map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL"}, []string{`LOG_LEVEL is not valid ("loud")`}},
		{"both value and file", map[string]string{"HALO_CLIENT_SECRET": "a", "HALO_CLIENT_SECRET_FILE": missing},
			[]string{"HALO_CLIENT_SECRET"}, []string{"HALO_CLIENT_SECRET and HALO_CLIENT_SECRET_FILE are both set; keep one of them"}},
		{"unreadable file", map[string]string{"WEBHOOK_PASSWORD_FILE": missing}, []string{"WEBHOOK_PASSWORD_FILE"},
			[]string{"WEBHOOK_PASSWORD_FILE cannot be read", "no such file"}},
		{"empty file", map[string]string{"APOLLO_API_KEY_FILE": secretFile(t, "\n")}, []string{"APOLLO_API_KEY_FILE"}, []string{"names an empty file"}},
		{"several at once", map[string]string{"HALO_RATE_LIMIT": "x", "LEAD_FIT_THRESHOLD": "high", "LOG_LEVEL": "x"},
			[]string{"HALO_RATE_LIMIT", "LEAD_FIT_THRESHOLD", "LOG_LEVEL"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := FromEnv(env(tc.env))
			if got := settingVars(err); !slices.Equal(got, tc.vars) {
				t.Errorf("errors name %v, want %v (%v)", got, tc.vars, err)
			}
			for _, s := range tc.texts {
				if err == nil || !strings.Contains(err.Error(), s) {
					t.Errorf("error %v, want it to contain %q", err, s)
				}
			}
		})
	}
}

// settingVars lists the variables named by the *SettingErrors joined in err.
func settingVars(err error) []string {
	var out []string
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	for _, e := range errs {
		var se *SettingError
		if errors.As(e, &se) {
			out = append(out, se.Var)
		}
	}
	return out
}

// valid is a configuration that passes Validate.
func valid() Config {
	c := defaults()
	c.Halo.URL, c.Halo.ClientID, c.Halo.ClientSecret = "https://acme.halopsa.com", "cid", "csecret"
	return c
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Config)
		vars   []string
		text   string
	}{
		{"minimal worker", func(*Config) {}, nil, ""},
		{"local sandbox over http", func(c *Config) { c.Halo.URL = "http://127.0.0.1:8090"; c.Halo.AuthURL = "http://localhost:8090/auth" }, nil, ""},
		{"webhook on", func(c *Config) { c.Webhook.User, c.Webhook.Password = "halo", "0123456789abcdef" }, nil, ""},
		{"zoominfo by password", func(c *Config) { c.Providers.ZoomInfoUser, c.Providers.ZoomInfoPassword = "u", "p" }, nil, ""},
		{"zoominfo by key", func(c *Config) {
			c.Providers.ZoomInfoUser, c.Providers.ZoomInfoClientID, c.Providers.ZoomInfoPrivateKey = "u", "id", "pem"
		}, nil, ""},
		{"nothing set", func(c *Config) { *c = defaults() }, []string{"HALO_URL", "HALO_CLIENT_ID", "HALO_CLIENT_SECRET"},
			"HALO_URL is required; set it to your tenant's address, such as https://acme.halopsa.com"},
		{"halo over plain http", func(c *Config) { c.Halo.URL = "http://acme.halopsa.com" }, []string{"HALO_URL"}, "plain http is for a local sandbox only"},
		{"halo url not a url", func(c *Config) { c.Halo.URL = "acme.halopsa.com" }, []string{"HALO_URL"}, "not an http(s) URL"},
		{"auth url bad", func(c *Config) { c.Halo.AuthURL = "ftp://acme" }, []string{"HALO_AUTH_URL"}, ""},
		{"admin scope", func(c *Config) { c.Halo.Scopes = []string{"read:tickets", "admin"} }, []string{"HALO_SCOPES"}, `asks for the "admin" scope`},
		{"all scope", func(c *Config) { c.Halo.Scopes = []string{"all"} }, []string{"HALO_SCOPES"}, ""},
		{"rate limit zero", func(c *Config) { c.Halo.RateLimit = 0 }, []string{"HALO_RATE_LIMIT"}, "hosted HaloPSA allows 300"},
		{"rate window negative", func(c *Config) { c.Halo.RateWindow = -time.Second }, []string{"HALO_RATE_WINDOW"}, ""},
		{"temporal address without port", func(c *Config) { c.Temporal.Address = "temporal" }, []string{"TEMPORAL_ADDRESS"}, "not a host:port address"},
		{"temporal address without host", func(c *Config) { c.Temporal.Address = ":7233" }, []string{"TEMPORAL_ADDRESS"}, ""},
		{"namespace empty", func(c *Config) { c.Temporal.Namespace = "" }, []string{"TEMPORAL_NAMESPACE"}, ""},
		{"data dir empty", func(c *Config) { c.DataDir = "" }, []string{"HALOLEADS_DATA"}, ""},
		{"metrics off", func(c *Config) { c.MetricsListen = "off" }, nil, ""},
		{"metrics off in capitals", func(c *Config) { c.MetricsListen = " OFF " }, nil, ""},
		{"metrics not host:port", func(c *Config) { c.MetricsListen = "metrics" }, []string{"METRICS_LISTEN"}, "not a host:port address"},
		{"listen port out of range", func(c *Config) { c.Webhook.Listen = ":80890" }, []string{"WEBHOOK_LISTEN"}, ""},
		{"webhook user without password", func(c *Config) { c.Webhook.User = "halo" }, []string{"WEBHOOK_PASSWORD"}, "is unset while WEBHOOK_USER is set"},
		{"webhook password without user", func(c *Config) { c.Webhook.Password = "0123456789abcdef" }, []string{"WEBHOOK_USER"}, ""},
		{"lusha opt-outs with the receiver", func(c *Config) {
			c.Webhook.User, c.Webhook.Password, c.Providers.LushaWebhookSecret = "halo", "0123456789abcdef", "whsec_x"
		}, nil, ""},
		{"lusha opt-outs without the receiver", func(c *Config) { c.Providers.LushaWebhookSecret = "whsec_x" },
			[]string{"LUSHA_WEBHOOK_SECRET"}, "the webhook receiver is off"},
		{"suppression key too short", func(c *Config) { c.SuppressionKey = "short" }, []string{"HALOLEADS_SUPPRESSION_KEY"}, "is 5 bytes long"},
		{"webhook password short", func(c *Config) { c.Webhook.User, c.Webhook.Password = "halo", "short" }, []string{"WEBHOOK_PASSWORD"}, "openssl rand -base64 32"},
		{"public url over http", func(c *Config) { c.Webhook.PublicURL = "http://hooks.example.com" }, []string{"WEBHOOK_PUBLIC_URL"}, "must travel over TLS"},
		{"fit threshold too high", func(c *Config) { c.Lifecycle.FitThreshold = 101 }, []string{"LEAD_FIT_THRESHOLD"}, "outside 1-100"},
		{"unknown violation policy", func(c *Config) { c.Lifecycle.OnViolation = "ignore" }, []string{"LEAD_ON_VIOLATION"}, "use flag"},
		{"unknown new client site", func(c *Config) { c.Halo.NewClientSite = "both" }, []string{"HALO_NEW_CLIENT_SITE"}, "use with-client"},
		{"bad provider url", func(c *Config) { c.Providers.LushaBaseURL = "lusha" }, []string{"LUSHA_BASE_URL"}, ""},
		{"zoominfo password without user", func(c *Config) { c.Providers.ZoomInfoPassword = "p" }, []string{"ZOOMINFO_USERNAME"}, ""},
		{"zoominfo user alone", func(c *Config) { c.Providers.ZoomInfoUser = "u" }, []string{"ZOOMINFO_PASSWORD"}, ""},
		{"zoominfo key without client id", func(c *Config) { c.Providers.ZoomInfoUser, c.Providers.ZoomInfoPrivateKey = "u", "pem" },
			[]string{"ZOOMINFO_CLIENT_ID"}, "must be set together"},
		{"zoominfo both ways", func(c *Config) {
			c.Providers.ZoomInfoUser, c.Providers.ZoomInfoPassword, c.Providers.ZoomInfoClientID, c.Providers.ZoomInfoPrivateKey = "u", "p", "id", "pem"
		}, []string{"ZOOMINFO_PASSWORD"}, "keep one way"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := valid()
			tc.change(&c)
			err := c.Validate()
			if got := settingVars(err); !slices.Equal(got, tc.vars) {
				t.Errorf("errors name %v, want %v (%v)", got, tc.vars, err)
			}
			if tc.text != "" && (err == nil || !strings.Contains(err.Error(), tc.text)) {
				t.Errorf("error %v, want it to contain %q", err, tc.text)
			}
		})
	}
}

// secrets is a configuration with every secret set to a canary.
func secrets() Config {
	c := valid()
	c.Halo.ClientSecret = "canary-halo"
	c.Webhook.User, c.Webhook.Password = "halo", "canary-webhook-password"
	c.Providers = Providers{ApolloKey: "canary-apollo", ZoomInfoUser: "zi-user", ZoomInfoClientID: "zi-client",
		ZoomInfoPrivateKey: "canary-zoominfo-key", HunterKey: "canary-hunter", UpLeadKey: "canary-uplead", LushaKey: "canary-lusha"}
	c.Halo.Scopes = []string{"read:tickets", "edit:tickets"}
	return c
}

func TestRedacted(t *testing.T) {
	t.Parallel()
	got := []byte(secrets().Redacted())
	if bytes.Contains(got, []byte("canary")) {
		t.Errorf("Redacted shows a secret:\n%s", got)
	}
	path := filepath.Join("testdata", "redacted.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Redacted:\n%s\nwant:\n%s", got, want)
	}
}

// TestRedactedRoundTrip checks that Redacted names every variable FromEnv reads, so a dump can
// be compared with the environment it came from.
func TestRedactedRoundTrip(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(map[string]string{"HALO_URL": "https://acme.halopsa.com", "HALO_SCOPES": "read:tickets edit:tickets", "LEAD_FIT_THRESHOLD": "65"}))
	if err != nil {
		t.Fatal(err)
	}
	dumped := map[string]string{}
	for line := range strings.Lines(c.Redacted()) {
		k, v, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
		dumped[k] = v
	}
	again, err := FromEnv(env(dumped))
	if err != nil {
		t.Fatalf("reading the dump back: %v", err)
	}
	again.Halo.ClientSecret, again.Webhook.Password, again.DatabaseURL, again.SuppressionKey, again.CodecKey = "", "", "", "", "" // "(unset)" reads back as text
	again.Temporal.DevDatabaseURL = ""
	again.Providers = Providers{}
	if !reflect.DeepEqual(again, c) {
		t.Errorf("dump reads back as %#v, want %#v", again, c)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := Secret("canary-secret")
	core, logs := observer.New(zapcore.DebugLevel)
	zap.New(core).Info("config", zap.Any("secret", s), zap.Any("config", secrets()), zap.Stringer("s", s))
	line, err := json.Marshal(logs.All()[0].ContextMap())
	if err != nil {
		t.Fatal(err)
	}
	asJSON, err := json.Marshal(secrets())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, got string }{
		{"%+v of config", fmt.Sprintf("%+v", secrets())}, {"%#v of config", fmt.Sprintf("%#v", secrets())},
		{"json of config", string(asJSON)}, {"zap", string(line)},
	}
	for _, verb := range []string{"%v", "%s", "%q", "%#v", "%x", "%d", "%10.3s"} {
		tests = append(tests, struct{ name, got string }{verb, fmt.Sprintf(verb, s)})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(tc.got, "canary") || strings.Contains(tc.got, fmt.Sprintf("%x", "canary")) {
				t.Errorf("%s shows the secret: %s", tc.name, tc.got)
			}
		})
	}
	if s.Value() != "canary-secret" || Secret("").String() != "(unset)" {
		t.Errorf("Value %q, unset %q", s.Value(), Secret("").String())
	}
}

// FuzzFromEnv gives every variable the same arbitrary value: FromEnv must not panic, every
// error must be a *SettingError naming a variable, and no secret may show in the dump.
func FuzzFromEnv(f *testing.F) {
	for _, s := range []string{"", "0", "-1", "5m", "true", "debug", "https://x", "a b  c", "\x00", "99999999999999999999", "1h2m3s4ms"} {
		f.Add(s)
	}
	var names []string
	eachSetting(&Config{}, func(_ reflect.Value, sf reflect.StructField) { names = append(names, sf.Tag.Get("env")) })
	f.Fuzz(func(t *testing.T, value string) {
		canary := "SECRET-" + value
		c, err := FromEnv(func(k string) string {
			if secretName(k) {
				return canary
			}
			return value
		})
		for _, v := range settingVars(err) {
			if !slices.Contains(names, v) {
				t.Errorf("error names unknown variable %q", v)
			}
		}
		if strings.TrimSpace(canary) != "SECRET-" && strings.Contains(c.Redacted(), strings.TrimSpace(canary)) {
			t.Errorf("Redacted shows a secret value")
		}
		_ = c.Validate()
	})
}

// secretName reports whether variable k holds a Secret field.
func secretName(k string) bool {
	secret := false
	eachSetting(&Config{}, func(f reflect.Value, sf reflect.StructField) {
		if sf.Tag.Get("env") == k && f.Type() == secretType {
			secret = true
		}
	})
	return secret
}

// TestUIAddress: TEMPORAL_UI_ADDRESS defaults to DefaultUIAddress; 0 and off turn the UI off;
// anything else must be host:port.
func TestUIAddress(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value   string
		want    string
		off     bool
		invalid bool
	}{
		{"", DefaultUIAddress, false, false},
		{"0.0.0.0:9233", "0.0.0.0:9233", false, false},
		{"off", "off", true, false},
		{"0", "0", true, false},
		{"ui", "ui", false, true},
	} {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"HALO_URL": "https://acme.halopsa.com", "HALO_CLIENT_ID": "id", "HALO_CLIENT_SECRET": "s",
				"TEMPORAL_UI_ADDRESS": tt.value}
			cfg, err := FromEnv(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Temporal.UIAddress != tt.want || cfg.Temporal.UIOff() != tt.off {
				t.Fatalf("UIAddress %q off %v, want %q off %v", cfg.Temporal.UIAddress, cfg.Temporal.UIOff(), tt.want, tt.off)
			}
			err = cfg.Validate()
			if invalid := err != nil && strings.Contains(err.Error(), "TEMPORAL_UI_ADDRESS"); invalid != tt.invalid {
				t.Fatalf("Validate: %v, want TEMPORAL_UI_ADDRESS invalid %v", err, tt.invalid)
			}
		})
	}
}
