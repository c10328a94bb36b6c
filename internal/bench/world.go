package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/activities"
	"haloleads/internal/devserver"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/pipeline"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/internal/visibility"
)

// ScaledPause is the client's pause after a 429 for a time-scaled window: HaloPSA's 30 s pause
// for its 5-minute window, shrunk in the same proportion as window.
func ScaledPause(window time.Duration) time.Duration {
	return time.Duration(float64(halopsa.DefaultRateLimitPause) * float64(window) / float64(halopsa.DefaultRateWindow))
}

// tenantWorld is a fresh HaloPSA sandbox served over HTTP with the budget limit per window,
// a client keeping to the same budget, and the tenant set up for haloleads.
type tenantWorld struct {
	sandbox *halosandbox.Server
	halo    *halopsa.Client
	tenant  *activities.Tenant
	result  tenant.Result
	closers []func()
	// prefilled are the ids of the people prefill gave the tenant; figures what that and the
	// tenant's re-imports cost (nil without a tenant).
	prefilled halosandbox.Prefilled
	figures   *TenantFigures
}

// startTenant starts a sandbox and sets the tenant up; its stats then start from zero.
func startTenant(ctx context.Context, cfg Config) (*tenantWorld, error) {
	w := &tenantWorld{}
	if err := w.start(ctx, cfg); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *tenantWorld) start(ctx context.Context, cfg Config) error {
	sb, err := halosandbox.New(halosandbox.Options{RateLimit: cfg.Limit, RateWindow: cfg.Window})
	if err != nil {
		return fmt.Errorf("starting the HaloPSA sandbox: %w", err)
	}
	w.sandbox = sb
	url, stop, err := serve(sb)
	if err != nil {
		return err
	}
	w.closers = append(w.closers, stop)
	if w.halo, err = halopsa.New(halopsa.Config{
		BaseURL: url, ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret,
		RateLimit: cfg.Limit, RateWindow: cfg.Window, RateLimitPause: ScaledPause(cfg.Window), Logger: cfg.Logger,
	}); err != nil {
		return fmt.Errorf("building the HaloPSA client: %w", err)
	}
	if w.result, err = tenant.Apply(ctx, w.halo, tenant.DefaultSpec()); err != nil {
		return fmt.Errorf("setting the sandbox tenant up: %w", err)
	}
	w.tenant = &activities.Tenant{Client: w.halo, Spec: tenant.DefaultSpec()}
	w.tenant.Set(w.result)
	if err := w.prefill(cfg.Tenant); err != nil {
		return err
	}
	sb.ResetStats()
	return nil
}

// serve serves h on a free local port and returns its URL and a stop function.
func serve(h http.Handler) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listening for the HaloPSA sandbox: %w", err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(l) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		<-done // http.ErrServerClosed: the server stopped as asked
	}
	return "http://" + l.Addr().String(), stop, nil
}

func (w *tenantWorld) close() {
	for i := len(w.closers) - 1; i >= 0; i-- {
		w.closers[i]()
	}
	w.closers = nil
}

// world is haloleads in one process: the embedded Temporal server (in memory), a tenant world,
// our store and the workers.
type world struct {
	*tenantWorld
	temporal client.Client
	store    *store.Store
	// namespace is the embedded server's.
	namespace string
}

// startWorld starts everything haloleads needs, with the workers keeping to cfg's budget.
func startWorld(ctx context.Context, cfg Config, dir string) (*world, error) {
	tw, err := startTenant(ctx, cfg)
	if err != nil {
		return nil, err
	}
	w := &world{tenantWorld: tw}
	if err := w.start(ctx, cfg, dir); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *world) start(ctx context.Context, cfg Config, dir string) error {
	srv, err := devserver.Start(ctx, devserver.Options{SearchAttributes: visibility.Definitions()})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, srv.Stop)
	w.namespace = srv.Namespace()
	if w.temporal, err = client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace(), Logger: quiet{}}); err != nil {
		return fmt.Errorf("connecting to the embedded Temporal: %w", err)
	}
	w.closers = append(w.closers, w.temporal.Close)
	if w.store, err = store.Open(filepath.Join(dir, "haloleads.db")); err != nil {
		return err
	}
	w.closers = append(w.closers, func() { _ = w.store.Close() })
	workers, err := pipeline.StartWorkers(pipeline.Deps{
		Temporal: w.temporal, Halo: w.halo, Store: w.store, Spec: tenant.DefaultSpec(), Logger: cfg.Logger,
		RateLimit: cfg.Limit, RateWindow: cfg.Window,
	})
	if err != nil {
		return err
	}
	workers.Tenant.Set(w.result)
	w.closers = append(w.closers, workers.Stop)
	return nil
}

// quiet drops the Temporal client's own logs from the benchmark's output.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// nopLogger is the default logger of a run.
func nopLogger(l *zap.Logger) *zap.Logger {
	if l == nil {
		return zap.NewNop()
	}
	return l
}
