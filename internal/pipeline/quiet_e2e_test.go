package pipeline_test

import (
	"context"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/pipeline"
)

// TestEndedLeadRevivedByImport: a lead set to Do Not Contact ends after its quiet period (a
// second here), its state kept in the store; importing it again starts its workflow from that
// state (update-with-start), so it is still Do Not Contact, keeps its HaloPSA ids and history
// counts, and nothing is created in HaloPSA again.
func TestEndedLeadRevivedByImport(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{RateLimit: 3000})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	file := oneLead(t, func(row string) string { return row })
	in := leadflow.ImportInput{RunID: "quiet-1", Files: []string{file}, Settings: leadflow.Settings{QuietPeriod: time.Second}}
	if sum, err := pipeline.RunImport(ctx, e.temporal, in, true); err != nil || len(sum.Errors) > 0 || sum.LeadsCreated != 1 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	leadID, tk := e.theLead(t)
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == tk.ID() })
	id := leadflow.LeadWorkflowID(leadID)
	h, err := e.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: leadflow.UpdateTransition,
		Args: []any{leadflow.TransitionRequest{To: lifecycle.DoNotContact}}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		t.Fatalf("moving the lead to Do Not Contact: %v", err)
	}
	before := e.waitClosed(t, ctx, id)
	kept, ok, err := e.store.EndedLead(ctx, leadID)
	if err != nil || !ok || len(kept) == 0 {
		t.Fatalf("ended lead's state kept: %v, %v", ok, err)
	}
	in.RunID = "quiet-2"
	in.Settings.QuietPeriod = time.Hour
	sum, err := pipeline.RunImport(ctx, e.temporal, in, true)
	if err != nil || len(sum.Errors) > 0 || sum.LeadsCreated != 0 {
		t.Fatalf("re-import: %+v %v", sum, err)
	}
	st := e.leadState(t, leadID)
	if st.Status != lifecycle.DoNotContact || st.Halo.TicketID != tk.ID() || st.Events <= before.Events {
		t.Errorf("revived lead at %s, ticket %d, %d events; want Do Not Contact, ticket %d, more than %d events",
			st.Status, st.Halo.TicketID, st.Events, tk.ID(), before.Events)
	}
	if u, tks := len(e.sandbox.Users()), len(e.sandbox.Tickets()); u != 1 || tks != 1 {
		t.Errorf("sandbox holds %d users and %d tickets after the re-import, want 1 and 1", u, tks)
	}
	d, err := e.temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil || d.WorkflowExecutionInfo.Status != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("lead workflow after the re-import: %v, %v; want running", d.GetWorkflowExecutionInfo().GetStatus(), err)
	}
}

// waitClosed waits until the lead's workflow has completed and returns its last state.
func (e *env) waitClosed(t *testing.T, ctx context.Context, id string) leadflow.LeadState {
	t.Helper()
	for {
		d, err := e.temporal.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		if s := d.WorkflowExecutionInfo.Status; s == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			return e.leadState(t, id)
		} else if s != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Fatalf("lead workflow closed as %v, want completed", s)
		}
		select {
		case <-ctx.Done():
			t.Fatal("lead workflow never ended")
		case <-time.After(100 * time.Millisecond):
		}
	}
}
