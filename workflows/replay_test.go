package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"haloleads/internal/leadflow"
	"haloleads/workflows"
)

// TestReplay replays recorded workflow histories against today's code, so a change that breaks
// determinism fails here rather than on running workflows. Recordings are append-only: a
// workflow change goes behind workflow.GetVersion and the old histories must still replay.
//   - lead_lifecycle.json: one lead taken from import to Won through the CLI, with webhooks
//     echoing every write (TestLeadLifecycleThroughCLI -update).
//   - lead_reverted_continued.json, lead_after_continue.json: a lead whose forbidden status
//     change was reverted, continued as new (both runs); import_one_lead.json: its import;
//     pull_apollo.json: a pull and its import (TestRecordHistories -update, which never
//     overwrites a recording).
//   - lead_adopts_halo.json: a prospect an agent qualified in HaloPSA (the adopt-halo change),
//     promoted and imported again (TestAgentQualifiesProspectInHalo -update); reconcile_run.json:
//     a reconciliation run that fed a missed change (TestReconciliationPicksUpMissedWebhooks -update).
//   - lead_do_not_contact.json: a lead marked Do Not Contact by Lusha's opt-out webhook (the
//     one-do-not-contact path: the HaloPSA write, then Apollo's and Hunter's opt-out activities
//     and their note; internal/pipeline TestDoNotContactFiveWays -update).
//   - import_window_first_run.json, import_window_last_run.json: an import landing batches in
//     a sliding window, continued as new every two batches: its first and last runs
//     (internal/pipeline TestImportWindowContinuesAsNew -update); import_floors_first_run.json,
//     import_floors_last_run.json: the same with the carried-floors change.
//   - lead_versioned_paths.json: a lead offered by a second import while the first one's offer
//     was still landing (offer-awaits-landing), flagged for a status an agent skipped to
//     (merged-violation-notes), then worked to Engaged and promoted (stage-times; internal/pipeline
//     TestRecordVersionedLead -update).
//   - lead_baseline_reverted_continued.json, lead_baseline_after_continue.json: the reverted lead
//     of lead_reverted_continued.json under lead-baseline-1: one version marker, started with
//     its listing by the import, the listing carried across Continue-As-New (TestRecordHistories
//     -update).
//   - import_landed_start_one_lead.json, lead_landed_start_reverted_continued.json,
//     lead_landed_start_after_continue.json: the import and lead of import_one_lead.json under
//     import-landed-start: the lead's workflow started once by its batch, landed (TestRecordHistories
//     -update); import_landed_start_first_run.json, import_landed_start_last_run.json: the
//     window's first and last runs with it (TestImportWindowContinuesAsNew -update).
//   - lead_input_baseline_reverted_continued.json: the first run of that lead started landed
//     with its baseline in its input (LeadInput.Baseline): no version marker, no upsert
//     (TestRecordHistories -update).
//   - pull_failed.json: a scheduled pull whose every page failed (a spent quota), failing with
//     its result (the pull-fails change; internal/pipeline TestFailedPullPausesSchedule -update).
//   - import_failed_batch.json: an import whose one batch HaloPSA refused for good (a 403 on the
//     distribution lists after users and tickets were created): Prepare under
//     prepare-heartbeat-30s, the batch abandoned and its requests and writes counted
//     (failed-batch-counts; internal/pipeline TestFailedBatchWritesAreKnown -update).
func TestReplay(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) < 5 {
		t.Fatalf("recorded histories missing from testdata: %d found (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.Lead, workflow.RegisterOptions{Name: leadflow.LeadWorkflow})
			r.RegisterWorkflowWithOptions(workflows.Import, workflow.RegisterOptions{Name: leadflow.ImportWorkflow})
			r.RegisterWorkflowWithOptions(workflows.Pull, workflow.RegisterOptions{Name: leadflow.PullWorkflow})
			r.RegisterWorkflowWithOptions(workflows.Reconcile, workflow.RegisterOptions{Name: leadflow.ReconcileWorkflow})
			if err := replay(r, f); err != nil {
				t.Fatalf("replaying %s: %v", f, err)
			}
		})
	}
}

// originalIDs are the workflow ids of recordings whose code reads its own id (a pull names
// its import after its execution).
var originalIDs = map[string]string{"pull_apollo.json": "pull-rec"}

func replay(r worker.WorkflowReplayer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		return err
	}
	var opts worker.ReplayWorkflowHistoryOptions
	if id, ok := originalIDs[filepath.Base(path)]; ok {
		run := h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetOriginalExecutionRunId()
		opts.OriginalExecution = workflow.Execution{ID: id, RunID: run}
	}
	return r.ReplayWorkflowHistoryWithOptions(nil, h, opts)
}
