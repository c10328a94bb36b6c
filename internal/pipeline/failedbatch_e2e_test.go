package pipeline_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"

	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// TestFailedBatchWritesAreKnown lets HaloPSA refuse the batch's last write (the distribution
// lists, after clients, sites, users and tickets were created) with a 403, so the batch fails
// for good. What it wrote still counts: halo_writes equals the writes HaloPSA applied, every
// lead learns the user and ticket created for it, and the next import (the fault gone) takes
// none of those values for a person's edit and creates nothing twice.
func TestFailedBatchWritesAreKnown(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	var failing atomic.Bool
	front := func(sb *halosandbox.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failing.Load() && r.Method == http.MethodPost && strings.EqualFold(r.URL.Path, "/api/DistributionLists") {
				http.Error(w, "You do not have permission to edit distribution lists", http.StatusForbidden)
				return
			}
			sb.ServeHTTP(w, r)
		})
	}
	e := newEnvWith(t, envOptions{Front: front})
	failing.Store(true) // after the tenant set-up, which writes the lists
	e.sandbox.ResetStats()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	files := samples(t, "uplead.csv")
	first, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: "failing", Files: files}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Errors) != 1 || !strings.HasPrefix(first.Errors[0], "batch 1 was not landed: ") {
		t.Fatalf("errors = %q, want batch 1 not landed", first.Errors)
	}
	recordFailedImport(t, e.importRuns(t, ctx, leadflow.ImportWorkflowID("failing")))
	users, tickets := e.sandbox.Users(), e.leadTickets()
	if len(users) == 0 || len(tickets) != len(users) {
		t.Fatalf("sandbox holds %d users and %d lead tickets, want the batch's users and tickets created", len(users), len(tickets))
	}
	applied := e.sandbox.Stats().Writes
	if first.HaloWrites != int64(applied) || applied == 0 {
		t.Errorf("halo_writes = %d, HaloPSA applied %d writes: want them equal", first.HaloWrites, applied)
	}
	// Every lead learns its user and ticket, and holds what was written as its own.
	leads := map[int]string{}
	for _, tk := range tickets {
		id, ok, err := e.store.LeadOfTicket(ctx, tk.ID())
		if err != nil || !ok {
			t.Fatalf("ticket %d has no lead in the store (%v)", tk.ID(), err)
		}
		leads[tk.ID()] = id
	}
	deadline := time.Now().Add(time.Minute) // the leads handle AbandonBatch's signals asynchronously
	for ticketID, leadID := range leads {
		st := e.waitLead(t, leadID, deadline, func(st leadflow.LeadState) bool { return st.Halo.TicketID != 0 && st.Offered == nil })
		if st.Halo.TicketID != ticketID || st.Halo.UserID == 0 {
			t.Errorf("lead %s holds ids %+v, want ticket %d and its user", leadID, st.Halo, ticketID)
		}
	}
	failing.Store(false)
	second, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: "after", Files: files}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Errors) != 0 || second.LeadsCreated != 0 {
		t.Errorf("re-import: errors %q, %d created; want none", second.Errors, second.LeadsCreated)
	}
	if n, m := len(e.sandbox.Users()), len(e.leadTickets()); n != len(users) || m != len(tickets) {
		t.Errorf("re-import: %d users and %d lead tickets, want %d and %d (nothing twice)", n, m, len(users), len(tickets))
	}
	for _, leadID := range leads {
		if st := e.leadState(t, leadID); len(st.Pinned) != 0 {
			t.Errorf("lead %s takes %v for a person's edits; they are the failed batch's writes", leadID, st.Pinned)
		}
	}
	t.Logf("failed batch: %d requests, %d writes (HaloPSA applied %d); re-import: %d updated, %d unchanged, %d writes",
		first.HaloRequests, first.HaloWrites, applied, second.LeadsUpdated, second.Unchanged, second.HaloWrites)
}

// recordFailedImport checks that the failed import ran its versioned paths, Prepare with the
// 30 s heartbeat timeout (prepare-heartbeat-30s) and the failed batch counted in the summary
// (failed-batch-counts), and with -update records the run for workflows/replay_test.go
// (import_failed_batch.json: its one batch, in one run).
func recordFailedImport(t *testing.T, runs []*historypb.History) {
	t.Helper()
	if len(runs) != 1 {
		t.Fatalf("the failed import ran %d times, want one run", len(runs))
	}
	markers := versionMarkers(t, runs[0])
	for _, change := range []string{"prepare-heartbeat-30s", "failed-batch-counts"} {
		if !slices.Contains(markers, change) {
			t.Errorf("the failed import's history has no %s marker (markers %q)", change, markers)
		}
	}
	recordOnce(t, "import_failed_batch.json", runs[0])
}

// leadTickets returns the sandbox's tickets that belong to a user (the lead tickets).
func (e *env) leadTickets() []halosandbox.Record {
	var out []halosandbox.Record
	for _, tk := range e.sandbox.Tickets() {
		if tk.Int("user_id") != 0 {
			out = append(out, tk)
		}
	}
	return out
}

// waitLead polls a lead's state until ok holds or the deadline passes, and returns the last
// state.
func (e *env) waitLead(t *testing.T, leadID string, deadline time.Time, ok func(leadflow.LeadState) bool) leadflow.LeadState {
	t.Helper()
	for {
		st := e.leadState(t, leadID)
		if ok(st) || time.Now().After(deadline) {
			return st
		}
		time.Sleep(200 * time.Millisecond)
	}
}
