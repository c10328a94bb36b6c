package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"

	"haloleads/activities"
	"haloleads/internal/cli"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/pipeline"
	"haloleads/internal/tenant"
)

// importWith runs an import with lifecycle settings (the lead workflows it starts keep them).
func (e *env) importWith(t *testing.T, runID string, settings leadflow.Settings, files ...string) leadflow.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: runID, Files: files, Settings: settings}, true)
	if err != nil {
		t.Fatalf("import %s: %v", runID, err)
	}
	if len(sum.Errors) > 0 {
		t.Fatalf("import %s errors: %v", runID, sum.Errors)
	}
	return sum
}

// statusID is the HaloPSA id of a lifecycle status in the sandbox tenant.
func (e *env) statusID(t *testing.T, s lifecycle.Status) int {
	t.Helper()
	id, ok := e.tenant.StatusID(activities.TypeKey(s.StageOf()), s.DisplayName())
	if !ok {
		t.Fatalf("status %s is not set up", s)
	}
	return int(id)
}

// cf is one custom field value of an agent's edit.
func (e *env) cf(logical string, value any) map[string]any {
	return map[string]any{"id": int(e.tenant.Fields[logical]), "value": value}
}

// TestAgentQualifiesProspectInHalo: an agent fills the qualification fields of a prospect in
// HaloPSA and sets Qualified, with LEAD_ON_VIOLATION=revert. The workflow adopts the data and
// the status, `lead promote` then works, and a re-import leaves every field the agent set, the
// fit score included.
func TestAgentQualifiesProspectInHalo(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{Webhook: true, RateLimit: 3000})
	settings := leadflow.Settings{Lifecycle: lifecycle.Config{OnViolation: lifecycle.Revert}}
	e.importWith(t, "first", settings, oneLead(t, func(row string) string { return row }))
	leadID, tk := e.theLead(t)
	tid := tk.ID()
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == tid })
	for _, args := range [][]string{
		{"transition", leadID, "--to", "researching"}, {"transition", leadID, "--to", "contacted"},
		{"transition", leadID, "--to", "engaged"}, {"promote", leadID}, {"transition", leadID, "--to", "prospecting"},
	} {
		if out, code := e.leadCLI(append([]string{"lead"}, args...)...); code != 0 {
			t.Fatalf("lead %v: exit %d: %s", args, code, out)
		}
	}
	before := e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Status == lifecycle.Prospecting })
	const fit = 90
	if before.Fit == fit {
		t.Fatalf("the computed fit is already %d: pick another", fit)
	}

	// The agent fills the six qualification fields and sets Qualified in one edit.
	err := e.sandbox.AgentEditTicket(tid, map[string]any{
		"status_id": e.statusID(t, lifecycle.Qualified),
		"customfields": []any{
			e.cf(tenant.FieldPainPoints, "backups fail weekly"),
			e.cf(tenant.FieldQualifiedServices, "Managed backup"),
			e.cf(tenant.FieldDecisionMaker, "Operations director"),
			e.cf(tenant.FieldBudgetRange, "$1-2k/month"),
			e.cf(tenant.FieldTimeframe, "this quarter"),
			e.cf(tenant.FieldFitScore, fit),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	st := e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Status == lifecycle.Qualified })
	q := st.Data.Qualification
	if q.PainPoints != "backups fail weekly" || q.DecisionMaker != "Operations director" || q.FitScore != fit || st.Fit != fit {
		t.Errorf("workflow data after the agent's edit: %+v (fit %d)", q, st.Fit)
	}
	if len(st.Violations) > 0 {
		t.Errorf("the agent's qualification was judged a violation: %+v", st.Violations)
	}
	if _, status := e.statusOf(e.ticket(t, tid)); status != lifecycle.Qualified {
		t.Errorf("ticket status %s, want Qualified (not reverted)", status)
	}

	out, code := e.leadCLI("lead", "promote", leadID, "--value", "18000", "--products", "Managed backup",
		"--probability", "50", "--close-date", "2026-12-31")
	if code != 0 {
		t.Fatalf("lead promote after the agent qualified: exit %d: %s", code, out)
	}
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Status == lifecycle.NewOpportunity })

	// A re-import with new provider data: every field the agent set stays, the fit included.
	changed := oneLead(t, func(row string) string { return strings.Replace(row, ",240,food", ",260,food", 1) })
	e.importWith(t, "second", settings, changed)
	e.settled(t, leadID, func(leadflow.LeadState) bool { return true })
	tk = e.ticket(t, tid)
	for f, want := range map[string]string{
		tenant.FieldPainPoints: "backups fail weekly", tenant.FieldQualifiedServices: "Managed backup",
		tenant.FieldDecisionMaker: "Operations director", tenant.FieldBudgetRange: "$1-2k/month",
		tenant.FieldTimeframe: "this quarter", tenant.FieldFitScore: strconv.Itoa(fit),
	} {
		if got := e.customField(tk, f); got != want {
			t.Errorf("after re-import: %s = %q, want the agent's %q", f, got, want)
		}
	}
	if st := e.leadState(t, leadID); st.Fit != fit || st.Status != lifecycle.NewOpportunity {
		t.Errorf("after re-import: workflow fit %d, status %s; want %d, New Opportunity", st.Fit, st.Status, fit)
	}
	recordOnce(t, "lead_adopts_halo.json", e.history(t, leadID))
}

