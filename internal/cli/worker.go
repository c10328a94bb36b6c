package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/internal/codec"
	"haloleads/internal/config"
	"haloleads/internal/devserver"
	"haloleads/internal/halopsa"
	"haloleads/internal/lifecycle"
	"haloleads/internal/metrics"
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
	var dev, webhooksOnly bool
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "haloleads' Temporal workers and the HaloPSA webhook receiver",
		Long: `Run haloleads' Temporal workers against the HaloPSA tenant in HALO_URL, and (with the WEBHOOK_*
variables) the receiver that turns HaloPSA's change notifications into lead workflow signals.
Configuration comes from the environment (see README.md). Runs until Ctrl-C or SIGTERM.

With HALOLEADS_DATABASE_URL (PostgreSQL) any number of workers and receivers may run, on any
hosts: they share the store and one HaloPSA request budget through it.

` + exitCodesHelp,
		Example: `  HALO_URL=https://acme.halopsa.com HALO_CLIENT_ID=... HALO_CLIENT_SECRET=... worker
  worker --dev            # with an embedded Temporal server listening on TEMPORAL_ADDRESS, Web UI on TEMPORAL_UI_ADDRESS
  worker --webhooks-only  # the webhook receiver alone (also: starter webhooks)`,
		Version: version(),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dev && webhooksOnly {
				return usageError("--dev and --webhooks-only do not go together: the receiver needs a Temporal server that workers use")
			}
			return runWorker(cmd.Context(), io, dev, !webhooksOnly)
		},
	}
	cmd.Flags().BoolVar(&dev, "dev", false, "start an embedded Temporal server (SQLite in the data directory, or PostgreSQL at TEMPORAL_DEV_DATABASE_URL) on TEMPORAL_ADDRESS, with its Web UI on TEMPORAL_UI_ADDRESS (default 127.0.0.1:8233)")
	cmd.Flags().BoolVar(&webhooksOnly, "webhooks-only", false, "run the webhook receiver alone, without workers")
	cmd.AddCommand(newHealthcheckCmd(io))
	return cmd
}

// newHealthcheckCmd is `worker healthcheck`: the container healthcheck (the image has no shell
// or curl). It asks the process's /healthz on METRICS_LISTEN and exits 0 when it answers 200.
func newHealthcheckCmd(io IO) *cobra.Command {
	return &cobra.Command{
		Use:   "healthcheck",
		Short: "exit 0 when the worker or receiver on this host answers /healthz (for container healthchecks)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(io)
			if err != nil {
				return err
			}
			if cfg.MetricsAddr() == "" {
				return usageError("METRICS_LISTEN is off: the healthcheck asks the worker's /healthz, which it then does not serve")
			}
			_, port, err := net.SplitHostPort(cfg.MetricsListen)
			if err != nil || port == "" {
				return usageError("METRICS_LISTEN %q is not host:port: the healthcheck asks its /healthz", cfg.MetricsListen)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 4*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("unhealthy: %w", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("unhealthy: /healthz answered %s", resp.Status)
			}
			return nil
		},
	}
}

// newWebhooksCmd is `starter webhooks`: the webhook receiver as its own process.
func newWebhooksCmd(io IO) *cobra.Command {
	return &cobra.Command{
		Use:   "webhooks",
		Short: "run the HaloPSA webhook receiver on its own (no workers)",
		Long: `Run the receiver of HaloPSA's webhooks alone: it finds each ticket's lead in the store and
signals the lead's workflow in Temporal, which keeps the signal until a worker takes it, so the
receiver keeps answering while every worker is down. Needs WEBHOOK_USER and WEBHOOK_PASSWORD, and
HALOLEADS_DATABASE_URL when workers run elsewhere. Runs until Ctrl-C or SIGTERM.

` + exitCodesHelp,
		Example: `  WEBHOOK_USER=halo WEBHOOK_PASSWORD=... HALOLEADS_DATABASE_URL=postgres://... starter webhooks`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runWorker(cmd.Context(), io, false, false) },
	}
}

