package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"haloleads/internal/lifecycle"
)

// MinWebhookPassword is the shortest webhook password accepted: it is the only thing that
// authenticates HaloPSA's deliveries.
const MinWebhookPassword = 16

// MinSuppressionKey is the shortest suppression key accepted (128 bits).
const MinSuppressionKey = 16

// Validate checks that c can run a worker. The error joins one *SettingError per problem, each a
// sentence naming the variable, with a hint.
func (c Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(hostPort("TEMPORAL_ADDRESS", c.Temporal.Address, true))
	add(required("TEMPORAL_NAMESPACE", c.Temporal.Namespace, "set it to the namespace the worker polls, usually default"))
	add(required("HALOLEADS_DATA", c.DataDir, "set it to a writable directory for haloleads' state"))
	if c.LogFormat != "console" && c.LogFormat != "json" {
		add(&SettingError{Var: "LOG_FORMAT", Problem: fmt.Sprintf("is %q", c.LogFormat), Hint: "use console or json"})
	}
	if a := c.MetricsAddr(); a != "" {
		add(hostPort("METRICS_LISTEN", a, false))
	}
	add(apiURL("TEMPORAL_UI_URL", c.Temporal.UIURL))
	if !c.Temporal.UIOff() {
		add(hostPort("TEMPORAL_UI_ADDRESS", c.Temporal.UIAddress, false))
	}
	if c.Providers.LushaWebhookSecret != "" && !c.Webhook.Enabled() {
		add(&SettingError{Var: "LUSHA_WEBHOOK_SECRET", Problem: "is set but the webhook receiver is off",
			Hint: "set WEBHOOK_USER and WEBHOOK_PASSWORD: Lusha's opt-outs arrive at the receiver's /lusha/opt-out"})
	}
	if k := c.SuppressionKey.Value(); k != "" && len(k) < MinSuppressionKey {
		add(&SettingError{Var: "HALOLEADS_SUPPRESSION_KEY", Problem: fmt.Sprintf("is %d bytes long", len(k)),
			Hint: fmt.Sprintf("use at least %d random bytes, e.g. the output of `openssl rand -hex 32`", MinSuppressionKey)})
	}
	errs = append(errs, c.Halo.validate()...)
	errs = append(errs, c.Webhook.validate()...)
	errs = append(errs, c.Lifecycle.validate()...)
	errs = append(errs, c.Providers.validate()...)
	return errors.Join(errs...)
}

// validate checks the HaloPSA settings.
func (h Halo) validate() []error {
	errs := []error{
		required("HALO_URL", h.URL, "set it to your tenant's address, such as https://acme.halopsa.com"),
		apiURL("HALO_URL", h.URL),
		apiURL("HALO_AUTH_URL", h.AuthURL),
		required("HALO_CLIENT_ID", h.ClientID, "set it to the Client ID of a \"Client ID and Secret (Services)\" API application"),
		required("HALO_CLIENT_SECRET", string(h.ClientSecret), "set it (or HALO_CLIENT_SECRET_FILE) to the API application's secret"),
	}
	for _, s := range h.Scopes {
		if strings.EqualFold(s, "admin") || strings.EqualFold(s, "all") {
			errs = append(errs, &SettingError{Var: "HALO_SCOPES", Problem: fmt.Sprintf("asks for the %q scope", s),
				Hint: "haloleads needs only the ticket, customer and crm scopes; leave it empty for those"})
		}
	}
	if h.RateLimit < 1 {
		errs = append(errs, &SettingError{Var: "HALO_RATE_LIMIT", Problem: fmt.Sprintf("is %d", h.RateLimit),
			Hint: "set the requests your tenant allows per window; hosted HaloPSA allows 300"})
	}
	if h.NewClientSite != NewClientSiteWithClient && h.NewClientSite != NewClientSiteSeparate {
		errs = append(errs, &SettingError{Var: "HALO_NEW_CLIENT_SITE", Problem: fmt.Sprintf("is %q", h.NewClientSite),
			Hint: "use with-client (the main site created in the client's POST) or separate (a POST of its own)"})
	}
	if h.RateWindow <= 0 {
		errs = append(errs, &SettingError{Var: "HALO_RATE_WINDOW", Problem: fmt.Sprintf("is %s", h.RateWindow),
			Hint: "set a positive duration; hosted HaloPSA's window is 5m"})
	}
	return errs
}

