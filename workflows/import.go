package workflows

import (
	"errors"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"haloleads/activities"
	"haloleads/internal/leadflow"
)

// Import lands one import run: Prepare parses, de-duplicates and stages the leads; each batch
// is then landed in bulk on the rate-limited HaloPSA queue; Finish drops the staging area. The
// history holds counts and references, never the people themselves.
//
// Since changeImportWindow, batches land in a sliding window of in.Window at once, and a run
// continues as new after in.BatchesPerRun batches, carrying a cursor and the counts
// (leadflow.ImportCursor), so no run's history grows with the size of the import.
func Import(ctx workflow.Context, in leadflow.ImportInput) (sum leadflow.Summary, err error) {
	if in.Resume != nil {
		return importResumed(ctx, in)
	}
	sum = leadflow.Summary{RunID: in.RunID, Files: in.Files, DryRun: in.DryRun, Errors: []string{}}
	progress := leadflow.ImportProgress{Phase: "reading", Started: workflow.Now(ctx)}
	if workflow.GetVersion(ctx, changeProgressQuery, workflow.DefaultVersion, 1) >= 1 {
		if err := workflow.SetQueryHandler(ctx, leadflow.QueryProgress, func() (leadflow.ImportProgress, error) {
			return progress.WithRate(), nil
		}); err != nil {
			return sum, err
		}
	}
	var a *activities.Importer
	v := workflow.GetVersion(ctx, changeImportCleanup, workflow.DefaultVersion, 1)
	continued := false // the staged data stays for the run that continues this one
	if v >= 1 {
		defer func() {
			if !continued {
				cleanup(ctx, in.RunID, &sum)
			}
		}()
	}
	var prep activities.PrepareResult
	pctx := prepareOptions(ctx)
	if workflow.GetVersion(ctx, changePrepareHeartbeat, workflow.DefaultVersion, 1) >= 1 {
		pctx = workflow.WithHeartbeatTimeout(pctx, 30*time.Second)
	}
	err = workflow.ExecuteActivity(pctx, a.Prepare, in).Get(ctx, &prep)
	if err != nil {
		return sum, err
	}
	progress.Phase, progress.Batches, progress.Leads, progress.Landing = "landing", prep.Batches, prep.Leads, workflow.Now(ctx)
	sum.Rows, sum.Leads, sum.Merged = prep.Rows, prep.Leads, prep.Merged
	sum.Suppressed, sum.Review, sum.Batches = prep.Suppressed, prep.Review, prep.Batches
	sum.RejectedCount, sum.Rejected = prep.RejectedCount, prep.Rejected
	sum.HaloRequests = prep.HaloRequests
	if workflow.GetVersion(ctx, changeFileReports, workflow.DefaultVersion, 1) >= 1 {
		sum.Sources = prep.Sources
		sum.Errors = append(sum.Errors, leadflow.FileErrors(prep.Sources)...)
	}
	// LandBatch heartbeats every few seconds while it runs (also while it waits for HaloPSA
	// budget), so a worker that dies mid-batch is noticed in 30 s instead of 5 minutes.
	landHeartbeat := 5 * time.Minute
	if workflow.GetVersion(ctx, "land-heartbeat-30s", workflow.DefaultVersion, 1) == 1 {
		landHeartbeat = 30 * time.Second
	}
	if workflow.GetVersion(ctx, changeImportWindow, workflow.DefaultVersion, 1) >= 1 {
		cur := &leadflow.ImportCursor{Batches: prep.Batches, Barriers: prep.Barriers, Floors: prep.Floors}
		continued, err = landWindow(ctx, in, cur, &sum, &progress)
		if continued || err != nil {
			return sum, err
		}
		return finishImport(ctx, sum, &progress), nil
	}
	for b := 0; b < prep.Batches; b++ {
		var res activities.LandResult
		land := activities.LandInput{RunID: in.RunID, Batch: b, DryRun: in.DryRun, Settings: in.Settings}
		if err := workflow.ExecuteActivity(landOptions(ctx, landHeartbeat), a.LandBatch, land).Get(ctx, &res); err != nil {
			if missingBatch(err) && workflow.GetVersion(ctx, "missing-batch-fails-import", workflow.DefaultVersion, 1) == 1 {
				// The store lost what Prepare staged: fail the import rather than report fewer leads.
				return sum, err
			}
			sum.Errors = append(sum.Errors, batchError(ctx, b, err))
			if v >= 1 && !in.DryRun {
				abandon(ctx, land, err, &sum)
			}
			continue
		}
		sum.LeadsCreated += res.Created
		sum.LeadsUpdated += res.Updated
		sum.Unchanged += res.Unchanged
		progress.BatchesDone, progress.Updated = b+1, workflow.Now(ctx)
		progress.LeadsDone += res.Created + res.Updated + res.Unchanged
		sum.HaloRequests += res.HaloRequests
		sum.HaloWrites += res.HaloWrites
		sum.Errors = append(sum.Errors, res.Errors...)
	}
	progress.Phase = "done"
	if v == workflow.DefaultVersion && len(sum.Errors) == 0 {
		if err := workflow.ExecuteActivity(prepareOptions(ctx), a.Finish, in.RunID).Get(ctx, nil); err != nil {
			sum.Errors = append(sum.Errors, err.Error())
		}
	}
	if workflow.GetVersion(ctx, changeImportMetrics, workflow.DefaultVersion, 1) >= 1 {
		recordImport(workflow.GetMetricsHandler(ctx), sum)
	}
	return sum, nil
}

