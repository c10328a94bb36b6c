package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"haloleads/internal/config"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/store"
	"haloleads/internal/visibility"
)

// maxImportRuns is how many of the newest import runs the report lists.
const maxImportRuns = 5

// runningLeads selects the live lead entity workflows in Temporal's visibility store.
const runningLeads = "WorkflowType = '" + leadflow.LeadWorkflow + "' AND ExecutionStatus = 'Running'"

// report is what `report --json` prints: the pipeline in numbers.
type report struct {
	Leads          int64       `json:"leads"`
	ByStage        []tally     `json:"by_stage"`
	ByStatus       []tally     `json:"by_status"`
	BySource       []tally     `json:"by_source"`
	ByFit          []tally     `json:"by_fit"`
	DoNotContact   int64       `json:"do_not_contact"`
	SuppressionLen int         `json:"suppression_list"`
	PendingReview  int         `json:"pending_review"`
	Imports        []importRun `json:"imports"`
}

// tally is the number of running leads in one bucket (a stage, a status, a source, ...).
type tally struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// importRun is one Import workflow, with its summary once it has completed.
type importRun struct {
	WorkflowID string            `json:"workflow_id"`
	Status     string            `json:"status"`
	Started    time.Time         `json:"started"`
	Closed     *time.Time        `json:"closed,omitempty"`
	Summary    *leadflow.Summary `json:"summary,omitempty"`
}

// bucket names a tally and the visibility filter that selects its leads.
type bucket struct{ name, filter string }

// otherBucket holds the leads of a dimension that no named bucket selects.
const otherBucket = "other"

func newReportCmd(io IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "show leads by stage, status, source and fit, Do Not Contact, review and the last imports",
		Long: `Count the running leads by stage, status, source and fit through Temporal's visibility, with
the suppression list and review queue from the store (HALOLEADS_DATA) and the last imports.`,
		Example: "  starter report\n  starter report --json\n  starter report funnel --html funnel.html",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runReport(cmd.Context(), io, asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	for _, r := range chartReports() {
		cmd.AddCommand(newChartReportCmd(io, r))
	}
	return cmd
}

func runReport(ctx context.Context, io IO, asJSON bool) error {
	cfg, err := loadConfig(io)
	if err != nil {
		return err
	}
	st, err := openExistingStore(cfg.DataDir, cfg.DatabaseURL.Value(), storeOptions(cfg)...)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := dialTemporal(ctx, cfg, io)
	if err != nil {
		return err
	}
	defer c.Close()
	rep, err := buildReport(ctx, c, st)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(io.Stdout, rep)
	}
	printReport(io.Stdout, rep)
	return nil
}

// openExistingStore opens the PostgreSQL store at databaseURL, or else the SQLite store in dir
// without creating one where there is none.
func openExistingStore(dir, databaseURL string, opts ...store.Option) (*store.Store, error) {
	if databaseURL != "" {
		return store.OpenPostgres(databaseURL, opts...)
	}
	path := filepath.Join(dir, "haloleads.db")
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no store at %s: set HALOLEADS_DATA to the worker's data directory", path)
		}
		return nil, fmt.Errorf("opening the store: %w", err)
	}
	return store.Open(path, opts...)
}

// storeOptions are the store settings of cfg: the suppression key, when one is configured.
func storeOptions(cfg config.Config) []store.Option {
	if k := cfg.SuppressionKey.Value(); k != "" {
		return []store.Option{store.WithSuppressionKey([]byte(k))}
	}
	return nil
}