// contactList writes a generic contact list of n people (ten companies), each with title.
func contactList(t *testing.T, name string, n int, title string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,Company,Website,Title\n")
	for i := range n {
		c := i % 10
		fmt.Fprintf(&b, "Person%d,Tester%d,person%d@company%d.example.com,Company %d Ltd,https://company%d.example.com,%s\n",
			i, i, i, c, c, c, title)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDeletedTicketIsRecreated: a lead ticket deleted in HaloPSA, then a re-import of its
// batch of 100: the other 99 land, and the deleted ticket is re-created (the documented rule)
// at the lead's stage and status, the lead workflow learning its new id.
func TestDeletedTicketIsRecreated(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{RateLimit: 3000})
	ctx := context.Background()
	sum := e.importFiles(t, "first", contactList(t, "people.csv", 100, "IT Manager"))
	if sum.LeadsCreated != 100 {
		t.Fatalf("first import created %d leads, want 100", sum.LeadsCreated)
	}
	leadID, tk := e.theLead(t)
	old := tk.ID()
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == old })
	if err := e.halo.DeleteTicket(ctx, halopsa.ID(old), "test"); err != nil {
		t.Fatal(err)
	}

	sum = e.importFiles(t, "second", contactList(t, "people.csv", 100, "IT Director"))
	if sum.LeadsUpdated != 100 || len(sum.Errors) != 0 {
		t.Fatalf("re-import: %d updated, errors %v; want 100 and none", sum.LeadsUpdated, sum.Errors)
	}
	st := e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID != old })
	nt := e.ticket(t, st.Halo.TicketID)
	if nt.Int("user_id") != tk.Int("user_id") || !strings.Contains(nt.String("details"), fmt.Sprintf("ticket %d was deleted", old)) {
		t.Errorf("re-created ticket: user %d (want %d), details %q", nt.Int("user_id"), tk.Int("user_id"), nt.String("details"))
	}
	if typ, status := e.statusOf(nt); typ != tenant.Lead || status != st.Status {
		t.Errorf("re-created ticket at %s/%s, want lead/%s", typ, status, st.Status)
	}
	if got, ok, _ := e.store.LeadOfTicket(ctx, nt.ID()); !ok || got != leadID {
		t.Errorf("store maps the new ticket to %q, want %s", got, leadID)
	}
	tickets := 0
	for _, x := range e.sandbox.Tickets() {
		if x.Int("user_id") != 0 {
			tickets++
		}
	}
	if tickets != 100 {
		t.Errorf("%d lead tickets in the sandbox, want 100", tickets)
	}
}