// validate checks the webhook receiver's settings.
func (w Webhook) validate() []error {
	errs := []error{hostPort("WEBHOOK_LISTEN", w.Listen, false)}
	switch {
	case w.User != "" && w.Password == "":
		errs = append(errs, &SettingError{Var: "WEBHOOK_PASSWORD", Problem: "is unset while WEBHOOK_USER is set",
			Hint: "set it (or WEBHOOK_PASSWORD_FILE) to a long random secret, or unset WEBHOOK_USER"})
	case w.Password != "" && w.User == "":
		errs = append(errs, &SettingError{Var: "WEBHOOK_USER", Problem: "is required when WEBHOOK_PASSWORD is set",
			Hint: "use the user name set on the HaloPSA webhook's Basic authentication"})
	case w.Password != "" && len(w.Password) < MinWebhookPassword:
		errs = append(errs, &SettingError{Var: "WEBHOOK_PASSWORD", Problem: fmt.Sprintf("is shorter than %d characters", MinWebhookPassword),
			Hint: "generate one with: openssl rand -base64 32"})
	}
	if (w.TLSCert == "") != (w.TLSKey == "") {
		errs = append(errs, &SettingError{Var: "WEBHOOK_TLS_CERT", Problem: "and WEBHOOK_TLS_KEY must be set together",
			Hint: "name the PEM certificate (chain) and its private key, or neither to serve plain HTTP on loopback"})
	}
	if w.PublicURL != "" {
		if u, err := url.Parse(w.PublicURL); err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, &SettingError{Var: "WEBHOOK_PUBLIC_URL", Problem: fmt.Sprintf("is %q, not an https URL", w.PublicURL),
				Hint: "HaloPSA sends the Basic-auth password with every delivery, so it must travel over TLS"})
		}
	}
	return errs
}

// validate checks the lifecycle rules.
func (l Lifecycle) validate() []error {
	var errs []error
	if l.FitThreshold < 1 || l.FitThreshold > 100 {
		errs = append(errs, &SettingError{Var: "LEAD_FIT_THRESHOLD", Problem: fmt.Sprintf("is %d, outside 1-100", l.FitThreshold),
			Hint: fmt.Sprintf("the default is %d", lifecycle.DefaultFitThreshold)})
	}
	if l.OnViolation != lifecycle.Flag && l.OnViolation != lifecycle.Revert {
		errs = append(errs, &SettingError{Var: "LEAD_ON_VIOLATION", Problem: fmt.Sprintf("is %q", l.OnViolation),
			Hint: fmt.Sprintf("use %s (keep the change and flag it) or %s (undo it)", lifecycle.Flag, lifecycle.Revert)})
	}
	if _, err := lifecycle.ParseStatusMap(l.StatusMap); err != nil {
		errs = append(errs, &SettingError{Var: "LEAD_STATUS_MAP", Problem: err.Error(),
			Hint: "write Name=status pairs separated by commas, e.g. Closed=closed,On Hold=researching"})
	}
	return errs
}

