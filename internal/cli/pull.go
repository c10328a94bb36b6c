package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"haloleads/internal/config"
	"haloleads/internal/enrich"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/providers"
	"haloleads/internal/providers/apollo"
	"haloleads/internal/providers/hunter"
	"haloleads/internal/providers/lusha"
	"haloleads/internal/providers/uplead"
	"haloleads/internal/providers/zoominfo"
	"haloleads/internal/providersandbox"
)

// pullFlags are the flags `pull` and `schedule create` share.
type pullFlags struct {
	source, query *string
	budget        *int
	dryRun        *bool
}

func addPullFlags(fs interface {
	String(name, value, usage string) *string
	Int(name string, value int, usage string) *int
	Bool(name string, value bool, usage string) *bool
}) pullFlags {
	return pullFlags{
		source: fs.String("source", "", "the provider to pull from: apollo, zoominfo or hunter"),
		query: fs.String("query", "", "who to pull: key=value pairs separated by commas, keys domain, title, company, "+
			"page_size (domain and title repeat), e.g. 'domain=example.com,title=IT'"),
		budget: fs.Int("budget", leadflow.DefaultPullBudget, "the most credits one run may spend"),
		dryRun: fs.Bool("dry-run", false, "buy and enrich, but write nothing to HaloPSA"),
	}
}

// input checks the flags and builds the pull's input.
func (f pullFlags) input(io IO) (leadflow.PullInput, error) {
	src := lead.Source(*f.source)
	if src != lead.Apollo && src != lead.ZoomInfo && src != lead.Hunter {
		return leadflow.PullInput{}, usageError("--source %q: pull from apollo, zoominfo or hunter (the providers with a search)", src)
	}
	if _, err := enrich.ParseQuery(*f.query); err != nil {
		return leadflow.PullInput{}, usageError("--query: %v", err)
	}
	if *f.budget < 1 {
		return leadflow.PullInput{}, usageError("--budget must be at least 1 credit")
	}
	settings, err := settingsFrom(io)
	if err != nil {
		return leadflow.PullInput{}, err
	}
	return leadflow.PullInput{Source: src, Query: *f.query, Budget: *f.budget, DryRun: *f.dryRun, Settings: settings}, nil
}

