package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
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

// RunWorker runs the worker process and returns the exit code (see ExitCode).
func RunWorker(args []string, io IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return execute(ctx, newWorkerCmd(io), args, io)
}

// newWorkerCmd is the worker's command.
func newWorkerCmd(io IO) *cobra.Command {
	var dev bool
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "haloleads' Temporal workers and the HaloPSA webhook receiver",
		Long: `Run haloleads' Temporal workers against the HaloPSA tenant in HALO_URL, and (with the WEBHOOK_*
variables) the receiver that turns HaloPSA's change notifications into lead workflow signals.
Configuration comes from the environment (see README.md). Runs until Ctrl-C or SIGTERM.

` + exitCodesHelp,
		Example: `  HALO_URL=https://acme.halopsa.com HALO_CLIENT_ID=... HALO_CLIENT_SECRET=... worker
  worker --dev          # with an embedded Temporal server (SQLite in HALOLEADS_DATA), Web UI on :8233`,
		Version: version(),
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runWorker(cmd.Context(), io, dev) },
	}
	cmd.Flags().BoolVar(&dev, "dev", false, "start an embedded Temporal server (SQLite in the data directory) with its Web UI on :8233")
	return cmd
}

func runWorker(ctx context.Context, io IO, dev bool) error {
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
	if dev {
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