// buildReport gathers the lead counts from Temporal's visibility, the suppression list and
// review queue from the store, and the newest import runs.
func buildReport(ctx context.Context, c client.Client, st *store.Store) (report, error) {
	var rep report
	var err error
	if rep.Leads, err = countLeads(ctx, c, ""); err != nil {
		return rep, err
	}
	dims := []struct {
		into    *[]tally
		buckets []bucket
	}{
		{&rep.ByStage, stageBuckets()}, {&rep.ByStatus, statusBuckets()},
		{&rep.BySource, sourceBuckets()}, {&rep.ByFit, fitBuckets()},
	}
	for _, d := range dims {
		if *d.into, err = tallyLeads(ctx, c, d.buckets, rep.Leads); err != nil {
			return rep, err
		}
	}
	if rep.DoNotContact, err = countLeads(ctx, c, visibility.DoNotContact.GetName()+" = true"); err != nil {
		return rep, err
	}
	if err := addStoreFigures(ctx, st, &rep); err != nil {
		return rep, err
	}
	rep.Imports, err = lastImports(ctx, c, maxImportRuns)
	return rep, err
}

// countLeads counts the running leads that match filter (all of them when filter is empty).
func countLeads(ctx context.Context, c client.Client, filter string) (int64, error) {
	q := runningLeads
	if filter != "" {
		q += " AND " + filter
	}
	resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
	if err != nil {
		return 0, fmt.Errorf("counting leads (%s): %w", q, err)
	}
	return resp.GetCount(), nil
}

// tallyLeads counts the leads in each bucket with one query per bucket: the SQL visibility
// store groups by ExecutionStatus only, not by custom search attributes. Leads in no bucket
// (out of total) are tallied as "other".
func tallyLeads(ctx context.Context, c client.Client, buckets []bucket, total int64) ([]tally, error) {
	out := make([]tally, 0, len(buckets)+1)
	for _, b := range buckets {
		n, err := countLeads(ctx, c, b.filter)
		if err != nil {
			return nil, err
		}
		out = append(out, tally{Name: b.name, Count: n})
	}
	return withOther(out, total), nil
}

// withOther appends an "other" tally holding what the tallies leave of total, if anything.
func withOther(tallies []tally, total int64) []tally {
	rest := total
	for _, t := range tallies {
		rest -= t.Count
	}
	if rest > 0 {
		tallies = append(tallies, tally{Name: otherBucket, Count: rest})
	}
	return tallies
}

// keywordIs is a visibility filter on a keyword search attribute. Values are haloleads' own
// identifiers, which hold no quote.
func keywordIs(name, value string) string { return fmt.Sprintf("%s = '%s'", name, value) }

func stageBuckets() []bucket {
	var out []bucket
	for _, s := range []lifecycle.Stage{lifecycle.Lead, lifecycle.Prospect, lifecycle.Opportunity} {
		out = append(out, bucket{string(s), keywordIs(visibility.LeadStage.GetName(), string(s))})
	}
	return out
}

func statusBuckets() []bucket {
	var out []bucket
	for _, s := range lifecycle.Statuses() {
		out = append(out, bucket{string(s), keywordIs(visibility.LeadStatus.GetName(), string(s))})
	}
	return out
}

func sourceBuckets() []bucket {
	var out []bucket
	for _, s := range append(append([]lead.Source{}, lead.Providers...), lead.HaloPSA, lead.Manual) {
		out = append(out, bucket{string(s), keywordIs(visibility.LeadSource.GetName(), string(s))})
	}
	return out
}

// fitBuckets are the temperature segments of lifecycle.Segments: hot above 80, warm from 60 to
// 80, cold below 60.
func fitBuckets() []bucket {
	fit := visibility.FitScore.GetName()
	return []bucket{
		{lifecycle.SegmentHot, fit + " > 80"},
		{lifecycle.SegmentWarm, fit + " >= 60 AND " + fit + " <= 80"},
		{lifecycle.SegmentCold, fit + " < 60"},
	}
}

// addStoreFigures adds the suppression list's size and the pending review pairs.
func addStoreFigures(ctx context.Context, st *store.Store, rep *report) error {
	sup, err := st.SuppressionList(ctx)
	if err != nil {
		return fmt.Errorf("reading the suppression list: %w", err)
	}
	pending, err := st.Reviews(ctx, false)
	if err != nil {
		return fmt.Errorf("reading the review queue: %w", err)
	}
	rep.SuppressionLen, rep.PendingReview = len(sup), len(pending)
	return nil
}

