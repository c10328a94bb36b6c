package workflows_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"haloleads/activities"
	"haloleads/internal/enrich"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/providers"
	"haloleads/internal/providers/apollo"
	"haloleads/internal/providers/hunter"
	"haloleads/internal/providersandbox"
	"haloleads/internal/store"
	"haloleads/workflows"
)

// pullWorld is a provider sandbox, the clients pulls use, and our store.
type pullWorld struct {
	sb     *providersandbox.Server
	puller *activities.Puller
	db     string // the store's SQLite file
}

func newPullWorld(t *testing.T) *pullWorld {
	t.Helper()
	sb := providersandbox.New(providersandbox.Options{Seed: 3, People: 60})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	set := providers.Settings{MaxRetries: -1}
	ap, err := apollo.New(apollo.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Apollo),
		APIKey: providersandbox.DefaultAPIKey, Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	hu, err := hunter.New(hunter.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Hunter),
		APIKey: providersandbox.DefaultAPIKey, Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "haloleads.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &pullWorld{sb: sb, db: filepath.Join(dir, "haloleads.db"), puller: &activities.Puller{
		Providers: map[lead.Source]providers.Provider{lead.Apollo: ap, lead.Hunter: hu},
		Store:     st, Plan: enrich.DefaultPlan()}}
}

// importStandIn takes the import's place in these tests of the pull alone (the end-to-end
// suite runs the real one): it reports the files it was given.
func importStandIn(_ workflow.Context, in leadflow.ImportInput) (leadflow.Summary, error) {
	return leadflow.Summary{RunID: in.RunID, Files: in.Files, Errors: []string{}}, nil
}

// run executes one pull on a fresh test environment; started records each PullPage attempt's
// start on the environment's clock.
func (w *pullWorld) run(t *testing.T, in leadflow.PullInput) (res leadflow.PullResult, started []time.Time) {
	t.Helper()
	res, started, err := w.runPull(t, in)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	return res, started
}

// runFailing executes one pull that must fail and returns the result its failure reports.
func (w *pullWorld) runFailing(t *testing.T, in leadflow.PullInput) leadflow.PullResult {
	t.Helper()
	_, _, err := w.runPull(t, in)
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != leadflow.PullFailedType {
		t.Fatalf("pull ended with %v, want a %s failure", err, leadflow.PullFailedType)
	}
	var res leadflow.PullResult
	if err := ae.Details(&res); err != nil {
		t.Fatalf("the failure carries no result: %v", err)
	}
	return res
}

// runPull executes one pull and returns its result or its error.
func (w *pullWorld) runPull(t *testing.T, in leadflow.PullInput) (res leadflow.PullResult, started []time.Time, err error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	noDeadlockDetector(env)
	env.RegisterWorkflowWithOptions(workflows.Pull, workflow.RegisterOptions{Name: leadflow.PullWorkflow})
	env.RegisterWorkflowWithOptions(importStandIn, workflow.RegisterOptions{Name: leadflow.ImportWorkflow})
	env.RegisterActivity(w.puller)
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "PullPage" {
			started = append(started, env.Now())
		}
	})
	env.ExecuteWorkflow(leadflow.PullWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		return res, started, err
	}
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res, started, nil
}

// matching counts the sandbox's people whose title contains keyword.
func (w *pullWorld) matching(keyword string) int {
	n := 0
	for _, p := range w.sb.People() {
		if strings.Contains(p.Title, keyword) {
			n++
		}
	}
	return n
}

// charged sums the credits the sandbox charged.
func (w *pullWorld) charged() int {
	n := 0
	for _, p := range lead.Providers {
		n += w.sb.Credits(p)
	}
	return n
}

func TestPullIsIncremental(t *testing.T) {
	t.Parallel()
	w := newPullWorld(t)
	in := leadflow.PullInput{RunID: "first", Source: lead.Apollo, Query: "title=Manager,page_size=10", Budget: 1000}
	first, _ := w.run(t, in)
	if first.Bought == 0 || first.Pages < 2 || len(first.Errors) > 0 {
		t.Fatalf("first pull: %+v", first)
	}
	if first.Credits != w.charged() || first.CreditsBy[lead.Hunter] == 0 {
		t.Errorf("first pull reports %d credits (%v), sandbox charged %d with Hunter's verifications",
			first.Credits, first.CreditsBy, w.charged())
	}
	if first.Import == nil || len(first.Import.Files) != len(first.Files) {
		t.Errorf("import got %+v, want the %d files pulled", first.Import, len(first.Files))
	}
	for _, f := range first.Files {
		if _, ok := store.UploadID(f); !ok {
			t.Errorf("the pull passes %q to its import, want a reference to an export in the store", f)
		}
	}
	w.sb.ResetCounters()
	in.RunID = "second"
	second, _ := w.run(t, in)
	if second.Bought != 0 || second.Credits != 0 || w.charged() != 0 || second.Import != nil {
		t.Errorf("second pull bought %d for %d credits (sandbox %d), import %+v; want nothing",
			second.Bought, second.Credits, w.charged(), second.Import)
	}
	if second.AlreadyBought != first.Found {
		t.Errorf("second pull skipped %d as bought, want the %d found before", second.AlreadyBought, first.Found)
	}
}

func TestPullStopsAtBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		budget int
	}{
		{"inside the first page", 3},
		{"inside the waterfall", 12},
		{"after some pages", 25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newPullWorld(t)
			res, _ := w.run(t, leadflow.PullInput{RunID: "budget", Source: lead.Apollo,
				Query: "title=Manager,page_size=10", Budget: tc.budget})
			if !res.BudgetExhausted {
				t.Errorf("budget exhaustion not reported: %+v", res)
			}
			if res.Credits > tc.budget || res.Credits != w.charged() {
				t.Errorf("reported %d credits, sandbox charged %d, budget %d", res.Credits, w.charged(), tc.budget)
			}
			if all := w.matching("Manager"); res.Bought == 0 || res.Bought >= all {
				t.Errorf("bought %d of the %d people the query selects, want some but not all", res.Bought, all)
			}
		})
	}
}

