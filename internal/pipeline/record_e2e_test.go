package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/pipeline"
)

// TestRecordHistories records, with -update, the histories workflows/replay_test.go replays:
// an import, a lead that was reverted and continued as new (both of its runs), and a pull. The
// recordings are append-only: a file that exists is never written again (a change that breaks
// them needs workflow.GetVersion, not a new recording). Without -update it checks that the
// scenario still runs.
func TestRecordHistories(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{RateLimit: 3000})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	in := leadflow.ImportInput{RunID: "rec", Files: []string{oneLead(t, func(row string) string { return row })},
		Settings: leadflow.Settings{MaxEvents: 6, Lifecycle: lifecycle.Config{OnViolation: lifecycle.Revert}}}
	if sum, err := pipeline.RunImport(ctx, e.temporal, in, true); err != nil || len(sum.Errors) > 0 {
		t.Fatalf("import: %v %v", err, sum.Errors)
	}
	leadID, tk := e.theLead(t)
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == tk.ID() })
	id := leadflow.LeadWorkflowID(leadID)
	d, err := e.temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	firstRun := d.WorkflowExecutionInfo.Execution.RunId
	// A person sets a status the rules forbid (reverted), then edits fields until the run
	// continues as new.
	changes := []leadflow.HaloChange{
		{EventID: "rec-1", TicketID: tk.ID(), Status: lifecycle.Won},
		{EventID: "rec-2", TicketID: tk.ID(), Values: lead.Values{lead.JobTitle: "Head of Buying"}},
		{EventID: "rec-3", TicketID: tk.ID(), Values: lead.Values{lead.Department: "Procurement"}},
		{EventID: "rec-4", TicketID: tk.ID(), Values: lead.Values{lead.JobTitle: "Buyer"}},
	}
	for _, c := range changes {
		if err := e.temporal.SignalWorkflow(ctx, id, "", leadflow.SignalHaloChange, c); err != nil {
			t.Fatal(err)
		}
	}
	// The run continues as new at the first event after its budget (a budget reached while an
	// activity completes is only seen at the next workflow task). The budget counts from the
	// events the run started with: none for a lead its import's offer started, the offer and
	// the landing for one its import started landed (import-landed-start), two more messages.
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Events >= 6 })
	for n := 5; e.leadState(t, leadID).Runs == 0; n++ {
		if n > 8 {
			t.Fatalf("lead %s never continued as new", leadID)
		}
		event := fmt.Sprintf("rec-%d", n)
		if err := e.temporal.SignalWorkflow(ctx, id, "", leadflow.SignalHaloChange, leadflow.HaloChange{EventID: event, TicketID: tk.ID()}); err != nil {
			t.Fatal(err)
		}
		e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Runs >= 1 || slices.Contains(st.SeenEvents, event) })
	}
	st := e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Runs >= 1 })
	if st.Status == lifecycle.Won || len(st.Violations) == 0 {
		t.Errorf("forbidden change not reverted: status %s, violations %+v", st.Status, st.Violations)
	}
	recordOnce(t, "import_one_lead.json", e.runHistory(t, leadflow.ImportWorkflowID("rec"), ""))
	recordOnce(t, "lead_reverted_continued.json", e.runHistory(t, id, firstRun))
	recordOnce(t, "lead_after_continue.json", e.runHistory(t, id, ""))
	// The same runs under lead-baseline-1 (one version marker, started listed by the import,
	// the listing carried across Continue-As-New).
	recordOnce(t, "lead_baseline_reverted_continued.json", e.runHistory(t, id, firstRun))
	recordOnce(t, "lead_baseline_after_continue.json", e.settledHistory(t, id))
	// The same import and lead under import-landed-start: the lead's workflow started once by
	// its import, landed.
	recordOnce(t, "import_landed_start_one_lead.json", e.runHistory(t, leadflow.ImportWorkflowID("rec"), ""))
	recordOnce(t, "lead_landed_start_reverted_continued.json", e.runHistory(t, id, firstRun))
	recordOnce(t, "lead_landed_start_after_continue.json", e.settledHistory(t, id))
	// The same lead started landed with its baseline in its input (LeadInput.Baseline): no
	// version marker, and so no search-attribute upsert, in the run its import started.
	first := e.runHistory(t, id, firstRun)
	if m := versionMarkers(t, first); slices.Contains(m, "lead-baseline-1") {
		t.Errorf("a lead started with its baseline in its input recorded the lead-baseline-1 marker: %v", m)
	}
	if cmds := firstTaskListings(first); len(cmds) > 0 {
		t.Errorf("a lead started landed and listed, with its baseline in its input, recorded %v in its first workflow task, want nothing", cmds)
	}
	recordOnce(t, "lead_input_baseline_reverted_continued.json", first)

	p := newPullEnv(t)
	pin := leadflow.PullInput{Source: lead.Apollo, Query: "title=Manager,page_size=10", Budget: 500}
	run, err := p.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "pull-rec", TaskQueue: leadflow.TaskQueue},
		leadflow.PullWorkflow, pin)
	if err != nil {
		t.Fatal(err)
	}
	var res leadflow.PullResult
	if err := run.Get(ctx, &res); err != nil || res.Bought == 0 {
		t.Fatalf("pull: %v, %+v", err, res)
	}
	recordOnce(t, "pull_apollo.json", historyOf(t, p.temporal, "pull-rec", ""))
}

// settledHistory is the history of a workflow's current run once its last workflow task has
// completed (a run that just continued as new has only its start until then).
func (e *env) settledHistory(t *testing.T, id string) *historypb.History {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		h := e.runHistory(t, id, "")
		if n := len(h.Events); n > 1 && h.Events[n-1].GetEventType() != enums.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED &&
			h.Events[n-1].GetEventType() != enums.EVENT_TYPE_WORKFLOW_TASK_STARTED {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("workflow %s has not settled: %d events", id, len(h.Events))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *env) runHistory(t *testing.T, id, runID string) *historypb.History {
	t.Helper()
	return historyOf(t, e.temporal, id, runID)
}

func historyOf(t *testing.T, c client.Client, id, runID string) *historypb.History {
	t.Helper()
	it := c.GetWorkflowHistory(context.Background(), id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("reading history of %s: %v", id, err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

// recordOnce writes a history into workflows/testdata with -update, unless the file exists.
func recordOnce(t *testing.T, name string, h *historypb.History) {
	t.Helper()
	if !*update {
		return
	}
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "workflows", "testdata", name)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Logf("%s exists: recordings are never replaced", name)
		return
	}
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events into %s", len(h.Events), path)
}

// firstTaskListings are the version markers and listing changes (search attributes, memo)
// the first workflow task of a run recorded: the events after its completion, up to the next
// workflow task or message.
func firstTaskListings(h *historypb.History) []string {
	var out []string
	done := false
	for _, ev := range h.Events {
		if !done {
			done = ev.EventType == enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
			continue
		}
		switch ev.EventType {
		case enums.EVENT_TYPE_MARKER_RECORDED, enums.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, enums.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
			out = append(out, ev.EventType.String())
		case enums.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
			enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED:
			return out
		}
	}
	return out
}