// lastImports lists up to n Import workflows, newest first, each completed one with the summary
// it returned.
func lastImports(ctx context.Context, c client.Client, n int) ([]importRun, error) {
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: "WorkflowType = '" + leadflow.ImportWorkflow + "'", PageSize: int32(n),
	})
	if err != nil {
		return nil, fmt.Errorf("listing import runs: %w", err)
	}
	out := []importRun{}
	for _, ex := range resp.GetExecutions() {
		if len(out) == n {
			break
		}
		run, err := describeImport(ctx, c, ex)
		if err != nil {
			return nil, err
		}
		out = append(out, run)
	}
	return out, nil
}

// describeImport turns one listed Import execution into an importRun, reading the summary a
// completed run returned.
func describeImport(ctx context.Context, c client.Client, ex *workflowpb.WorkflowExecutionInfo) (importRun, error) {
	run := importRun{WorkflowID: ex.GetExecution().GetWorkflowId(), Status: ex.GetStatus().String(),
		Started: ex.GetStartTime().AsTime()}
	if ex.GetCloseTime() != nil {
		closed := ex.GetCloseTime().AsTime()
		run.Closed = &closed
	}
	if ex.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		return run, nil
	}
	var sum leadflow.Summary
	if err := c.GetWorkflow(ctx, run.WorkflowID, ex.GetExecution().GetRunId()).Get(ctx, &sum); err != nil {
		return run, fmt.Errorf("reading the summary of %s: %w", run.WorkflowID, err)
	}
	run.Summary = &sum
	return run, nil
}

func printReport(w io.Writer, r report) {
	fmt.Fprintf(w, "Leads: %d running\n", r.Leads)
	fmt.Fprintf(w, "  by stage:   %s\n", joinTallies(r.ByStage, stageName))
	fmt.Fprintf(w, "  by status:  %s\n", joinTallies(r.ByStatus, statusName))
	fmt.Fprintf(w, "  by source:  %s\n", joinTallies(r.BySource, sourceName))
	fmt.Fprintf(w, "  by fit:     %s\n", joinTallies(r.ByFit, func(s string) string { return s }))
	fmt.Fprintf(w, "  Do Not Contact: %d\n", r.DoNotContact)
	fmt.Fprintf(w, "Suppression list: %d entries\nPending review: %d pairs\n", r.SuppressionLen, r.PendingReview)
	if len(r.Imports) == 0 {
		fmt.Fprintln(w, "No import runs.")
		return
	}
	fmt.Fprintln(w, "Last imports:")
	for _, imp := range r.Imports {
		fmt.Fprintf(w, "  %s  %s  started %s%s\n", imp.WorkflowID, imp.Status,
			imp.Started.Local().Format(time.DateTime), importFigures(imp.Summary))
	}
}

// importFigures is the one-line digest of an import summary ("" when there is none).
func importFigures(s *leadflow.Summary) string {
	if s == nil {
		return ""
	}
	out := fmt.Sprintf(": %d rows into %d leads (created %d, updated %d, unchanged %d), Do Not Contact %d, to review %d, rejected %d",
		s.Rows, s.Leads, s.LeadsCreated, s.LeadsUpdated, s.Unchanged, s.Suppressed, s.Review, s.RejectedCount)
	if len(s.Errors) > 0 {
		out += fmt.Sprintf(", %d errors", len(s.Errors))
	}
	return out
}

// joinTallies renders the non-empty tallies as "Name n, Name n" ("none" if all are empty).
func joinTallies(ts []tally, name func(string) string) string {
	var parts []string
	for _, t := range ts {
		if t.Count > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", name(t.Name), t.Count))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func stageName(s string) string  { return lifecycle.Stage(s).DisplayName() }
func statusName(s string) string { return displayUnlessOther(s, lifecycle.Status(s).DisplayName()) }
func sourceName(s string) string { return displayUnlessOther(s, lead.Source(s).DisplayName()) }

// displayUnlessOther keeps the "other" bucket's name as it is.
func displayUnlessOther(id, display string) string {
	if id == otherBucket {
		return id
	}
	return display
}
