package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"haloleads/internal/config"
	"haloleads/internal/dryrun"
	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/optout"
	"haloleads/internal/pipeline"
	"haloleads/internal/providers/lusha"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
)

// settingsOf are the lead workflows' settings from configuration.
func settingsOf(cfg config.Config) leadflow.Settings {
	return leadflow.Settings{
		Lifecycle: lifecycle.Config{FitThreshold: cfg.Lifecycle.FitThreshold, OnViolation: cfg.Lifecycle.OnViolation,
			RequireWinLossReason: cfg.Lifecycle.RequireWinLossReason},
		AutoConvertEngaged: cfg.Lifecycle.AutoConvertEngaged,
		QuietPeriod:        cfg.Lifecycle.QuietPeriod,
	}
}

// settingsFrom reads the configuration for the lead workflows' settings.
func settingsFrom(io IO) (leadflow.Settings, error) {
	cfg, err := loadConfig(io)
	return settingsOf(cfg), err
}

func newImportCmd(io IO) *cobra.Command {
	var source []string
	var wait, asJSON, dryRun, skipUnknown bool
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "import provider exports into HaloPSA",
		Long: `Import provider exports (Apollo, ZoomInfo, Lusha, UpLead or Hunter; recognised by their header)
through the configured Temporal and HaloPSA. Rejected rows are listed with file, line and reason.

` + exitCodesHelp,
		Example: `  starter import apollo.csv zoominfo.csv
  starter import leads.csv --dry-run            # plan only: writes nothing to HaloPSA
  starter import people.csv --source uplead --json
  starter import a.csv b.csv --source uplead=b.csv  # force one file's provider`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !slices.ContainsFunc(source, func(v string) bool { return strings.Contains(v, "=") }) {
				return usageError("%v: give one or more export files", pipeline.ErrNoFiles)
			}
			return runImport(cmd.Context(), io, args, source, wait, asJSON, dryRun, skipUnknown)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&source, "source", nil, "PROVIDER for every file, or PROVIDER=FILE for one (repeatable; default: recognised from each file's header)")
	f.BoolVar(&wait, "wait", true, "wait for the import and print its summary")
	f.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	f.BoolVar(&dryRun, "dry-run", false, "plan the import and print what it would do, writing nothing to HaloPSA")
	f.BoolVar(&skipUnknown, "skip-unknown", false, "report a file whose header no provider or contact list fits as skipped, not as an error")
	return cmd
}

func runImport(ctx context.Context, io IO, args []string, sourceFlags []string, wait, asJSON, dryRun, skipUnknown bool) error {
	files := make([]string, len(args))
	for i, f := range args {
		abs, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		files[i] = abs
	}
	files, source, perFile, err := fileSources(sourceFlags, files)
	if err != nil {
		return err
	}
	cfg, tc, err := connect(ctx, io)
	if err != nil {
		return err
	}
	defer tc.Close()
	runID := newRunID(time.Now())
	refs, err := uploadExports(ctx, cfg, runID, files)
	if err != nil {
		return err
	}
	in := leadflow.ImportInput{RunID: runID, Files: refs, Source: source, FileSources: perFile,
		DryRun: dryRun, Settings: settingsOf(cfg), SkipUnknown: skipUnknown, Window: cfg.ImportWindow}
	sum, err := pipeline.RunImport(ctx, tc, in, false)
	if err != nil {
		return err
	}
	if wait {
		if sum, err = awaitImport(ctx, tc, in.RunID, io.Stderr); err != nil {
			return err
		}
	}
	if dryRun && wait {
		return printDryRun(ctx, io, cfg, sum, asJSON)
	}
	if asJSON || !wait {
		if err := writeJSON(io.Stdout, sum); err != nil || !wait {
			return err
		}
		return importOutcome(sum)
	}
	printSummary(io.Stdout, sum, uiBase(io))
	return importOutcome(sum)
}