// TestDeletedRecordIsNotUnchanged deletes one lead's ticket and one lead's user in HaloPSA, then
// imports the same file again: the two leads are reported (one sentence each), not counted as
// unchanged, and the summary's counts are what HaloPSA applied (nothing).
func TestDeletedRecordIsNotUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{RateLimit: 3000})
	ctx := context.Background()
	file := contactList(t, "people.csv", 5, "IT Manager")
	if sum := e.importFiles(t, "first", file); sum.LeadsCreated != 5 {
		t.Fatalf("first import created %d leads, want 5", sum.LeadsCreated)
	}
	var tickets []halosandbox.Record
	for _, tk := range e.sandbox.Tickets() {
		if tk.Int("user_id") != 0 {
			tickets = append(tickets, tk)
		}
	}
	for _, tk := range tickets[:2] {
		id, _, _ := e.store.LeadOfTicket(ctx, tk.ID())
		e.settled(t, id, func(st leadflow.LeadState) bool { return st.Halo.TicketID == tk.ID() })
	}
	if err := e.halo.DeleteTicket(ctx, halopsa.ID(tickets[0].ID()), "test"); err != nil {
		t.Fatal(err)
	}
	if err := e.halo.DeleteUser(ctx, halopsa.ID(tickets[1].Int("user_id"))); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	sum, err := pipeline.RunImport(rctx, e.temporal, leadflow.ImportInput{RunID: "second", Files: []string{file}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unchanged != 3 || sum.LeadsCreated != 0 || sum.LeadsUpdated != 0 || sum.HaloWrites != 0 {
		t.Errorf("re-import: %d unchanged, %d created, %d updated, %d writes; want 3, 0, 0, 0", sum.Unchanged, sum.LeadsCreated, sum.LeadsUpdated, sum.HaloWrites)
	}
	want := []string{fmt.Sprintf("lead ticket %d was deleted in HaloPSA", tickets[0].ID()), fmt.Sprintf("user %d was deleted in HaloPSA", tickets[1].Int("user_id"))}
	if len(sum.Errors) != 2 || !strings.Contains(strings.Join(sum.Errors, "\n"), want[0]) || !strings.Contains(strings.Join(sum.Errors, "\n"), want[1]) {
		t.Errorf("errors = %q, want one sentence each containing %q", sum.Errors, want)
	}
}

// TestSameWebhookHundredTimes: an agent's rule-breaking status change (flagged: a violation and
// a note) is delivered once by HaloPSA, then the very same delivery 100 times more, 50 of them
// at once: the lead has one violation, one note and handled no further message.
func TestSameWebhookHundredTimes(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e, leadID, tid := newLandedLead(t)
	if err := e.sandbox.AgentEditTicketStatus(tid, e.statusID(t, lifecycle.Engaged)); err != nil {
		t.Fatal(err)
	}
	st := e.settled(t, leadID, func(st leadflow.LeadState) bool { return len(st.Violations) == 1 })
	events, notes := st.Events, len(e.waitAction(t, tid, ""))
	var payload string
	for _, d := range e.sandbox.WebhookDeliveries() {
		if d.Event == "Ticket Status Changed" || strings.EqualFold(d.Event, "ticket status changed") {
			payload = string(d.Payload)
		}
	}
	if payload == "" {
		t.Fatal("the sandbox delivered no status change")
	}
	var wg sync.WaitGroup
	codes := make(chan int, 50)
	for range 50 {
		wg.Go(func() { codes <- e.post(t, payload) })
	}
	wg.Wait()
	close(codes)
	answered := map[int]int{}
	for c := range codes {
		answered[c]++
	}
	for range 50 {
		answered[e.post(t, payload)]++
	}
	st = e.settled(t, leadID, func(leadflow.LeadState) bool { return true })
	t.Logf("the same delivery 100 times more: answers %v; lead messages %d → %d", answered, events, st.Events)
	if len(st.Violations) != 1 || st.Events != events || len(e.actions(tid)) != notes {
		t.Errorf("redeliveries had an effect: violations %d, messages %d → %d, notes %d → %d",
			len(st.Violations), events, st.Events, notes, len(e.actions(tid)))
	}
}

// reconcileNow triggers the reconciliation schedule and waits for its run-th run's result.
func (e *env) reconcileNow(t *testing.T, h client.ScheduleHandle, run int) (leadflow.ReconcileResult, *historypb.History) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatalf("triggering the reconciliation: %v", err)
	}
	for {
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatalf("describing the schedule: %v", err)
		}
		if len(d.Info.RecentActions) >= run {
			wf := d.Info.RecentActions[run-1].StartWorkflowResult
			var res leadflow.ReconcileResult
			if err := e.temporal.GetWorkflow(ctx, wf.WorkflowID, wf.FirstExecutionRunID).Get(ctx, &res); err != nil {
				t.Fatalf("reconciliation run %d: %v", run, err)
			}
			return res, historyOf(t, e.temporal, wf.WorkflowID, wf.FirstExecutionRunID)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the schedule started no run %d", run)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestReconciliationPicksUpMissedWebhooks: with no webhook registered, nothing an agent does in
// HaloPSA is delivered; the reconciliation schedule's next run reads what changed since its
// watermark and the lead adopts the status change and pins the edited ticket and user fields.
// A run with nothing changed costs a constant handful of requests and signals nothing.
func TestReconciliationPicksUpMissedWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{RateLimit: 3000})
	ctx := context.Background()
	e.importFiles(t, "first", oneLead(t, func(row string) string { return row }))
	leadID, tk := e.theLead(t)
	tid, uid := tk.ID(), tk.Int("user_id")
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == tid })
	if err := cli.EnsureReconcileSchedule(ctx, e.temporal, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := cli.EnsureReconcileSchedule(ctx, e.temporal, 2*time.Hour); err != nil { // again: re-timed
		t.Fatal(err)
	}
	h := e.temporal.ScheduleClient().GetHandle(ctx, leadflow.ReconcileScheduleID)
	first, _ := e.reconcileNow(t, h, 1)
	t.Logf("first run: %+v", first)

	const services, title = "Managed backup, per the agent", "Head of IT"
	edits := []error{
		e.sandbox.AgentEditTicket(tid, map[string]any{"status_id": e.statusID(t, lifecycle.Researching),
			"customfields": []any{e.cf(string(lead.ServicesOffered), services)}}),
		e.sandbox.AgentEditUser(uid, map[string]any{"title": title}),
	}
	for _, err := range edits {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.sandbox.WebhookDeliveries()); n != 0 {
		t.Fatalf("%d webhook deliveries, want none (no webhook is registered)", n)
	}
	second, hist := e.reconcileNow(t, h, 2)
	t.Logf("run after the agent's edits: %+v", second)
	st := e.settled(t, leadID, func(st leadflow.LeadState) bool {
		return st.Status == lifecycle.Researching && st.IsPinned(lead.ServicesOffered) && st.IsPinned(lead.JobTitle)
	})
	if second.Signalled != 1 || len(st.Violations) != 0 {
		t.Errorf("reconciliation signalled %d leads, violations %+v; want 1 and none", second.Signalled, st.Violations)
	}
	third, _ := e.reconcileNow(t, h, 3)
	t.Logf("run with nothing changed: %+v", third)
	if third.Signalled != 0 || third.Requests > 8 {
		t.Errorf("a run with nothing changed signalled %d and made %d requests; want 0 and a handful", third.Signalled, third.Requests)
	}
	recordOnce(t, "reconcile_run.json", hist)

	// An import's own writes are not taken for a person's: the next run reads nothing back.
	e.importFiles(t, "second", oneLead(t, func(row string) string { return strings.Replace(row, ",240,food", ",260,food", 1) }))
	fourth, _ := e.reconcileNow(t, h, 4)
	t.Logf("run after a re-import: %+v", fourth)
	if fourth.Signalled != 0 || fourth.Own == 0 || fourth.Requests > 8 {
		t.Errorf("after a re-import the run signalled %d, skipped %d own writes, made %d requests; want 0, some, a handful",
			fourth.Signalled, fourth.Own, fourth.Requests)
	}
}