// changeImportCleanup (workflow.GetVersion): the staging area is dropped however the import
// ends (a failure, a cancellation: on a disconnected context), a batch that fails for good
// tells its leads (AbandonBatch).
const changeImportCleanup = "import-cleanup"

// cleanup drops the run's staged data (personal data) even when ctx was cancelled.
func cleanup(ctx workflow.Context, runID string, sum *leadflow.Summary) {
	var a *activities.Importer
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	if err := workflow.ExecuteActivity(prepareOptions(dctx), a.Finish, runID).Get(dctx, nil); err != nil {
		sum.Errors = append(sum.Errors, "dropping staged data: "+err.Error())
	}
}

// abandon tells the leads of a failed batch, with the ids its last attempt recorded when the
// failure was a timeout that carried them.
func abandon(ctx workflow.Context, land activities.LandInput, cause error, sum *leadflow.Summary) {
	var a *activities.Importer
	in := activities.AbandonInput{RunID: land.RunID, Batch: land.Batch}
	if land.StartNew { // changeLandedStart: the batch's new leads may have no workflow yet
		settings := land.Settings
		in.Settings = &settings
	}
	var te *temporal.TimeoutError
	if errors.As(cause, &te) && te.HasLastHeartbeatDetails() {
		var p activities.LandProgress
		if te.LastHeartbeatDetails(&p) == nil {
			in.Progress = &p
		}
	}
	var res activities.AbandonResult
	if err := workflow.ExecuteActivity(landOptions(ctx, 30*time.Second), a.AbandonBatch, in).Get(ctx, &res); err != nil {
		sum.Errors = append(sum.Errors, err.Error())
	}
	if workflow.GetVersion(ctx, changeFailedBatchCounts, workflow.DefaultVersion, 1) >= 1 {
		sum.HaloRequests += res.HaloRequests
		sum.HaloWrites += res.HaloWrites
	}
}

// changePrepareHeartbeat (workflow.GetVersion): Prepare, which heartbeats every few seconds
// throughout, has a 30 s heartbeat timeout instead of 2 minutes, so a worker killed while it
// reads the files or HaloPSA is noticed (and Prepare retried) as soon as a LandBatch's.
const changePrepareHeartbeat = "prepare-heartbeat-30s"

// changeFailedBatchCounts (workflow.GetVersion): the requests and writes of a batch that failed
// for good (every attempt's, as recorded in the store) count in the summary, so halo_writes is
// what HaloPSA applied whether the batch landed or not.
const changeFailedBatchCounts = "failed-batch-counts"

// changeImportMetrics (workflow.GetVersion): a finished import records its counts as metrics.
const changeImportMetrics = "import-metrics"

// Metric names an import records through the SDK's metrics handler (the worker exports them).
const (
	MetricImports      = "haloleads_imports"       // by dry_run, outcome (ok, incomplete)
	MetricImportLeads  = "haloleads_import_leads"  // by outcome: created, updated, unchanged, suppressed, merged, rejected, review
	MetricImportErrors = "haloleads_import_errors" // refused records, failed batches, unreadable files
)

// recordImport counts a finished import (the SDK's handler skips it while replaying).
func recordImport(m client.MetricsHandler, sum leadflow.Summary) {
	outcome := "ok"
	if sum.RejectedCount > 0 || len(sum.Errors) > 0 {
		outcome = "incomplete"
	}
	m.WithTags(map[string]string{"dry_run": strconv.FormatBool(sum.DryRun), "outcome": outcome}).Counter(MetricImports).Inc(1)
	if sum.DryRun {
		return
	}
	for _, c := range []struct {
		outcome string
		n       int
	}{
		{"created", sum.LeadsCreated}, {"updated", sum.LeadsUpdated}, {"unchanged", sum.Unchanged},
		{"suppressed", sum.Suppressed}, {"merged", sum.Merged}, {"rejected", sum.RejectedCount}, {"review", sum.Review},
	} {
		m.WithTags(map[string]string{"outcome": c.outcome}).Counter(MetricImportLeads).Inc(int64(c.n))
	}
	m.Counter(MetricImportErrors).Inc(int64(len(sum.Errors)))
}

// missingBatch reports whether LandBatch failed because its staged batch was not in the store.
func missingBatch(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == "MissingBatch"
}

// changeFileReports (workflow.GetVersion): the summary says how each file was read, and a file
// that could not be read is one of its errors (Prepare reads the other files regardless).
const changeFileReports = "file-reports"

// changeProgressQuery (workflow.GetVersion): the import answers QueryProgress.
const changeProgressQuery = "progress-query"

func prepareOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    10,
		},
	})
}

// landOptions runs a batch on the HaloPSA queue. A batch is retried until it lands (rate limits
// and outages only delay it); a batch that fails for good is reported in the summary, and its
// staged leads stay in the store for the next run.
func landOptions(ctx workflow.Context, heartbeat time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              leadflow.HaloTaskQueue,
		ScheduleToCloseTimeout: 24 * time.Hour,
		StartToCloseTimeout:    30 * time.Minute,
		HeartbeatTimeout:       heartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
}
