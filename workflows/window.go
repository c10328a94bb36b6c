package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"haloleads/activities"
	"haloleads/internal/leadflow"
)

// changeImportWindow (workflow.GetVersion): batches land in a sliding window and the import
// continues as new every few hundred batches (landWindow).
const changeImportWindow = "import-window"

// changeCarriedFloors (workflow.GetVersion): each batch is given floors (ids below anything it
// can create): the highest ids Prepare read, raised by each batch landed before it starts and
// carried across Continue-As-New in the cursor. A retried batch reads back only above them, and
// no batch reads floors of its own.
const changeCarriedFloors = "carried-floors"

// changeLandedStart (workflow.GetVersion): a batch lands the new leads it claims itself and
// starts each one's workflow once, landed, instead of offering it and signalling it where it
// landed (activities.LandInput.StartNew, activities/landedstart.go): three transactions of the
// Temporal server per new lead instead of six. A batch that fails for good starts the
// workflows of those it did not start (AbandonInput.Settings).
const changeLandedStart = "import-landed-start"

// importResumed is a run that continues an import: it lands the batches from in.Resume on,
// with the counts carried over.
func importResumed(ctx workflow.Context, in leadflow.ImportInput) (sum leadflow.Summary, err error) {
	cur := in.Resume
	sum, progress := cur.Summary, cur.Progress
	if err := workflow.SetQueryHandler(ctx, leadflow.QueryProgress, func() (leadflow.ImportProgress, error) {
		return progress.WithRate(), nil
	}); err != nil {
		return sum, err
	}
	continued := false
	defer func() {
		if !continued {
			cleanup(ctx, in.RunID, &sum)
		}
	}()
	if continued, err = landWindow(ctx, in, cur, &sum, &progress); continued || err != nil {
		return sum, err
	}
	return finishImport(ctx, sum, &progress), nil
}

// finishImport records a finished import's metrics and marks its progress done.
func finishImport(ctx workflow.Context, sum leadflow.Summary, progress *leadflow.ImportProgress) leadflow.Summary {
	progress.Phase = "done"
	recordImport(workflow.GetMetricsHandler(ctx), sum)
	return sum
}

// windowBatch is a batch on its way.
type windowBatch struct {
	land   activities.LandInput
	result workflow.Future
}

// landWindow lands the batches from cur.Next on, up to in.Window at once, and returns
// continued=true with a Continue-As-New error once this run has landed in.BatchesPerRun
// batches (or Temporal suggests it) and batches remain. Batches are accounted in their order,
// so the summary does not depend on which finishes first; a barrier batch (cur.Barriers) starts
// only when every earlier batch has landed.
func landWindow(ctx workflow.Context, in leadflow.ImportInput, cur *leadflow.ImportCursor, sum *leadflow.Summary, progress *leadflow.ImportProgress) (continued bool, err error) {
	window := in.Window
	if window <= 0 {
		window = leadflow.DefaultImportWindow
	}
	perRun := in.BatchesPerRun
	if perRun <= 0 {
		perRun = leadflow.DefaultBatchesPerRun
	}
	carry := workflow.GetVersion(ctx, changeCarriedFloors, workflow.DefaultVersion, 1) >= 1
	startNew := !in.DryRun && workflow.GetVersion(ctx, changeLandedStart, workflow.DefaultVersion, 1) >= 1 && !in.OfferNewLeads
	var a *activities.Importer
	opts := landOptions(ctx, 30*time.Second)
	var queue []windowBatch
	// settle waits for the oldest batches until at most keep are in flight.
	settle := func(keep int) error {
		for len(queue) > keep {
			b := queue[0]
			queue = queue[1:]
			var res activities.LandResult
			if err := b.result.Get(ctx, &res); err != nil {
				if missingBatch(err) {
					return err // the store lost what Prepare staged: never report fewer leads
				}
				sum.Errors = append(sum.Errors, batchError(ctx, b.land.Batch, err))
				if !in.DryRun {
					abandon(ctx, b.land, err, sum)
				}
				continue
			}
			account(ctx, sum, progress, res)
			cur.Floors = cur.Floors.Max(res.Top)
		}
		return nil
	}
	start := cur.Next
	for b := start; b < cur.Batches; b++ {
		if b-start >= perRun || (b > start && workflow.GetInfo(ctx).GetContinueAsNewSuggested()) {
			if err := settle(0); err != nil {
				return false, err
			}
			cur.Next, cur.Summary, cur.Progress, cur.Runs = b, *sum, *progress, cur.Runs+1
			next := in
			next.Resume = cur
			return true, workflow.NewContinueAsNewError(ctx, leadflow.ImportWorkflow, next)
		}
		keep := window - 1
		if slices.Contains(cur.Barriers, b) {
			keep = 0
		}
		if err := settle(keep); err != nil {
			return false, err
		}
		land := activities.LandInput{RunID: in.RunID, Batch: b, DryRun: in.DryRun, Settings: in.Settings}
		if carry {
			land.Floors = cur.Floors
		}
		land.StartNew = startNew
		queue = append(queue, windowBatch{land: land, result: workflow.ExecuteActivity(opts, a.LandBatch, land)})
	}
	return false, settle(0)
}

// account adds one landed batch to the summary and the progress.
func account(ctx workflow.Context, sum *leadflow.Summary, progress *leadflow.ImportProgress, res activities.LandResult) {
	sum.LeadsCreated += res.Created
	sum.LeadsUpdated += res.Updated
	sum.Unchanged += res.Unchanged
	sum.HaloRequests += res.HaloRequests
	sum.HaloWrites += res.HaloWrites
	sum.Errors = append(sum.Errors, res.Errors...)
	progress.BatchesDone++
	progress.Updated = workflow.Now(ctx)
	progress.LeadsDone += res.Created + res.Updated + res.Unchanged
}
