// Package cli implements haloleads' command lines: the starter (demo, import, sandbox, setup,
// lead, review, ...) and the worker. The mains only call Run or RunWorker.
package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"haloleads/internal/config"
	"haloleads/internal/halopsa"
)

// IO is where a command reads its environment and writes its output.
type IO struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// command is one sub-command.
type command struct {
	summary string
	run     func(ctx context.Context, io IO, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"demo":     {"run haloleads end to end on the embedded Temporal server and HaloPSA sandbox", runDemo},
		"import":   {"import provider exports into HaloPSA", runImport},
		"sandbox":  {"serve the HaloPSA sandbox on its own", runSandbox},
		"setup":    {"set the HaloPSA tenant up for haloleads (--check: show what differs)", runSetup},
		"lead":     {"show a lead, or move it: show | transition | promote | set-data | log-call", runLead},
		"review":   {"list possible duplicates, or decide one: review [decide ID same|different]", runReview},
		"pull":     {"buy new people from a provider's search, enrich and import them now", runPull},
		"schedule": {"manage scheduled pulls: schedule create | list | delete", runSchedule},
		"bench":    {"measure requests, windows and time per lead against the one-request-per-record baseline", runBench},
		"report":   {"show leads by stage, status, source and fit, Do Not Contact, review and the last imports", runReport},
	}
}

// Run runs the starter with args (without the program name) and returns the exit code.
func Run(args []string, io IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(io.Stdout, cmds)
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(io.Stderr, "haloleads: unknown command %q\n", args[0])
		usage(io.Stderr, cmds)
		return 2
	}
	if err := cmd.run(ctx, io, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(io.Stderr, "haloleads %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: go run ./starter COMMAND [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun a command with -h for its flags. Configuration comes from the environment (see README).")
}

func newFlags(name string, io IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Stderr)
	return fs
}

// loadConfig reads the configuration from the environment.
func loadConfig(io IO) (config.Config, error) {
	cfg, err := config.FromEnv(io.Getenv)
	if err != nil {
		return cfg, fmt.Errorf("reading configuration: %w", err)
	}
	return cfg, nil
}

func newLogger(level zapcore.Level, w io.Writer) *zap.Logger {
	enc := zap.NewDevelopmentEncoderConfig()
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.AddSync(w), level)
	return zap.New(core)
}

// dialTemporal connects to the configured Temporal server.
func dialTemporal(ctx context.Context, cfg config.Config) (client.Client, error) {
	c, err := client.DialContext(ctx, client.Options{
		HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace, Logger: quiet{},
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to Temporal at %s (set TEMPORAL_ADDRESS, or start `go run ./worker --dev`): %w",
			cfg.Temporal.Address, err)
	}
	return c, nil
}

// connect reads the configuration and dials the configured Temporal; the caller closes the client.
func connect(ctx context.Context, io IO) (config.Config, client.Client, error) {
	cfg, err := loadConfig(io)
	if err != nil {
		return cfg, nil, err
	}
	tc, err := dialTemporal(ctx, cfg)
	return cfg, tc, err
}

// haloClient builds the HaloPSA client of the configured tenant.
func haloClient(cfg config.Config, logger *zap.Logger) (*halopsa.Client, error) {
	if cfg.Halo.URL == "" {
		return nil, errors.New("HALO_URL is not set: point it at your tenant (or at `go run ./starter sandbox`)")
	}
	return halopsa.New(halopsa.Config{
		BaseURL: cfg.Halo.URL, AuthURL: cfg.Halo.AuthURL, Tenant: cfg.Halo.Tenant,
		ClientID: cfg.Halo.ClientID, ClientSecret: cfg.Halo.ClientSecret.Value(), Scopes: cfg.Halo.Scopes,
		RateLimit: cfg.Halo.RateLimit, RateWindow: cfg.Halo.RateWindow, Logger: logger,
	})
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

func joinLines(lines []string) string { return strings.Join(lines, "\n") }
