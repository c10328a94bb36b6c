package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/internal/devserver"
	"haloleads/internal/halosync"
	"haloleads/internal/pipeline"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/internal/visibility"
	"haloleads/internal/webhook"
)

// RunWorker runs the worker process and returns the exit code.
func RunWorker(args []string, io IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runWorker(ctx, io, args); err != nil {
		if errors.Is(err, errHelp) {
			return 0
		}
		fmt.Fprintf(io.Stderr, "haloleads worker: %v\n", err)
		return 1
	}
	return 0
}

var errHelp = errors.New("help")

func runWorker(ctx context.Context, io IO, args []string) error {
	fs := newFlags("worker", io)
	dev := fs.Bool("dev", false, "start an embedded Temporal server (SQLite in the data directory) with its Web UI on :8233")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	cfg, err := loadConfig(io)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	logger := newLogger(cfg.LogLevel, io.Stderr)
	defer logger.Sync()
	logger.Info("configuration", zap.String("config", cfg.Redacted()))
	if *dev {
		srv, err := devserver.Start(ctx, devserver.Options{
			DatabaseFile: filepath.Join(cfg.DataDir, "temporal.db"), FrontendPort: 7233, UIPort: 8233,
			SearchAttributes: visibility.Definitions(), Logger: logger,
		})
		if err != nil {
			return err
		}
		defer srv.Stop()
		cfg.Temporal.Address = srv.HostPort()
		logger.Info("embedded Temporal started", zap.String("frontend", srv.HostPort()), zap.String("ui", srv.UIURL()))
	}
	tc, err := client.DialContext(ctx, client.Options{HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace})
	if err != nil {
		return fmt.Errorf("connecting to Temporal at %s: %w", cfg.Temporal.Address, err)
	}
	defer tc.Close()
	halo, err := haloClient(cfg, logger)
	if err != nil {
		return err
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, "haloleads.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	provs, err := providerClients(cfg.Providers, logger)
	if err != nil {
		return err
	}
	w, err := pipeline.StartWorkers(pipeline.Deps{Temporal: tc, Halo: halo, Store: st, Spec: tenant.DefaultSpec(),
		Logger: logger, RateLimit: cfg.Halo.RateLimit, RateWindow: cfg.Halo.RateWindow,
		Providers: provs, PullDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer w.Stop()
	if cfg.Webhook.Enabled() {
		d := &halosync.Dispatcher{Temporal: tc, Store: st, Tenant: w.Tenant, Logger: logger}
		h := webhook.NewHandler(webhook.Config{User: cfg.Webhook.User, Password: cfg.Webhook.Password.Value()}, d, logger)
		hs := &http.Server{Addr: cfg.Webhook.Listen, Handler: h, ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
		go func() {
			if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("webhook receiver stopped", zap.Error(err))
			}
		}()
		defer hs.Close()
		logger.Info("webhook receiver listening", zap.String("addr", cfg.Webhook.Listen))
	}
	logger.Info("haloleads worker running; Ctrl-C to stop")
	<-ctx.Done()
	return nil
}