// TestMergedTicketFollowsSurvivor: an agent merges the lead's ticket into another ticket of the
// person; the lead follows the survivor (its id in the workflow and in the store) and adopts
// the survivor's status, and later changes to the survivor reach it.
func TestMergedTicketFollowsSurvivor(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{Webhook: true, RateLimit: 3000})
	ctx := context.Background()
	e.importFiles(t, "first", oneLead(t, func(row string) string { return row }))
	leadID, tk := e.theLead(t)
	old := tk.ID()
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == old })
	saved, err := e.halo.SaveTickets(ctx, []halopsa.Ticket{{Summary: "Call back about backups",
		TicketTypeID: halopsa.ID(tk.Int("tickettype_id")), StatusID: halopsa.ID(e.statusID(t, lifecycle.Researching)),
		UserID: halopsa.ID(tk.Int("user_id")), ClientID: halopsa.ID(tk.Int("client_id")), SiteID: halopsa.ID(tk.Int("site_id"))}})
	if err != nil {
		t.Fatal(err)
	}
	survivor := int(saved[0].ID)
	if err := e.sandbox.AgentMergeTicket(old, survivor); err != nil {
		t.Fatal(err)
	}
	st := e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == survivor })
	if st.Status != lifecycle.Researching || len(st.Violations) != 0 {
		t.Errorf("after the merge: status %s, violations %+v; want the survivor's Researching", st.Status, st.Violations)
	}
	if got, ok, _ := e.store.LeadOfTicket(ctx, survivor); !ok || got != leadID {
		t.Errorf("store maps the survivor to %q, want %s", got, leadID)
	}
	if err := e.sandbox.AgentEditTicketStatus(survivor, e.statusID(t, lifecycle.Contacted)); err != nil {
		t.Fatal(err)
	}
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Status == lifecycle.Contacted })
}

