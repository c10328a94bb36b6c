package pipeline_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"

	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// TestConcurrentImportsCreateNoDuplicates imports the same new people twice at once. The first
// import claims them and lands them itself (import-landed-start); its users POST is held back
// until the second import's offers have started a lead's workflow, waiting for that landing,
// so the first import's start finds the workflow running and signals it instead. Every person
// is created once (one user, one lead ticket, no client twice), every lead's workflow holds its
// ticket, the second import creates nothing, and a third import writes nothing.
func TestConcurrentImportsCreateNoDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	t.Parallel()
	e, tr := faultWorld(t)
	release := make(chan struct{})
	tr.set("POST /api/Users", func(w http.ResponseWriter, r *http.Request, sb *halosandbox.Server) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		sb.ServeHTTP(w, r)
	})
	files := samples(t, "apollo.csv", "zoominfo.csv")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	first := leadflow.ImportInput{RunID: "first", Files: files}
	if _, err := pipeline.RunImport(ctx, e.temporal, first, false); err != nil {
		t.Fatalf("starting the first import: %v", err)
	}
	// The first import's batch 0 is staged and claimed once its users POST is held.
	waitFor(t, ctx, "the first import's users POST", tr.sprung)
	rows, err := e.store.Batch(ctx, first.RunID, 0)
	if err != nil || len(rows) == 0 {
		t.Fatalf("the first import's batch 0: %d rows, %v", len(rows), err)
	}
	contested := rows[0].LeadID
	second := leadflow.ImportInput{RunID: "second", Files: files}
	if _, err := pipeline.RunImport(ctx, e.temporal, second, false); err != nil {
		t.Fatalf("starting the second import: %v", err)
	}
	waitFor(t, ctx, "the second import to start a contested lead's workflow", func() bool {
		_, err := e.temporal.DescribeWorkflowExecution(ctx, leadflow.LeadWorkflowID(contested), "")
		return err == nil
	})
	close(release)
	sums := make([]leadflow.Summary, 2)
	for i, in := range []leadflow.ImportInput{first, second} {
		if err := e.temporal.GetWorkflow(ctx, leadflow.ImportWorkflowID(in.RunID), "").Get(ctx, &sums[i]); err != nil {
			t.Fatalf("import %s: %v", in.RunID, err)
		}
		if len(sums[i].Errors) > 0 {
			t.Fatalf("import %s reported errors: %v", in.RunID, sums[i].Errors)
		}
	}
	t.Logf("first import %+v; second %+v", counts(sums[0]), counts(sums[1]))
	if sums[0].LeadsCreated != sums[0].Leads || sums[1].LeadsCreated != 0 {
		t.Errorf("created %d of %d leads, then %d: want every lead created by the first import only",
			sums[0].LeadsCreated, sums[0].Leads, sums[1].LeadsCreated)
	}
	// The contested lead's workflow was started by the second import, waiting for the first.
	var in leadflow.LeadInput
	h := e.runHistory(t, leadflow.LeadWorkflowID(contested), "")
	if err := converter.GetDefaultDataConverter().FromPayloads(h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput(), &in); err != nil {
		t.Fatal(err)
	}
	if in.State == nil || !in.State.Offered.Answers(leadflow.Landed{RunID: first.RunID, Batch: 0}) {
		t.Errorf("lead %s started with %+v, want the second import's start awaiting the first's landing", contested, in.State)
	}
	assertLandedOnce(t, e, sums[0].Leads)
	assertEveryLeadHasWorkflow(t, e)
	assertReimportWritesNothing(t, e, files)
}

// TestCrashBetweenWritesAndStart stops the workers once a batch has written everything to
// HaloPSA (its distribution-list POST applied, the answer lost with the worker) and before it
// started any new lead's workflow. The retried batch finds its own claims, finds what the
// crashed attempt wrote (upserts) and starts the workflows: every lead lands once, with a
// workflow that holds its ticket, and a re-import writes nothing.
func TestCrashBetweenWritesAndStart(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	t.Parallel()
	e, tr := faultWorld(t)
	files := samples(t, "apollo.csv", "zoominfo.csv")
	in := leadflow.ImportInput{RunID: "crashed-before-start", Files: files}
	sum := crashAfter(t, e, tr, "POST /api/DistributionLists", in, func(ctx context.Context) {
		rows, err := e.store.Batch(ctx, in.RunID, 0)
		if err != nil || len(rows) == 0 {
			t.Fatalf("batch 0: %d rows, %v", len(rows), err)
		}
		if _, err := e.temporal.DescribeWorkflowExecution(ctx, leadflow.LeadWorkflowID(rows[0].LeadID), ""); err == nil {
			t.Fatalf("lead %s has a workflow before its batch finished writing", rows[0].LeadID)
		}
	})
	assertLandedOnce(t, e, sum.LeadsCreated)
	assertEveryLeadHasWorkflow(t, e)
	assertReimportWritesNothing(t, e, files)
}

// assertEveryLeadHasWorkflow checks that every lead ticket in the sandbox belongs to a lead
// (the store) whose workflow runs and holds that ticket and its user.
func assertEveryLeadHasWorkflow(t *testing.T, e *env) {
	t.Helper()
	for _, tk := range e.leadTickets() {
		id, ok, err := e.store.LeadOfTicket(context.Background(), tk.ID())
		if err != nil || !ok {
			t.Errorf("ticket %d belongs to no lead (%v)", tk.ID(), err)
			continue
		}
		st := e.waitLead(t, id, time.Now().Add(30*time.Second), func(st leadflow.LeadState) bool {
			return st.Halo.TicketID == tk.ID() && st.Offered == nil
		})
		if st.Halo.TicketID != tk.ID() || st.Halo.UserID != tk.Int("user_id") || st.Offered != nil {
			t.Errorf("lead %s holds %+v (offer outstanding: %v), want ticket %d of user %d", id, st.Halo, st.Offered != nil, tk.ID(), tk.Int("user_id"))
		}
	}
}

// counts is what an import did, for the log.
func counts(s leadflow.Summary) map[string]int {
	return map[string]int{"leads": s.Leads, "created": s.LeadsCreated, "updated": s.LeadsUpdated, "unchanged": s.Unchanged}
}

// waitFor polls ok until it holds, failing the test when ctx ends first.
func waitFor(t *testing.T, ctx context.Context, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
