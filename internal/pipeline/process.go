package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/activities"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosync"
	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
	"haloleads/internal/optout"
	"haloleads/internal/providers"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/internal/webhook"
)

// Process is one long-running haloleads process: the Temporal workers, the webhook receiver, or
// both. Any number of processes may run against one deployment when the store is on PostgreSQL:
// they share the store (identities, staging, uploads, the ticket → lead map) and the HaloPSA
// request budget through it, and Temporal shares the work.
type Process struct {
	Temporal client.Client
	// Halo is the HaloPSA client; build its configuration with SharedBudget, so that with a
	// PostgreSQL store every process counts every request against one budget.
	Halo *halopsa.Client
	// RateLimit and RateWindow are the tenant's budget (see Deps).
	RateLimit  int
	RateWindow time.Duration
	Store      *store.Store
	Spec       tenant.Spec
	Logger     *zap.Logger
	// Workers runs the Temporal workers; false runs the webhook receiver alone (it needs no
	// worker: the signals it sends wait in Temporal until a worker is back).
	Workers bool
	// Webhook configures the receiver; it runs when Password is set. Listener, when set, is
	// used instead of listening on Listen.
	Webhook  webhook.Config
	Listen   string
	Listener net.Listener
	// LushaSecret, when set, has the receiver serve Lusha's opt-out webhook at optout.LushaPath,
	// verifying deliveries with this account webhook secret.
	LushaSecret string
	// WrapWebhooks, when set, wraps the receiver's handler (metrics).
	WrapWebhooks func(http.Handler) http.Handler
	// Providers serve pulls (see Deps).
	Providers map[lead.Source]providers.Provider
	// IDKey keys new lead ids (see Deps).
	IDKey []byte
	// TLSCert and TLSKey, when set, make the receiver serve HTTPS with that certificate.
	TLSCert, TLSKey string
	// PublicURL is the address HaloPSA is told to call (logged at start).
	PublicURL string
	// StatusMap maps the tenant's own statuses (LEAD_STATUS_MAP); nil: the default map.
	StatusMap lifecycle.StatusMap
	// SeparateSites creates new clients' main sites with POSTs of their own (see Deps).
	SeparateSites bool
}

// Run runs the process until ctx ends.
func (p Process) Run(ctx context.Context) error {
	if p.Logger == nil {
		p.Logger = zap.NewNop()
	}
	if !p.Workers && p.Webhook.Password == "" {
		return errors.New("a webhook-only process needs WEBHOOK_PASSWORD (and WEBHOOK_USER) set")
	}
	t := &activities.Tenant{Client: p.Halo, Spec: p.Spec}
	if p.Workers {
		w, err := StartWorkers(Deps{Temporal: p.Temporal, Halo: p.Halo, Store: p.Store, Spec: p.Spec, Logger: p.Logger,
			RateLimit: p.RateLimit, RateWindow: p.RateWindow, Providers: p.Providers,
			StatusMap: p.StatusMap, IDKey: p.IDKey, SeparateSites: p.SeparateSites})
		if err != nil {
			return err
		}
		defer w.Stop()
		t = w.Tenant
	}
	if p.Webhook.Password != "" {
		stop, err := p.serveWebhooks(t)
		if err != nil {
			return err
		}
		defer stop()
	}
	p.Logger.Info("haloleads running; Ctrl-C to stop", zap.Bool("workers", p.Workers),
		zap.Bool("webhooks", p.Webhook.Password != ""), zap.Bool("shared_store", p.Store.Postgres()))
	<-ctx.Done()
	return nil
}

// The shared budget is told when each request was answered (see halopsa.AnsweredBudget).
var _ halopsa.AnsweredBudget = (*store.Budget)(nil)

// SharedBudget returns cfg drawing from the tenant's budget in st when st is on PostgreSQL
// (shared by every process of the deployment); otherwise cfg as it is (the client's own
// in-process limiter).
func SharedBudget(ctx context.Context, st *store.Store, cfg halopsa.Config) (halopsa.Config, error) {
	if !st.Postgres() || cfg.Budget != nil || cfg.Limiter != nil {
		return cfg, nil
	}
	limit, window := cmp.Or(cfg.RateLimit, halopsa.DefaultRateLimit), cmp.Or(cfg.RateWindow, halopsa.DefaultRateWindow)
	b, err := st.NewBudget(ctx, halopsa.LimiterKey(cfg.BaseURL, cfg.Tenant), limit, window, cfg.RateLimitPause)
	if err != nil {
		return cfg, err
	}
	cfg.Budget = b
	return cfg, nil
}

// serveWebhooks starts the webhook receiver and returns its stop function.
func (p Process) serveWebhooks(t *activities.Tenant) (func(), error) {
	d := &halosync.Dispatcher{Temporal: p.Temporal, Store: p.Store, Tenant: t, Logger: p.Logger, StatusMap: p.StatusMap}
	h := webhook.NewHandler(p.Webhook, d, p.Logger)
	if p.LushaSecret != "" {
		mux := http.NewServeMux()
		svc := optout.Service{Store: p.Store, Temporal: p.Temporal, Logger: p.Logger}
		mux.Handle(optout.LushaPath, svc.LushaHandler(p.LushaSecret, p.Logger))
		mux.Handle("/", h)
		h = mux
	}
	if p.WrapWebhooks != nil {
		h = p.WrapWebhooks(h)
	}
	ln := p.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", p.Listen); err != nil {
			return nil, fmt.Errorf("webhook receiver: %w", err)
		}
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	tls := p.TLSCert != "" && p.TLSKey != ""
	go func() {
		var err error
		if tls {
			err = hs.ServeTLS(ln, p.TLSCert, p.TLSKey)
		} else {
			err = hs.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.Logger.Error("webhook receiver stopped", zap.Error(err))
		}
	}()
	p.Logger.Info("webhook receiver listening", receiverState(ln.Addr(), tls, p.Webhook.User != "", p.PublicURL)...)
	return func() { hs.Close() }, nil
}

// receiverState describes the webhook receiver for the start-up log, without its credentials:
// where it listens, whether it serves TLS itself, whether Basic auth is on, the public URL, and
// a warning when a non-loopback address is served without TLS.
func receiverState(addr net.Addr, tls, auth bool, publicURL string) []zap.Field {
	fields := []zap.Field{zap.String("addr", addr.String()), zap.Bool("tls", tls), zap.Bool("basic_auth", auth),
		zap.String("public_url", publicURL)}
	if ta, ok := addr.(*net.TCPAddr); ok && !tls && !ta.IP.IsLoopback() {
		fields = append(fields, zap.String("warning",
			"plain HTTP on a non-loopback address: HaloPSA's Basic-auth password travels in clear unless a TLS proxy is in front"))
	}
	return fields
}