func newPullCmd(io IO) *cobra.Command {
	var wait, asJSON bool
	var pf pullFlags
	cmd := &cobra.Command{
		Use:   "pull --source S --query Q",
		Short: "buy new people from a provider's search, enrich and import them now",
		Long: `Search a provider (apollo, zoominfo or hunter), buy the people not bought before within the
credit budget, fill gaps through the enrichment waterfall and import them.

` + exitCodesHelp,
		Example: `  starter pull --source apollo --query 'domain=acme.example.com,title=IT'
  starter pull --source hunter --query 'domain=acme.example.com' --budget 20 --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := pf.input(io)
			if err != nil {
				return err
			}
			return runPull(cmd.Context(), io, in, wait, asJSON)
		},
	}
	pf = addPullFlags(cmd.Flags())
	cmd.Flags().BoolVar(&wait, "wait", true, "wait for the pull and its import and print the result")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func runPull(ctx context.Context, io IO, in leadflow.PullInput, wait, asJSON bool) error {
	_, tc, err := connect(ctx, io)
	if err != nil {
		return err
	}
	defer tc.Close()
	in.RunID = newRunID(time.Now())
	res, err := startPull(ctx, tc, in, wait)
	failed, why, ok := pullFailed(err)
	if err != nil && !ok {
		return err
	}
	if ok {
		res = failed
	}
	if asJSON || !wait {
		if err := writeJSON(io.Stdout, res); err != nil {
			return err
		}
	} else {
		printPull(io.Stdout, res)
	}
	if ok {
		return &ExitError{Code: ExitFailure, Err: errors.New(why),
			Hint: "what the pull bought and spent is listed above; fix the cause and pull again (people bought are never bought twice)"}
	}
	if res.Import != nil {
		return importOutcome(*res.Import)
	}
	return nil
}

// pullFailed returns the result a failed pull reported in its error (see
// leadflow.PullFailedType) and why it failed, and whether err is such a failure.
func pullFailed(err error) (leadflow.PullResult, string, bool) {
	var res leadflow.PullResult
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != leadflow.PullFailedType || !ae.HasDetails() {
		return res, "", false
	}
	if derr := ae.Details(&res); derr != nil {
		return res, "", false
	}
	return res, ae.Message(), true
}

// startPull starts a pull workflow and, when wait is set, waits for its result.
func startPull(ctx context.Context, c client.Client, in leadflow.PullInput, wait bool) (leadflow.PullResult, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: leadflow.PullWorkflowID(in.RunID), TaskQueue: leadflow.TaskQueue,
	}, leadflow.PullWorkflow, in)
	if err != nil {
		return leadflow.PullResult{}, fmt.Errorf("starting pull %s: %w", in.RunID, err)
	}
	if !wait {
		return leadflow.PullResult{RunID: in.RunID, Source: in.Source, Query: in.Query, Budget: in.Budget}, nil
	}
	var res leadflow.PullResult
	if err := run.Get(ctx, &res); err != nil {
		return res, fmt.Errorf("pull %s: %w", in.RunID, err)
	}
	return res, nil
}

func printPull(w io.Writer, r leadflow.PullResult) {
	fmt.Fprintf(w, "Pulled %d pages from %s (%s): %d found, %d bought before, %d bought now.\n",
		r.Pages, r.Source.DisplayName(), r.Query, r.Found, r.AlreadyBought, r.Bought)
	fmt.Fprintf(w, "  credits: %d of %d", r.Credits, r.Budget)
	for _, src := range lead.Providers {
		if n := r.CreditsBy[src]; n > 0 {
			fmt.Fprintf(w, ", %s %d", src.DisplayName(), n)
		}
	}
	fmt.Fprintln(w)
	if r.BudgetExhausted {
		fmt.Fprintln(w, "  the budget is spent: the next run buys the rest")
	}
	if r.QuotaExhausted {
		fmt.Fprintln(w, "  the provider's quota is spent")
	}
	if r.Unconfirmed > 0 {
		fmt.Fprintf(w, "  %d unconfirmed: not bought again, an earlier attempt may have paid for them without recording it\n", r.Unconfirmed)
	}
	for _, s := range r.Supplied {
		fmt.Fprintf(w, "  %s: %d %s from %s\n", s.Rule, s.Count, s.Field, s.Source.DisplayName())
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	if r.Import != nil {
		printSummary(w, *r.Import, "")
	}
}

// providerClients builds a client for every provider with credentials in cfg.
func providerClients(cfg config.Providers, logger *zap.Logger) (map[lead.Source]providers.Provider, error) {
	set := providers.Settings{Logger: logger}
	out := map[lead.Source]providers.Provider{}
	add := func(src lead.Source, p providers.Provider, err error) error {
		if err != nil {
			return fmt.Errorf("configuring %s: %w", src.DisplayName(), err)
		}
		out[src] = p
		return nil
	}
	var errs []error
	if cfg.ApolloKey != "" {
		c, err := apollo.New(apollo.Config{BaseURL: cfg.ApolloBaseURL, APIKey: cfg.ApolloKey.Value(), Settings: set})
		errs = append(errs, add(lead.Apollo, c, err))
	}
	if cfg.ZoomInfoUser != "" && cfg.ZoomInfoPassword != "" {
		c, err := zoominfo.New(zoominfo.Config{BaseURL: cfg.ZoomInfoBaseURL, Username: cfg.ZoomInfoUser,
			Password: cfg.ZoomInfoPassword.Value(), Settings: set})
		errs = append(errs, add(lead.ZoomInfo, c, err))
	}
	if cfg.HunterKey != "" {
		c, err := hunter.New(hunter.Config{BaseURL: cfg.HunterBaseURL, APIKey: cfg.HunterKey.Value(), Settings: set})
		errs = append(errs, add(lead.Hunter, c, err))
	}
	if cfg.UpLeadKey != "" {
		c, err := uplead.New(uplead.Config{BaseURL: cfg.UpLeadBaseURL, APIKey: cfg.UpLeadKey.Value(), Settings: set})
		errs = append(errs, add(lead.UpLead, c, err))
	}
	if cfg.LushaKey != "" {
		c, err := lusha.New(lusha.Config{BaseURL: cfg.LushaBaseURL, APIKey: cfg.LushaKey.Value(), Settings: set})
		errs = append(errs, add(lead.Lusha, c, err))
	}
	return out, errors.Join(errs...)
}

// startProviderSandbox serves the provider sandbox on a free local port and returns the
// settings that point every provider client at it.
func (e *embedded) startProviderSandbox(logger *zap.Logger) (config.Providers, error) {
	sb := providersandbox.New(providersandbox.Options{Seed: 1})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return config.Providers{}, fmt.Errorf("listening for the provider sandbox: %w", err)
	}
	hs := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("provider sandbox stopped", zap.Error(err))
		}
	}()
	e.closers = append(e.closers, func() { _ = hs.Close() })
	base := "http://" + l.Addr().String()
	key := config.Secret(providersandbox.DefaultAPIKey)
	return config.Providers{
		ApolloKey: key, ApolloBaseURL: base + providersandbox.Prefix(lead.Apollo),
		ZoomInfoUser: providersandbox.DefaultZoomInfoUser, ZoomInfoPassword: config.Secret(providersandbox.DefaultZoomInfoPass),
		ZoomInfoBaseURL: base + providersandbox.Prefix(lead.ZoomInfo),
		HunterKey:       key, HunterBaseURL: base + providersandbox.Prefix(lead.Hunter),
		UpLeadKey: key, UpLeadBaseURL: base + providersandbox.Prefix(lead.UpLead),
		LushaKey: key, LushaBaseURL: base + providersandbox.Prefix(lead.Lusha),
	}, nil
}

// embeddedProviders starts the provider sandbox and builds clients pointed at it.
func (e *embedded) embeddedProviders(logger *zap.Logger) (map[lead.Source]providers.Provider, error) {
	cfg, err := e.startProviderSandbox(logger)
	if err != nil {
		return nil, err
	}
	return providerClients(cfg, logger)
}