func TestPullWaitsForRetryAfter(t *testing.T) {
	t.Parallel()
	w := newPullWorld(t)
	w.sb.RateLimit(lead.Apollo, 1, 90*time.Second)
	res, started := w.run(t, leadflow.PullInput{RunID: "limited", Source: lead.Apollo,
		Query: "title=Director,page_size=50", Budget: 1000})
	if len(res.Errors) > 0 || res.Bought == 0 {
		t.Fatalf("pull after a rate limit: %+v", res)
	}
	if len(started) < 2 {
		t.Fatalf("PullPage started %d times, want a retry", len(started))
	}
	if gap := started[1].Sub(started[0]); gap < 90*time.Second {
		t.Errorf("retried after %s, want the 90s Apollo asked for", gap)
	}
}

// TestPullFailsWhenEveryPageFails: a pull none of whose pages could be read (a provider that
// cannot search, a spent quota) fails, so that a schedule pausing on failure pauses, and its
// failure still reports what it did.
func TestPullFailsWhenEveryPageFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    leadflow.PullInput
		setup func(*providersandbox.Server)
	}{
		{"a provider without search", leadflow.PullInput{RunID: "lusha", Source: lead.Lusha, Query: "title=IT"}, nil},
		{"a spent quota", leadflow.PullInput{RunID: "quota", Source: lead.Apollo, Query: "title=Manager,page_size=10", Budget: 100},
			func(sb *providersandbox.Server) { sb.ExhaustQuota(lead.Apollo, true) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newPullWorld(t)
			if tc.setup != nil {
				tc.setup(w.sb)
			}
			res := w.runFailing(t, tc.in)
			if len(res.Errors) != 1 || res.Pages != 0 || res.Bought != 0 || res.Import != nil || res.RunID != tc.in.RunID {
				t.Errorf("failed pull reports %+v, want its run, one error and nothing bought", res)
			}
		})
	}
}

// TestPullReportsUnconfirmed: people an earlier attempt recorded the intent to buy, and never
// the purchase, are not bought again by a later pull and are counted as unconfirmed in its
// result.
func TestPullReportsUnconfirmed(t *testing.T) {
	t.Parallel()
	w := newPullWorld(t)
	// The store refuses to keep exports (a full disk) while the crashed attempt runs.
	diskFree := w.fullDisk(t)
	query := "title=Manager,page_size=10"
	if _, err := w.puller.PullPage(context.Background(), activities.PullPageInput{RunID: "crashed", Source: lead.Apollo,
		Query: query, Page: 1, Budget: 1000}); err == nil {
		t.Fatal("the crashed attempt stored its export on a full disk")
	}
	diskFree()
	paid := w.sb.Credits(lead.Apollo)
	res, _ := w.run(t, leadflow.PullInput{RunID: "after", Source: lead.Apollo, Query: query, Budget: 1000})
	if paid == 0 || res.Unconfirmed != paid {
		t.Errorf("the pull after a crashed purchase of %d people reports %d unconfirmed", paid, res.Unconfirmed)
	}
	if res.Bought == 0 || len(res.Errors) > 0 {
		t.Errorf("the pull bought %d with errors %v; want the others bought", res.Bought, res.Errors)
	}
}

// TestPullPageNeverBuysTwice: a page whose purchase went through and was never recorded (the
// attempt failed between the buy and its record: here storing the export fails) is not bought
// again by the retry; the people are reported as unconfirmed, and the provider charges nothing
// more.
func TestPullPageNeverBuysTwice(t *testing.T) {
	t.Parallel()
	w := newPullWorld(t)
	ctx := context.Background()
	// The store refuses to keep exports (a full disk) while the first attempt runs.
	diskFree := w.fullDisk(t)
	in := activities.PullPageInput{RunID: "crashed", Source: lead.Apollo, Query: "title=Manager,page_size=10", Page: 1, Budget: 1000}
	if _, err := w.puller.PullPage(ctx, in); err == nil {
		t.Fatal("the first attempt stored its export on a full disk")
	}
	diskFree()
	paid := w.sb.Credits(lead.Apollo)
	if paid == 0 {
		t.Fatal("the first attempt bought nothing: the test needs a purchase to lose")
	}
	res, err := w.puller.PullPage(ctx, in)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if again := w.sb.Credits(lead.Apollo) - paid; again != 0 || res.Bought != 0 {
		t.Errorf("the retry bought %d people for %d more Apollo credits, want none", res.Bought, again)
	}
	if res.Unconfirmed != paid {
		t.Errorf("the retry reports %d unconfirmed people, want the %d paid for", res.Unconfirmed, paid)
	}
	if n, err := w.puller.Store.OpenPurchases(ctx); err != nil || n != paid {
		t.Errorf("open purchases = %d, %v; want %d", n, err, paid)
	}
}

// fullDisk makes the world's store refuse every upload (an export stored by a pull page) as a
// full disk would, until the returned function is called.
func (w *pullWorld) fullDisk(t *testing.T) func() {
	t.Helper()
	db, err := sql.Open("sqlite", w.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TRIGGER full_disk BEFORE INSERT ON uploads BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if _, err := db.Exec(`DROP TRIGGER full_disk`); err != nil {
			t.Fatal(err)
		}
	}
}
