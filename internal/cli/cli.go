// Package cli implements haloleads' command lines: the starter (demo, import, sandbox, setup,
// lead, review, ...) and the worker, on cobra. The mains only call Run or RunWorker.
package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"

	"haloleads/internal/codec"
	"haloleads/internal/config"
	"haloleads/internal/halopsa"
	"haloleads/internal/safetext"
	"haloleads/internal/store"
)

// IO is where a command reads its environment and writes its output.
type IO struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// Run runs the starter with args (without the program name) and returns the exit code
// (see ExitCode).
func Run(args []string, io IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	io.Stdout = terminalWriter{io.Stdout}
	return execute(ctx, newStarterCmd(io), args, io)
}

// newStarterCmd is the starter's command tree.
func newStarterCmd(io IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "starter",
		Short: "haloleads: provider exports and APIs into HaloPSA leads, on Temporal",
		Long: `haloleads lands people from Apollo, ZoomInfo, Lusha, UpLead and Hunter as HaloPSA leads and
moves them through the lead lifecycle, on Temporal.

Configuration comes from the environment (see README.md): TEMPORAL_ADDRESS, HALO_URL,
HALO_CLIENT_ID, HALO_CLIENT_SECRET, HALOLEADS_DATA, ...

` + exitCodesHelp,
		Example: `  starter demo                                  # everything embedded, with the samples
  starter import leads.csv --dry-run            # what an import would do, writing nothing
  starter lead show lead-3f2a9c1d               # a lead's state
  source <(starter completion bash)             # shell completion (also zsh, fish, powershell)`,
		Version: version(),
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.AddCommand(newDemoCmd(io), newImportCmd(io), newSandboxCmd(io), newSetupCmd(io), newLeadCmd(io),
		newReviewCmd(io), newPullCmd(io), newScheduleCmd(io), newBenchCmd(io), newReportCmd(io), newWebhooksCmd(io),
		newSuppressCmd(io), newForgetCmd(io))
	return root
}

// execute runs root with args, prints its error once and returns the exit code. Errors from a
// command's own run are failures (ExitFailure unless they carry an ExitError); errors cobra finds
// before running anything (unknown command or flag, wrong arguments) are usage errors.
func execute(ctx context.Context, root *cobra.Command, args []string, io IO) int {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	prepare(root, io)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return int(ExitOK)
	}
	var ee *ExitError
	if !errors.As(err, &ee) {
		ee = &ExitError{Code: ExitUsage, Err: err}
		err = ee
	}
	if ee.Code == ExitUsage && ee.Hint == "" {
		ee.Hint = fmt.Sprintf("run '%s --help' for usage", cmd.CommandPath())
	}
	return printError(io.Stderr, cmd.CommandPath(), err)
}

// prepare sets every command of the tree up alike: output to io, errors printed once by execute,
// a command's run errors marked as failures, flag errors as usage errors, and a command that only
// groups others refusing to run without one.
func prepare(cmd *cobra.Command, io IO) {
	cmd.SetOut(io.Stdout)
	cmd.SetErr(io.Stderr)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			err := run(c, args)
			var ee *ExitError
			if err != nil && !errors.As(err, &ee) {
				err = &ExitError{Code: ExitFailure, Err: err}
			}
			return err
		}
	} else if cmd.HasSubCommands() && cmd.HasParent() {
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(c *cobra.Command, args []string) error {
			var names []string
			for _, s := range c.Commands() {
				if s.IsAvailableCommand() {
					names = append(names, s.Name())
				}
			}
			if len(args) == 0 {
				return usageError("say what to do: %s %s", c.CommandPath(), strings.Join(names, " | "))
			}
			return usageError("unknown %s command %q: use %s", c.Name(), args[0], strings.Join(names, ", "))
		}
	}
	for _, c := range cmd.Commands() {
		prepare(c, io)
	}
}

// version is the program's version from its build information.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += " (modified)"
			}
		}
	}
	return v + " " + bi.GoVersion
}

// loadConfig reads the configuration from the environment.
func loadConfig(io IO) (config.Config, error) {
	cfg, err := config.FromEnv(io.Getenv)
	if err != nil {
		return cfg, fmt.Errorf("reading configuration: %w", err)
	}
	return withDemoEndpoints(cfg, io.Getenv), nil
}

// dialTemporal connects to the configured Temporal server. The SDK's warnings and errors go to
// stderr through zap.
func dialTemporal(ctx context.Context, cfg config.Config, io IO) (client.Client, error) {
	logger := newLogger(max(cfg.LogLevel, zap.WarnLevel), io.Stderr, cfg.LogFormat)
	keys, err := codec.Load(cfg.CodecKey.Value(), cfg.DataDir)
	if err != nil {
		return nil, withHint(err, "set HALOLEADS_CODEC_KEY (or HALOLEADS_CODEC_KEY_FILE) to the workers' keys")
	}
	c, err := client.DialContext(ctx, keys.Apply(client.Options{
		HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace, Logger: temporalLogger(logger),
	}))
	if err != nil {
		return nil, withHint(fmt.Errorf("cannot reach Temporal at %s: %s", cfg.Temporal.Address, lastClause(err)),
			"set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE), or start `go run ./worker --dev` or `go run ./starter demo`")
	}
	return c, nil
}