// TestTenantStatuses: HaloPSA's own statuses go through LEAD_STATUS_MAP: the default maps
// Closed to the closing status of the lead's stage (a contacted lead becomes No Interest); a
// status nothing maps is reported (a violation and a note) and the lead keeps its status.
func TestTenantStatuses(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e, leadID, tid := newLandedLead(t)
	for _, to := range []string{"researching", "contacted"} {
		if out, code := e.leadCLI("lead", "transition", leadID, "--to", to); code != 0 {
			t.Fatalf("transition to %s: exit %d: %s", to, code, out)
		}
	}
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Status == lifecycle.Contacted })

	const waitingOnSupplier = 5 // a seeded tenant status nothing maps
	if err := e.sandbox.AgentEditTicketStatus(tid, waitingOnSupplier); err != nil {
		t.Fatal(err)
	}
	st := e.settled(t, leadID, func(st leadflow.LeadState) bool { return len(st.Violations) == 1 })
	if st.Status != lifecycle.Contacted || st.Violations[0].To != "Waiting on Supplier" {
		t.Errorf("after an unmapped status: %s, violation %+v; want Contacted and a report", st.Status, st.Violations[0])
	}
	if err := e.sandbox.AgentEditTicketStatus(tid, halosandbox.ClosedStatusID); err != nil {
		t.Fatal(err)
	}
	st = e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Status == lifecycle.NoInterest })
	if len(st.Violations) != 1 {
		t.Errorf("closing the lead in HaloPSA was judged a violation: %+v", st.Violations)
	}
	e.waitAction(t, tid, `HaloPSA status "Waiting on Supplier" is not one of the lifecycle's`)
}
