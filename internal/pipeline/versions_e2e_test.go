package pipeline_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"

	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/pipeline"
)

// gate is an envOptions.Front that holds every API write to the sandbox while it is closed, so
// a test can keep an import's landing outstanding.
type gate struct {
	sb     http.Handler
	mu     sync.Mutex
	shut   chan struct{} // nil while open
	waited int           // writes that were held
}

func (g *gate) front(sb *halosandbox.Server) http.Handler {
	g.sb = sb
	return g
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/") {
		g.mu.Lock()
		shut := g.shut
		if shut != nil {
			g.waited++
		}
		g.mu.Unlock()
		if shut != nil {
			select {
			case <-shut:
			case <-r.Context().Done():
				return
			}
		}
	}
	g.sb.ServeHTTP(w, r)
}

// close holds the writes from now on; open lets them through.
func (g *gate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shut = make(chan struct{})
}

func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shut != nil {
		close(g.shut)
		g.shut = nil
	}
}

func (g *gate) held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waited
}

// versionMarkers returns the change ids of a history's workflow.GetVersion markers.
func versionMarkers(t *testing.T, h *historypb.History) []string {
	t.Helper()
	var out []string
	for _, ev := range h.Events {
		a := ev.GetMarkerRecordedEventAttributes()
		if a == nil || a.MarkerName != "Version" {
			continue
		}
		var id string
		if p := a.Details["change-id"].GetPayloads(); len(p) == 1 && json.Unmarshal(p[0].Data, &id) == nil {
			out = append(out, id)
		}
	}
	return out
}

// await polls cond until it holds, failing the test after a minute.
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// onlyLead finds the one lead workflow through Temporal's visibility.
func (e *env) onlyLead(t *testing.T) string {
	t.Helper()
	var id string
	await(t, "the lead workflow", func() bool {
		resp, err := e.temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowType = '" + leadflow.LeadWorkflow + "'"})
		if err != nil || len(resp.Executions) != 1 {
			return false
		}
		id = resp.Executions[0].Execution.WorkflowId
		return true
	})
	return strings.TrimPrefix(id, leadflow.LeadWorkflowID(""))
}

// TestRecordVersionedLead drives one lead through the versioned paths of the lead workflow and,
// with -update, records its history for workflows/replay_test.go (lead_versioned_paths.json):
//   - offer-awaits-landing: a second import offers the lead while the first import's offer is
//     still landing (its HaloPSA writes held); the second offer waits for the first to land;
//   - merged-violation-notes: an agent skips ahead to Engaged in HaloPSA, the violation is
//     flagged and its note written by the note flush;
//   - stage-times: the lead is worked to Engaged and promoted to a prospect, entering a stage.
func TestRecordVersionedLead(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	g := &gate{}
	e := newEnvWith(t, envOptions{Webhook: true, RateLimit: 3000, Front: g.front})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	file := oneLead(t, func(row string) string { return row })

	g.close()
	// Both imports offer the lead to its workflow (the first starts it with its offer), as
	// imports did before they started a new lead's workflow landed: the path recorded here.
	first := leadflow.ImportInput{RunID: "first", Files: []string{file}, OfferNewLeads: true}
	if _, err := pipeline.RunImport(ctx, e.temporal, first, false); err != nil {
		t.Fatal(err)
	}
	leadID := e.onlyLead(t)
	await(t, "the first offer", func() bool { return e.leadState(t, leadID).Offered != nil && g.held() > 0 })
	second := leadflow.ImportInput{RunID: "second", Files: []string{file}, OfferNewLeads: true}
	if _, err := pipeline.RunImport(ctx, e.temporal, second, false); err != nil {
		t.Fatal(err)
	}
	await(t, "the second offer", func() bool { return e.offersAccepted(t, leadID) == 2 })
	if st := e.leadState(t, leadID); st.Offered == nil || st.Offered.RunID != "first" {
		t.Fatalf("the second offer did not wait for the first to land: offered %+v", st.Offered)
	}
	g.open()
	for _, run := range []string{"first", "second"} {
		var sum leadflow.Summary
		if err := e.temporal.GetWorkflow(ctx, leadflow.ImportWorkflowID(run), "").Get(ctx, &sum); err != nil || len(sum.Errors) > 0 {
			t.Fatalf("import %s: %v %v", run, err, sum.Errors)
		}
		t.Logf("import %s: created %d, updated %d, unchanged %d", run, sum.LeadsCreated, sum.LeadsUpdated, sum.Unchanged)
	}
	e.assertLandedOnce(t, 1)
	_, tk := e.theLead(t)
	tid := tk.ID()
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == tid && st.Offered == nil })

	if err := e.sandbox.AgentEditTicketStatus(tid, e.statusID(t, lifecycle.Engaged)); err != nil {
		t.Fatal(err)
	}
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return len(st.Violations) == 1 })
	e.waitAction(t, tid, "breaks the sales process")

	for _, args := range [][]string{
		{"transition", leadID, "--to", "researching"},
		{"transition", leadID, "--to", "contacted"},
		{"log-call", leadID, "--outcome", "interested", "--duration", "300"},
		{"promote", leadID},
	} {
		if out, code := e.leadCLI(append([]string{"lead"}, args...)...); code != 0 {
			t.Fatalf("lead %s: exit %d: %s", args[0], code, out)
		}
	}
	st := e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Status == lifecycle.NewProspect })
	if len(st.Stages) != 2 || st.Stages[1].Stage != lifecycle.Prospect {
		t.Errorf("stages %+v, want the lead stage and the prospect stage", st.Stages)
	}
	h := e.history(t, leadID)
	markers := versionMarkers(t, h)
	// From lead-baseline-1 on, its one marker stands for these changes (workflows/versions.go).
	baseline := slices.Contains(markers, "lead-baseline-1")
	for _, want := range []string{"offer-awaits-landing", "merged-violation-notes", "stage-times"} {
		if !baseline && !slices.Contains(markers, want) {
			t.Errorf("the lead's history has no %s marker (markers %v)", want, markers)
		}
	}
	recordOnce(t, "lead_versioned_paths.json", h)
}

// offersAccepted counts the offer updates a lead workflow has accepted.
func (e *env) offersAccepted(t *testing.T, leadID string) int {
	t.Helper()
	n := 0
	for _, ev := range e.history(t, leadID).Events {
		if ev.GetEventType() == enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED &&
			ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetName() == leadflow.UpdateOffer {
			n++
		}
	}
	return n
}