// connect reads the configuration and dials the configured Temporal; the caller closes the client.
func connect(ctx context.Context, io IO) (config.Config, client.Client, error) {
	cfg, err := loadConfig(io)
	if err != nil {
		return cfg, nil, err
	}
	tc, err := dialTemporal(ctx, cfg, io)
	return cfg, tc, err
}

// haloClient builds the HaloPSA client of the configured tenant; onRequest, when set, sees
// every request (metrics).
func haloClient(cfg config.Config, logger *zap.Logger, onRequest ...func(halopsa.RequestInfo)) (*halopsa.Client, error) {
	hc, err := haloConfig(cfg, logger)
	if err != nil {
		return nil, err
	}
	if len(onRequest) > 0 {
		hc.OnRequest = onRequest[0]
	}
	return halopsa.New(hc)
}

// sharedHaloClient is haloClient on the deployment's shared HaloPSA budget when the store is on
// PostgreSQL, so that the CLI's requests (tenant set-up) count with the workers'. Call done when
// finished with the client.
func sharedHaloClient(ctx context.Context, cfg config.Config, logger *zap.Logger) (c *halopsa.Client, done func(), err error) {
	hc, err := haloConfig(cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	done = func() {}
	if url := cfg.DatabaseURL.Value(); url != "" {
		st, err := store.OpenPostgres(url, storeOptions(cfg)...)
		if err != nil {
			return nil, nil, err
		}
		b, err := st.NewBudget(ctx, halopsa.LimiterKey(hc.BaseURL, hc.Tenant), cfg.Halo.RateLimit, cfg.Halo.RateWindow, 0)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		hc.Budget, done = b, func() { st.Close() }
	}
	c, err = halopsa.New(hc)
	if err != nil {
		done()
		return nil, nil, err
	}
	return c, done, nil
}

// haloConfig is the HaloPSA client's configuration. A process that shares the PostgreSQL store
// gets the shared budget from it (pipeline.Process).
func haloConfig(cfg config.Config, logger *zap.Logger) (halopsa.Config, error) {
	if cfg.Halo.URL == "" {
		return halopsa.Config{}, errors.New("HALO_URL is not set: point it at your tenant (or at `go run ./starter sandbox`)")
	}
	return halopsa.Config{
		BaseURL: haloBase(cfg.Halo.URL), AuthURL: cfg.Halo.AuthURL, Tenant: cfg.Halo.Tenant,
		ClientID: cfg.Halo.ClientID, ClientSecret: cfg.Halo.ClientSecret.Value(), Scopes: cfg.Halo.Scopes,
		RateLimit: cfg.Halo.RateLimit, RateWindow: cfg.Halo.RateWindow, Logger: logger,
	}, nil
}

// haloBase is the tenant's address as the HaloPSA client wants it: HALO_URL may be given as
// HaloPSA's own pages show it, ending in /api (the client adds /api itself) or a slash.
func haloBase(url string) string {
	url = strings.TrimRight(strings.TrimSpace(url), "/")
	return strings.TrimRight(strings.TrimSuffix(url, "/api"), "/")
}

// newRunID names an import run: sortable by time, unique.
func newRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func waitForInterrupt(ctx context.Context, w io.Writer) {
	fmt.Fprintln(w, "Serving until Ctrl-C.")
	<-ctx.Done()
	fmt.Fprintln(w, "Stopping.")
}

// quiet drops the Temporal client's own logs from the CLI's output.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// lastClause is the innermost reason in a chain of "doing x: doing y: reason" (gRPC's dial errors
// are long).
func lastClause(err error) string {
	msg := strings.TrimSpace(err.Error())
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return strings.Trim(msg, `"`)
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }

// payloadConverter is the data converter of the configured payload keys (the default one when
// there are none or they cannot be read: dialTemporal reports that), for payloads read outside
// the client, such as a visibility record's memo.
func payloadConverter(io IO) converter.DataConverter {
	cfg, err := loadConfig(io)
	if err != nil {
		return converter.GetDefaultDataConverter()
	}
	keys, err := codec.Load(cfg.CodecKey.Value(), cfg.DataDir)
	if err != nil || keys == nil {
		return converter.GetDefaultDataConverter()
	}
	return keys.DataConverter()
}

// terminalWriter drops control characters and escape sequences from what commands print
// (safetext.Terminal): a name in HaloPSA or a provider file may carry them to a terminal. JSON
// output escapes them anyway.
type terminalWriter struct{ w io.Writer }

func (t terminalWriter) Write(p []byte) (int, error) {
	clean := safetext.Terminal(string(p))
	if _, err := io.WriteString(t.w, clean); err != nil {
		return 0, err
	}
	return len(p), nil
}
