package pipeline

import (
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
	// Halo configures the HaloPSA client. With a PostgreSQL store its Budget is set to the
	// tenant's budget in the store, so every process counts every request against one budget.
	Halo   halopsa.Config
	Store  *store.Store
	Spec   tenant.Spec
	Logger *zap.Logger
	// Workers runs the Temporal workers; false runs the webhook receiver alone (it needs no
	// worker: the signals it sends wait in Temporal until a worker is back).
	Workers bool
	// Webhook configures the receiver; it runs when Password is set. Listener, when set, is
	// used instead of listening on Listen.
	Webhook  webhook.Config
	Listen   string
	Listener net.Listener
	// Providers and PullDir serve pulls (see Deps).
	Providers map[lead.Source]providers.Provider
	PullDir   string
}

// Run runs the process until ctx ends.
func (p Process) Run(ctx context.Context) error {
	if p.Logger == nil {
		p.Logger = zap.NewNop()
	}
	if !p.Workers && p.Webhook.Password == "" {
		return errors.New("a webhook-only process needs WEBHOOK_PASSWORD (and WEBHOOK_USER) set")
	}
	halo, err := p.haloClient(ctx)
	if err != nil {
		return err
	}
	t := &activities.Tenant{Client: halo, Spec: p.Spec}
	if p.Workers {
		w, err := StartWorkers(Deps{Temporal: p.Temporal, Halo: halo, Store: p.Store, Spec: p.Spec, Logger: p.Logger,
			RateLimit: p.Halo.RateLimit, RateWindow: p.Halo.RateWindow, Providers: p.Providers, PullDir: p.PullDir})
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

// haloClient builds the HaloPSA client, on the store's shared budget when there is one.
func (p Process) haloClient(ctx context.Context) (*halopsa.Client, error) {
	cfg := p.Halo
	if p.Store.Postgres() && cfg.Budget == nil && cfg.Limiter == nil {
		limit, window := cfg.RateLimit, cfg.RateWindow
		if limit == 0 {
			limit = halopsa.DefaultRateLimit
		}
		if window == 0 {
			window = halopsa.DefaultRateWindow
		}
		b, err := p.Store.NewBudget(ctx, halopsa.LimiterKey(cfg.BaseURL, cfg.Tenant), limit, window, cfg.RateLimitPause)
		if err != nil {
			return nil, err
		}
		cfg.Budget = b
	}
	if cfg.Logger == nil {
		cfg.Logger = p.Logger
	}
	return halopsa.New(cfg)
}

// serveWebhooks starts the webhook receiver and returns its stop function.
func (p Process) serveWebhooks(t *activities.Tenant) (func(), error) {
	d := &halosync.Dispatcher{Temporal: p.Temporal, Store: p.Store, Tenant: t, Logger: p.Logger}
	h := webhook.NewHandler(p.Webhook, d, p.Logger)
	ln := p.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", p.Listen); err != nil {
			return nil, fmt.Errorf("webhook receiver: %w", err)
		}
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.Logger.Error("webhook receiver stopped", zap.Error(err))
		}
	}()
	p.Logger.Info("webhook receiver listening", zap.String("addr", ln.Addr().String()))
	return func() { hs.Close() }, nil
}
