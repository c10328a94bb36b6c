package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/config"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/pipeline"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
)

// settingsOf are the lead workflows' settings from configuration.
func settingsOf(cfg config.Config) leadflow.Settings {
	return leadflow.Settings{
		Lifecycle: lifecycle.Config{FitThreshold: cfg.Lifecycle.FitThreshold, OnViolation: cfg.Lifecycle.OnViolation,
			RequireWinLossReason: cfg.Lifecycle.RequireWinLossReason},
		AutoConvertEngaged: cfg.Lifecycle.AutoConvertEngaged,
	}
}

// settingsFrom reads the configuration for the lead workflows' settings.
func settingsFrom(io IO) (leadflow.Settings, error) {
	cfg, err := loadConfig(io)
	return settingsOf(cfg), err
}

func runImport(ctx context.Context, io IO, args []string) error {
	fs := newFlags("import", io)
	source := fs.String("source", "", "the provider of every file (default: recognised from each file's header)")
	wait := fs.Bool("wait", true, "wait for the import and print its summary")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	dryRun := fs.Bool("dry-run", false, "plan the import and print what it would do, writing nothing to HaloPSA")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: give one or more export files", pipeline.ErrNoFiles)
	}
	files := make([]string, fs.NArg())
	for i, f := range fs.Args() {
		abs, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		files[i] = abs
	}
	cfg, tc, err := connect(ctx, io)
	if err != nil {
		return err
	}
	defer tc.Close()
	in := leadflow.ImportInput{RunID: newRunID(time.Now()), Files: files, Source: lead.Source(*source),
		DryRun: *dryRun, Settings: settingsOf(cfg)}
	sum, err := pipeline.RunImport(ctx, tc, in, *wait)
	if err != nil {
		return err
	}
	if *asJSON || !*wait {
		return writeJSON(io.Stdout, sum)
	}
	printSummary(io.Stdout, demoOutput{Summary: sum})
	return nil
}

func runSandbox(ctx context.Context, io IO, args []string) error {
	fs := newFlags("sandbox", io)
	listen := fs.String("listen", "127.0.0.1:8090", "address to serve on")
	data := fs.String("data", "", "keep the sandbox's state in `DIR` (default: in memory)")
	id := fs.String("client-id", halosandbox.DefaultClientID, "OAuth client id the sandbox accepts")
	secret := fs.String("client-secret", halosandbox.DefaultClientSecret, "OAuth client secret the sandbox accepts")
	limit := fs.Int("rate-limit", 300, "requests per rate window")
	window := fs.Duration("rate-window", 5*time.Minute, "rolling rate-limit window")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sb, err := halosandbox.New(halosandbox.Options{ClientID: *id, ClientSecret: *secret, DataDir: *data,
		RateLimit: *limit, RateWindow: *window, RetryAfter: true, Logger: newLogger(zap.InfoLevel, io.Stderr)})
	if err != nil {
		return err
	}
	defer sb.Close()
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *listen, err)
	}
	hs := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	fmt.Fprintf(io.Stdout, "HaloPSA sandbox on http://%s\n  HALO_URL=http://%s HALO_CLIENT_ID=%s HALO_CLIENT_SECRET=%s\n  rate limit %d per %s; state in %s\n",
		l.Addr(), l.Addr(), *id, *secret, *limit, *window, orMemory(*data))
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

func runSetup(ctx context.Context, io IO, args []string) error {
	fs := newFlags("setup", io)
	check := fs.Bool("check", false, "print what differs from haloleads' set-up and write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(io)
	if err != nil {
		return err
	}
	c, err := haloClient(cfg, newLogger(cfg.LogLevel, io.Stderr))
	if err != nil {
		return err
	}
	spec := tenant.DefaultSpec()
	if cfg.Webhook.Enabled() {
		spec.Webhook = &tenant.Webhook{Name: "haloleads", URL: cfg.Webhook.PublicURL, Username: cfg.Webhook.User,
			Password: cfg.Webhook.Password.Value(), Events: tenant.DefaultWebhookEvents}
	}
	if *check {
		diff, err := tenant.Plan(ctx, c, spec)
		if err != nil {
			return err
		}
		if diff.Empty() {
			fmt.Fprintln(io.Stdout, "The tenant matches haloleads' set-up: nothing to do.")
			return nil
		}
		fmt.Fprintln(io.Stdout, diff.String())
		return nil
	}
	res, err := tenant.Apply(ctx, c, spec)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "Tenant set up: %d write requests, %d requests in all.\n", res.Writes, c.Requests())
	return nil
}

func runReview(ctx context.Context, io IO, args []string) error {
	fs := newFlags("review", io)
	all := fs.Bool("all", false, "list decided pairs too")
	asJSON := fs.Bool("json", false, "print as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(io)
	if err != nil {
		return err
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, "haloleads.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	if fs.NArg() > 0 {
		return decide(ctx, io, st, fs.Args())
	}
	items, err := st.Reviews(ctx, *all)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(io.Stdout, items)
	}
	printReviews(io.Stdout, items)
	return nil
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
func decide(ctx context.Context, io IO, st *store.Store, args []string) error {
	if len(args) != 3 || args[0] != "decide" {
		return errors.New("usage: review decide ID same|different")
	}
	var id int64
	if _, err := fmt.Sscan(args[1], &id); err != nil {
		return fmt.Errorf("review item id %q is not a number", args[1])
	}
	it, err := st.Decide(ctx, id, args[2])
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