func runWorker(ctx context.Context, io IO, dev, workers bool) error {
	cfg, err := loadConfig(io)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if !workers && !cfg.Webhook.Enabled() {
		return usageError("the webhook receiver needs WEBHOOK_PASSWORD (and WEBHOOK_USER)")
	}
	logger := newLogger(cfg.LogLevel, io.Stderr, cfg.LogFormat)
	defer logger.Sync()
	logger.Info("configuration", zap.String("config", cfg.Redacted()))
	m, err := metrics.New()
	if err != nil {
		return err
	}
	defer m.Close()
	if dev {
		opts, err := devOptions(cfg.Temporal.Address)
		if err != nil {
			return err
		}
		if err := devUI(&opts, cfg.Temporal); err != nil {
			return err
		}
		opts.DatabaseFile = filepath.Join(cfg.DataDir, "temporal.db")
		if url := cfg.Temporal.DevDatabaseURL.Value(); url != "" {
			opts.DatabaseFile, opts.DatabaseURL = "", url
		}
		opts.SearchAttributes, opts.Logger = visibility.Definitions(), logger
		srv, err := devserver.Start(ctx, opts)
		if err != nil {
			return err
		}
		defer srv.Stop()
		cfg.Temporal.Address = srv.HostPort()
		logger.Info("embedded Temporal started", zap.String("frontend", srv.HostPort()), zap.String("ui", srv.UIURL()))
	}
	keys, err := workerKeys(cfg, dev, logger)
	if err != nil {
		return err
	}
	tc, err := client.DialContext(ctx, keys.Apply(client.Options{HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace,
		Logger: temporalLogger(logger), MetricsHandler: m.SDK()}))
	if err != nil {
		return withHint(fmt.Errorf("cannot reach Temporal at %s: %s", cfg.Temporal.Address, lastClause(err)),
			"set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE), or run `go run ./worker --dev`")
	}
	defer tc.Close()
	st, err := store.OpenConfigured(cfg.DataDir, cfg.DatabaseURL.Value(), storeOptions(cfg)...)
	if err != nil {
		return err
	}
	defer st.Close()
	hc, err := haloConfig(cfg, logger)
	if err != nil {
		return err
	}
	hc.OnRequest = m.OnHaloRequest
	if hc, err = pipeline.SharedBudget(ctx, st, hc); err != nil {
		return err
	}
	halo, err := halopsa.New(hc)
	if err != nil {
		return err
	}
	m.SetBudget(budgetInUse(halo))
	if addr := cfg.MetricsAddr(); addr != "" {
		stop, err := serveMetrics(addr, m.Handler(logger, readiness(tc, halo)...), logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	if cfg.CodecListen != "" && keys != nil {
		stop, err := serveCodec(cfg.CodecListen, keys, cfg.Temporal.UIURL, logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	provs, err := providerClients(cfg.Providers, logger)
	if err != nil {
		return err
	}
	statusMap, err := lifecycle.ParseStatusMap(cfg.Lifecycle.StatusMap)
	if err != nil {
		return err
	}
	p := pipeline.Process{StatusMap: statusMap, Temporal: tc, Halo: halo, RateLimit: cfg.Halo.RateLimit, RateWindow: cfg.Halo.RateWindow,
		Store: st, Spec: tenant.DefaultSpec(), Logger: logger,
		Workers: workers, Providers: provs, Listen: cfg.Webhook.Listen,
		TLSCert: cfg.Webhook.TLSCert, TLSKey: cfg.Webhook.TLSKey, PublicURL: cfg.Webhook.PublicURL,
		SeparateSites: cfg.Halo.NewClientSite == config.NewClientSiteSeparate}
	if keys != nil {
		p.IDKey = keys.IDKey()
	}
	if cfg.Webhook.Enabled() {
		p.Webhook = webhook.Config{User: cfg.Webhook.User, Password: cfg.Webhook.Password.Value()}
		p.LushaSecret = cfg.Providers.LushaWebhookSecret.Value()
		p.WrapWebhooks = m.Webhooks
	}
	return p.Run(ctx)
}

// devUI sets where the embedded server's Web UI listens, from TEMPORAL_UI_ADDRESS: "0" or
// "off" turns it off, port 0 is any free port, and the default address moves to a free port
// when 8233 is taken (two workers started together both get a UI).
func devUI(opts *devserver.Options, t config.Temporal) error {
	if t.UIOff() {
		opts.UIPort = 0
		return nil
	}
	host, port, err := net.SplitHostPort(t.UIAddress)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 0 || n > 65535 {
		return usageError("TEMPORAL_UI_ADDRESS %q is not host:port, 0 or off", t.UIAddress)
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	if n == 0 {
		n = -1
	}
	opts.UIIP, opts.UIPort, opts.UIFallback = host, n, t.UIAddress == config.DefaultUIAddress
	return nil
}

// devOptions makes the embedded server listen where TEMPORAL_ADDRESS says (host:port; an empty
// host means 127.0.0.1).
func devOptions(address string) (devserver.Options, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return devserver.Options{}, usageError("TEMPORAL_ADDRESS %q is not host:port: %v", address, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return devserver.Options{}, usageError("TEMPORAL_ADDRESS %q has no valid port", address)
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	return devserver.Options{IP: host, FrontendPort: n}, nil
}

// readiness are the worker's readiness checks: Temporal answers, and HaloPSA gave a token.
func readiness(tc client.Client, halo *halopsa.Client) []metrics.Check {
	return []metrics.Check{
		{Name: "temporal", Run: func(ctx context.Context) error {
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
		{Name: "halopsa", Run: halo.Authenticate},
	}
}

// serveMetrics serves h (metrics and health) on addr until the returned stop is called.
func serveMetrics(addr string, h http.Handler, logger *zap.Logger) (stop func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, withHint(fmt.Errorf("listening for metrics on %s: %w", addr, err),
			"set METRICS_LISTEN to a free host:port, or to off to serve no metrics")
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", zap.Error(err))
		}
	}()
	logger.Info("serving /metrics, /healthz and /readyz", zap.String("addr", l.Addr().String()))
	return func() { _ = hs.Close() }, nil
}

// workerKeys loads the payload keys (HALOLEADS_CODEC_KEY, else DATA/codec.key; --dev creates
// that file when there is none) and logs their ids, never the keys. Without keys the worker
// runs and warns: Temporal then holds personal data in clear.
func workerKeys(cfg config.Config, dev bool, logger *zap.Logger) (*codec.Keyring, error) {
	load := codec.Load
	if dev {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("creating data directory: %w", err)
		}
		load = codec.LoadOrCreate
	}
	keys, err := load(cfg.CodecKey.Value(), cfg.DataDir)
	if err != nil {
		return nil, withHint(err, "HALOLEADS_CODEC_KEY holds base64 32-byte keys, e.g. from: openssl rand -base64 32")
	}
	if keys == nil {
		logger.Warn("HALOLEADS_CODEC_KEY is unset: Temporal payloads (names, e-mail addresses, phones) are stored in clear")
		return nil, nil
	}
	logger.Info("payloads encrypted", zap.Strings("key_ids", keys.IDs()))
	return keys, nil
}

// serveCodec serves the codec endpoint for the Temporal Web UI on addr and returns its stop
// function.
func serveCodec(addr string, keys *codec.Keyring, uiOrigin string, logger *zap.Logger) (func(), error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, withHint(fmt.Errorf("listening for the codec endpoint on %s: %w", addr, err),
			"set CODEC_LISTEN to a free loopback host:port, or unset it")
	}
	hs := &http.Server{Handler: codec.Handler(keys, uiOrigin), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("codec endpoint stopped", zap.Error(err))
		}
	}()
	logger.Info("serving the codec endpoint for the Temporal Web UI", zap.String("addr", l.Addr().String()),
		zap.String("allowed_origin", uiOrigin))
	return func() { _ = hs.Close() }, nil
}

// budgetInUse reads the HaloPSA budget in use for the metrics gauge: the shared budget's when
// the store is on PostgreSQL (every process's requests), this process's limiter's otherwise.
// A budget that cannot be read shows as NaN.
func budgetInUse(halo *halopsa.Client) func() float64 {
	return func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n, err := halo.BudgetInUse(ctx)
		if err != nil {
			return math.NaN()
		}
		return float64(n)
	}
}