// printDryRun prints a dry run's summary and what it would do, lead by lead (kept in the
// store by the workers, and dropped once read).
func printDryRun(ctx context.Context, io IO, cfg config.Config, sum leadflow.Summary, asJSON bool) error {
	st, err := store.OpenConfigured(cfg.DataDir, cfg.DatabaseURL.Value())
	if err != nil {
		return err
	}
	defer st.Close()
	raw, err := st.DryRunBatches(ctx, sum.RunID)
	if err != nil {
		return err
	}
	batches := make([]dryrun.Batch, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &batches[i]); err != nil {
			return fmt.Errorf("reading the dry run's plan: %w", err)
		}
	}
	plan := dryrun.Gather(batches, sum.HaloRequests, dryrun.Budget{Limit: cfg.Halo.RateLimit, Window: cfg.Halo.RateWindow})
	if err := st.DropDryRun(context.WithoutCancel(ctx), sum.RunID); err != nil {
		return err
	}
	if asJSON {
		out := struct {
			leadflow.Summary
			Plan dryrun.Report `json:"plan"`
		}{sum, plan}
		if err := writeJSON(io.Stdout, out); err != nil {
			return err
		}
		return importOutcome(sum)
	}
	printSummary(io.Stdout, sum, uiBase(io))
	plan.WriteText(io.Stdout)
	return importOutcome(sum)
}

// uploadExports streams each export into the store, where every worker reads it, and returns
// the references the import carries instead of paths on this machine. Nothing is uploaded when
// a file cannot be opened.
func uploadExports(ctx context.Context, cfg config.Config, runID string, files []string) ([]string, error) {
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return nil, usageError("%v", err)
		}
	}
	st, err := store.OpenConfigured(cfg.DataDir, cfg.DatabaseURL.Value(), storeOptions(cfg)...)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	refs := make([]string, 0, len(files))
	for _, path := range files {
		up, err := uploadFile(ctx, st, runID, path)
		if err != nil {
			st.DropRun(context.WithoutCancel(ctx), runID)
			return nil, err
		}
		refs = append(refs, up.Ref())
	}
	return refs, nil
}

func uploadFile(ctx context.Context, st *store.Store, runID, path string) (store.Upload, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.Upload{}, err
	}
	defer f.Close()
	modified := time.Now()
	if fi, err := f.Stat(); err == nil {
		modified = fi.ModTime()
	}
	return st.PutUpload(ctx, runID, path, modified, f)
}

