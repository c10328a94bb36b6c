package pipeline_test

import (
	"context"
	"slices"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// TestImportWindowContinuesAsNew imports the samples in batches of three, three batches at
// once, continuing as new every two batches: every lead lands once (one user and one lead
// ticket each, one client per company), the summary adds up across runs, each run's history
// stays small, and a re-import through the same window writes nothing. With -update it records
// the first and the last run for workflows/replay_test.go (import_window_*.json before the
// carried-floors change, import_floors_*.json with it).
func TestImportWindowContinuesAsNew(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{RateLimit: 3000})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	files := samples(t, "apollo.csv", "zoominfo.csv")
	in := leadflow.ImportInput{RunID: "window", Files: files, BatchSize: 3, Window: 3, BatchesPerRun: 2}
	sum, err := pipeline.RunImport(ctx, e.temporal, in, true)
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("import: %v %v", err, sum.Errors)
	}
	if sum.Batches < 5 || sum.LeadsCreated != sum.Leads {
		t.Fatalf("summary %+v: want at least 5 batches and every lead created", sum)
	}
	runs := e.importRuns(t, ctx, leadflow.ImportWorkflowID(in.RunID))
	if want := (sum.Batches + 1) / 2; len(runs) != want {
		t.Errorf("import ran %d times, want %d (two batches a run)", len(runs), want)
	}
	for i, h := range runs {
		if n := len(h.Events); n > 60 {
			t.Errorf("run %d has %d history events, want at most 60 for two batches", i, n)
		}
	}
	e.assertLandedOnce(t, sum.LeadsCreated)

	writes := e.halo.WriteRequests()
	in.RunID = "window-again"
	again, err := pipeline.RunImport(ctx, e.temporal, in, true)
	if err != nil || len(again.Errors) > 0 {
		t.Fatalf("re-import: %v %v", err, again.Errors)
	}
	if again.LeadsCreated != 0 || again.LeadsUpdated != 0 || again.Unchanged != sum.Leads || e.halo.WriteRequests() != writes {
		t.Errorf("re-import: %+v, %d writes; want every lead unchanged and no write", again, e.halo.WriteRequests()-writes)
	}
	for i, h := range []*historypb.History{runs[0], runs[len(runs)-1]} {
		if !slices.Contains(versionMarkers(t, h), "carried-floors") {
			t.Errorf("run %d lands its batches without the carried-floors change", i)
		}
	}
	recordOnce(t, "import_window_first_run.json", runs[0])
	recordOnce(t, "import_window_last_run.json", runs[len(runs)-1])
	// The same runs with the carried-floors change (the two above were recorded before it).
	recordOnce(t, "import_floors_first_run.json", runs[0])
	recordOnce(t, "import_floors_last_run.json", runs[len(runs)-1])
	// The same runs with the import-landed-start change.
	for i, h := range []*historypb.History{runs[0], runs[len(runs)-1]} {
		if !slices.Contains(versionMarkers(t, h), "import-landed-start") {
			t.Errorf("run %d lands its batches without the import-landed-start change", i)
		}
	}
	recordOnce(t, "import_landed_start_first_run.json", runs[0])
	recordOnce(t, "import_landed_start_last_run.json", runs[len(runs)-1])
}

// importRuns returns the histories of every run of a workflow, first run first, following the
// chain of runs that continued as new back from the latest.
func (e *env) importRuns(t *testing.T, ctx context.Context, id string) []*historypb.History {
	t.Helper()
	var runs []*historypb.History
	for runID := ""; ; {
		h := historyOf(t, e.temporal, id, runID)
		if len(h.Events) == 0 || h.Events[len(h.Events)-1].GetEventType() != enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED && runID == "" {
			t.Fatalf("latest run of %s has not completed", id)
		}
		runs = append([]*historypb.History{h}, runs...)
		runID = h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		if runID == "" {
			return runs
		}
	}
}

// assertLandedOnce checks that the sandbox holds one user and one lead ticket per created lead
// and no two clients of the same name.
func (e *env) assertLandedOnce(t *testing.T, created int) {
	t.Helper()
	if n := len(e.sandbox.Users()); n != created {
		t.Errorf("sandbox holds %d users, want %d", n, created)
	}
	tickets := 0
	for _, tk := range e.sandbox.Tickets() {
		if tk.Int("user_id") != 0 {
			tickets++
		}
	}
	if tickets != created {
		t.Errorf("sandbox holds %d lead tickets, want %d", tickets, created)
	}
	names := map[string]int{}
	for _, c := range e.sandbox.Customers() {
		if names[c.String("name")]++; names[c.String("name")] == 2 {
			t.Errorf("client %q created twice", c.String("name"))
		}
	}
}