// validate checks the providers' base URLs and ZoomInfo's credential combination.
func (p Providers) validate() []error {
	errs := []error{
		apiURL("APOLLO_BASE_URL", p.ApolloBaseURL),
		apiURL("ZOOMINFO_BASE_URL", p.ZoomInfoBaseURL),
		apiURL("HUNTER_BASE_URL", p.HunterBaseURL),
		apiURL("UPLEAD_BASE_URL", p.UpLeadBaseURL),
		apiURL("LUSHA_BASE_URL", p.LushaBaseURL),
	}
	password := p.ZoomInfoPassword != ""
	pki := p.ZoomInfoClientID != "" || p.ZoomInfoPrivateKey != ""
	switch {
	case (password || pki) && p.ZoomInfoUser == "":
		errs = append(errs, &SettingError{Var: "ZOOMINFO_USERNAME", Problem: "is required with ZoomInfo credentials",
			Hint: "set the ZoomInfo API user name"})
	case p.ZoomInfoUser != "" && !password && !pki:
		errs = append(errs, &SettingError{Var: "ZOOMINFO_PASSWORD", Problem: "is unset while ZOOMINFO_USERNAME is set",
			Hint: "set it, or ZOOMINFO_CLIENT_ID with ZOOMINFO_PRIVATE_KEY_FILE"})
	case pki && (p.ZoomInfoClientID == "" || p.ZoomInfoPrivateKey == ""):
		errs = append(errs, &SettingError{Var: "ZOOMINFO_CLIENT_ID", Problem: "and ZOOMINFO_PRIVATE_KEY must be set together",
			Hint: "set both, or use ZOOMINFO_PASSWORD instead"})
	case password && pki:
		errs = append(errs, &SettingError{Var: "ZOOMINFO_PASSWORD", Problem: "is set together with ZOOMINFO_CLIENT_ID",
			Hint: "keep one way of signing in"})
	}
	return errs
}

// required reports an empty setting.
func required(name, value, hint string) error {
	if value != "" {
		return nil
	}
	return &SettingError{Var: name, Problem: "is required", Hint: hint}
}

// apiURL checks an optional API address: https, or http on a loopback host (a local sandbox).
func apiURL(name, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return &SettingError{Var: name, Problem: fmt.Sprintf("is %q, not an http(s) URL", raw), Hint: "use a URL such as https://host"}
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return &SettingError{Var: name, Problem: fmt.Sprintf("is %q, plain http to another host", raw),
			Hint: "use https; plain http is for a local sandbox only"}
	}
	return nil
}

// loopback reports whether host is localhost or a loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostPort checks a host:port address; needHost requires the host part.
func hostPort(name, addr string, needHost bool) error {
	host, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 || (needHost && host == "") {
		return &SettingError{Var: name, Problem: fmt.Sprintf("is %q, not a host:port address", addr),
			Hint: "use a form such as temporal:7233 or :8089"}
	}
	return nil
}

// Redacted dumps c as VAR=value lines in declaration order, every secret shown as "[redacted]"
// or "(unset)". It is safe to log.
func (c Config) Redacted() string {
	var b strings.Builder
	eachSetting(&c, func(f reflect.Value, sf reflect.StructField) {
		fmt.Fprintf(&b, "%s=%s\n", sf.Tag.Get("env"), show(f))
	})
	return b.String()
}

// show renders one setting for Redacted.
func show(f reflect.Value) string {
	switch v := f.Interface().(type) {
	case Secret:
		return v.String()
	case []string:
		return strings.Join(v, " ")
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(f.Interface())
}

// CheckTransport refuses, for `setup`, a HALO_URL or WEBHOOK_PUBLIC_URL that would carry the
// client secret or the webhook password in clear: anything but https, unless the host is a
// loopback address (the sandbox, the demo) or HALO_ALLOW_INSECURE is set.
func (c Config) CheckTransport() error {
	if c.Halo.AllowInsecure {
		return nil
	}
	var errs []error
	for _, u := range []struct{ name, value string }{
		{"HALO_URL", c.Halo.URL}, {"HALO_AUTH_URL", c.Halo.AuthURL}, {"WEBHOOK_PUBLIC_URL", c.Webhook.PublicURL},
	} {
		if u.value == "" || secureURL(u.value) {
			continue
		}
		errs = append(errs, &SettingError{Var: u.name, Problem: fmt.Sprintf("is %q, not https", u.value),
			Hint: "use the https address; for a sandbox on another host set HALO_ALLOW_INSECURE=true"})
	}
	return errors.Join(errs...)
}

// secureURL reports whether raw is https, or http to a loopback host.
func secureURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Host != ""
	case "http":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return false
}