func newSandboxCmd(io IO) *cobra.Command {
	var o sandboxFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "serve the HaloPSA sandbox on its own",
		Long: `Serve the HaloPSA sandbox (a stateful emulator of HaloPSA's REST API, with OAuth client
credentials, rate limiting and webhooks) until Ctrl-C, for any HaloPSA client.`,
		Example: `  starter sandbox
  starter sandbox --listen 127.0.0.1:9000 --data ./sandbox --rate-limit 60 --rate-window 1m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSandbox(cmd.Context(), io, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8090", "address to serve on")
	f.StringVar(&o.data, "data", "", "keep the sandbox's state in `DIR` (default: in memory)")
	f.StringVar(&o.id, "client-id", halosandbox.DefaultClientID, "OAuth client id the sandbox accepts")
	f.StringVar(&o.secret, "client-secret", halosandbox.DefaultClientSecret, "OAuth client secret the sandbox accepts")
	f.IntVar(&o.limit, "rate-limit", 300, "requests per rate window")
	f.DurationVar(&o.window, "rate-window", 5*time.Minute, "rolling rate-limit window")
	return cmd
}

// sandboxFlags are `sandbox`'s flags.
type sandboxFlags struct {
	listen, data, id, secret string
	limit                    int
	window                   time.Duration
}

func runSandbox(ctx context.Context, io IO, o sandboxFlags) error {
	sb, err := halosandbox.New(halosandbox.Options{ClientID: o.id, ClientSecret: o.secret, DataDir: o.data,
		RateLimit: o.limit, RateWindow: o.window, RetryAfter: true, Logger: newLogger(zap.InfoLevel, io.Stderr)})
	if err != nil {
		return err
	}
	defer sb.Close()
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.listen, err)
	}
	hs := &http.Server{Handler: sandboxHome(sb, o.id, o.secret), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	fmt.Fprintf(io.Stdout, "HaloPSA sandbox on http://%s\n  HALO_URL=http://%s HALO_CLIENT_ID=%s HALO_CLIENT_SECRET=%s\n  rate limit %d per %s; state in %s\n",
		l.Addr(), l.Addr(), o.id, o.secret, o.limit, o.window, orMemory(o.data))
	if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func orMemory(dir string) string {
	if dir == "" {
		return "memory"
	}
	return dir
}

func newSetupCmd(io IO) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "set the HaloPSA tenant up for haloleads (--check: show what differs)",
		Long: `Add what haloleads needs to the HaloPSA tenant in HALO_URL: ticket types, statuses, custom
fields, tags, distribution lists and (with the WEBHOOK_* variables) the webhook. A second run
writes nothing. --check prints what differs and writes nothing; it exits 1 when the tenant
differs, 0 when it matches.`,
		Example: `  HALO_URL=https://acme.halopsa.com HALO_CLIENT_ID=... HALO_CLIENT_SECRET=... starter setup --check
  starter setup`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSetup(cmd.Context(), io, check) },
	}
	cmd.Flags().BoolVar(&check, "check", false, "print what differs from haloleads' set-up and write nothing")
	return cmd
}

func runSetup(ctx context.Context, io IO, check bool) error {
	cfg, err := loadConfig(io)
	if err != nil {
		return err
	}
	if err := cfg.CheckTransport(); err != nil {
		return withHint(fmt.Errorf("refusing to send credentials in clear: %w", err),
			"HaloPSA's client secret and the webhook password must travel over https (HALO_ALLOW_INSECURE=true allows http for a sandbox)")
	}
	c, done, err := sharedHaloClient(ctx, cfg, newLogger(cfg.LogLevel, io.Stderr))
	if err != nil {
		return err
	}
	defer done()
	spec := tenant.DefaultSpec()
	if cfg.Webhook.Enabled() {
		spec.Webhook = &tenant.Webhook{Name: "haloleads", URL: cfg.Webhook.PublicURL, Username: cfg.Webhook.User,
			Password: cfg.Webhook.Password.Value(), Events: tenant.DefaultWebhookEvents}
	}
	if err := setupLusha(ctx, io, cfg, check); err != nil {
		return err
	}
	if check {
		diff, err := tenant.Plan(ctx, c, spec)
		if err != nil {
			return err
		}
		if diff.Empty() {
			fmt.Fprintln(io.Stdout, "The tenant matches haloleads' set-up: nothing to do.")
			return nil
		}
		fmt.Fprintln(io.Stdout, diff.String())
		return withHint(fmt.Errorf("the tenant differs from haloleads' set-up: %d changes pending", len(diff.Changes)),
			"run `starter setup` (without --check) to apply them")
	}
	res, err := tenant.Apply(ctx, c, spec)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "Tenant set up: %d write requests, %d requests in all.\n", res.Writes, c.Requests())
	if req := res.Required[tenant.Lead]; len(req) > 0 {
		fmt.Fprintf(io.Stdout, "The Lead ticket type requires on new tickets: %s.\n", tenant.DescribeRequired(req))
	}
	return nil
}

// setupLusha subscribes the receiver to Lusha's opt-out webhook when Lusha is configured
// (LUSHA_API_KEY, LUSHA_WEBHOOK_SECRET) and the receiver has a public URL.
func setupLusha(ctx context.Context, io IO, cfg config.Config, check bool) error {
	p := cfg.Providers
	if p.LushaKey == "" || p.LushaWebhookSecret == "" || cfg.Webhook.PublicURL == "" {
		return nil
	}
	target, err := optout.LushaURL(cfg.Webhook.PublicURL)
	if err != nil {
		return err
	}
	c, err := lusha.New(lusha.Config{BaseURL: p.LushaBaseURL, APIKey: p.LushaKey.Value()})
	if err != nil {
		return err
	}
	msg, err := optout.EnsureLushaSubscription(ctx, c, target, check)
	if err != nil {
		return withHint(fmt.Errorf("subscribing to Lusha's opt-outs: %w", err), "check LUSHA_API_KEY and WEBHOOK_PUBLIC_URL")
	}
	fmt.Fprintln(io.Stdout, msg)
	return nil
}

func newReviewCmd(io IO) *cobra.Command {
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "review",
		Short: "list possible duplicates waiting for a person",
		Long: `List the pairs of leads that may be one person, with their match weight and evidence.
Decide one with 'review decide ID same|different': later imports honour the decision.`,
		Example: `  starter review
  starter review --all --json
  starter review decide 12 same`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(io, func(st *store.Store) error {
				items, err := st.Reviews(cmd.Context(), all)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(io.Stdout, items)
				}
				printReviews(io.Stdout, items)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "list decided pairs too")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.AddCommand(&cobra.Command{
		Use:   "decide ID same|different",
		Short: "record whether a pair is one person",
		Example: `  starter review decide 12 same
  starter review decide 13 different`,
		Args:      cobra.ExactArgs(2),
		ValidArgs: []string{store.Same, store.Different},
		RunE: func(cmd *cobra.Command, args []string) error {
			var id int64
			if _, err := fmt.Sscan(args[0], &id); err != nil {
				return usageError("review item id %q is not a number", args[0])
			}
			return withStore(io, func(st *store.Store) error { return decide(cmd.Context(), io, st, id, args[1]) })
		},
	})
	return cmd
}

// withStore runs fn with the configured data directory's store.
func withStore(io IO, fn func(*store.Store) error) error {
	cfg, err := loadConfig(io)
	if err != nil {
		return err
	}
	st, err := store.OpenConfigured(cfg.DataDir, cfg.DatabaseURL.Value(), storeOptions(cfg)...)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

// printReviews lists review items one a line: id, the two leads, the match weight and the
// evidence, and for decided items the decision (and for "same" the lead that carries on).
func printReviews(w io.Writer, items []store.ReviewItem) {
	if len(items) == 0 {
		fmt.Fprintln(w, "No pairs waiting for review.")
		return
	}
	for _, it := range items {
		fmt.Fprintf(w, "%d  %s ~ %s  weight %.1f  %s", it.ID, it.LeftID, it.RightID, it.Score, it.Detail)
		switch it.Decision {
		case store.Same:
			fmt.Fprintf(w, "  [same: %s carries on]", it.Survivor)
		case store.Different:
			fmt.Fprint(w, "  [different]")
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "Decide one with: review decide ID same|different")
}

// decide records a decision on a review item and says what the next import will do with it.
func decide(ctx context.Context, io IO, st *store.Store, id int64, decision string) error {
	it, err := st.Decide(ctx, id, decision)
	if err != nil {
		return err
	}
	if it.Decision == store.Different {
		fmt.Fprintf(io.Stdout, "Recorded: %s and %s are different people; imports will never merge them.\n", it.LeftID, it.RightID)
		return nil
	}
	other := it.LeftID
	if other == it.Survivor {
		other = it.RightID
	}
	fmt.Fprintf(io.Stdout, "Recorded: %s and %s are the same person. %s carries on (%d identity keys linked to it); "+
		"the next import merges their records into it.\n", it.LeftID, it.RightID, it.Survivor, it.LinkedKeys)
	fmt.Fprintf(io.Stdout, "%s keeps its lead ID and its HaloPSA user and ticket: merge or close those in HaloPSA.\n", other)
	return nil
}
