package pipeline_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"haloleads/activities"
	"haloleads/internal/cli"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/tenant"
)

var update = flag.Bool("update", false, "record the lead workflow history into workflows/testdata")

// oneLead writes an Apollo export holding only the sample's first person, with edit applied to
// that row's text.
func oneLead(t *testing.T, edit func(row string) string) string {
	t.Helper()
	data, err := os.ReadFile(samples(t, "apollo.csv")[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n", 3)
	path := filepath.Join(t.TempDir(), "apollo-one.csv")
	if err := os.WriteFile(path, []byte(lines[0]+"\n"+edit(lines[1])+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// theLead finds the one lead ticket in the sandbox and the lead it belongs to.
func (e *env) theLead(t *testing.T) (string, halosandbox.Record) {
	t.Helper()
	for _, tk := range e.sandbox.Tickets() {
		if tk.Int("user_id") == 0 {
			continue
		}
		id, ok, err := e.store.LeadOfTicket(context.Background(), tk.ID())
		if err != nil || !ok {
			t.Fatalf("lead of ticket %d: %v (found %v)", tk.ID(), err, ok)
		}
		return id, tk
	}
	t.Fatal("no lead ticket in the sandbox")
	return "", nil
}

// ticket re-reads a sandbox ticket.
func (e *env) ticket(t *testing.T, id int) halosandbox.Record {
	t.Helper()
	for _, tk := range e.sandbox.Tickets() {
		if tk.ID() == id {
			return tk
		}
	}
	t.Fatalf("ticket %d is gone", id)
	return nil
}

// statusOf names a ticket's type and status as haloleads knows them.
func (e *env) statusOf(tk halosandbox.Record) (string, lifecycle.Status) {
	typeKey := ""
	for k, id := range e.tenant.TicketTypes {
		if int(id) == tk.Int("tickettype_id") {
			typeKey = k
		}
	}
	for name, id := range e.tenant.Statuses[typeKey] {
		if int(id) == tk.Int("status_id") {
			s, _ := lifecycle.ParseStatus(name)
			return typeKey, s
		}
	}
	return typeKey, ""
}

// customField is the display text of a ticket's custom field.
func (e *env) customField(tk halosandbox.Record, logical string) string {
	list, _ := tk["customfields"].([]any)
	for _, cf := range list {
		m, _ := cf.(map[string]any)
		if halosandbox.Record(m).Int("id") == int(e.tenant.Fields[logical]) {
			return halosandbox.Record(m).String("display")
		}
	}
	return ""
}

// actions lists a ticket's actions as "outcome: note".
func (e *env) actions(ticketID int) []string {
	var out []string
	for _, a := range e.sandbox.Actions() {
		if a.Int("ticket_id") == ticketID {
			out = append(out, a.String("outcome")+": "+a.String("note"))
		}
	}
	return out
}

// newLandedLead starts a world with the webhook receiver and a roomy rate limit, imports one
// lead and waits until its workflow knows its ticket: it returns the world, the lead and the
// ticket.
func newLandedLead(t *testing.T) (*env, string, int) {
	t.Helper()
	e := newEnvWith(t, envOptions{Webhook: true, RateLimit: 3000})
	e.importFiles(t, "first", oneLead(t, func(row string) string { return row }))
	leadID, tk := e.theLead(t)
	tid := tk.ID()
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == tid })
	return e, leadID, tid
}

// waitAction waits until one of a ticket's actions contains want ("" for any action) and returns
// the actions: rule-violation notes are written by a timer-driven flush, after the lead's state
// has changed.
func (e *env) waitAction(t *testing.T, ticketID int, want string) []string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		acts := e.actions(ticketID)
		for _, a := range acts {
			if strings.Contains(a, want) {
				return acts
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticket %d has no action containing %q among %q", ticketID, want, acts)
		}
	}
}

// leadCLI runs the starter CLI against the embedded server and returns its output and exit code.
func (e *env) leadCLI(args ...string) (string, int) {
	var out bytes.Buffer
	getenv := func(k string) string {
		return map[string]string{"TEMPORAL_ADDRESS": e.hostPort, "TEMPORAL_NAMESPACE": e.namespace}[k]
	}
	code := cli.Run(args, cli.IO{Stdout: &out, Stderr: &out, Getenv: getenv})
	return out.String(), code
}

// history returns a lead workflow's current run's history.
func (e *env) history(t *testing.T, leadID string) *historypb.History {
	t.Helper()
	it := e.temporal.GetWorkflowHistory(context.Background(), leadflow.LeadWorkflowID(leadID), "", false,
		enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("reading history of %s: %v", leadID, err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

// leadState queries a lead workflow.
func (e *env) leadState(t *testing.T, leadID string) leadflow.LeadState {
	t.Helper()
	v, err := e.temporal.QueryWorkflow(context.Background(), leadflow.LeadWorkflowID(leadID), "", leadflow.QueryState)
	if err != nil {
		t.Fatalf("querying %s: %v", leadID, err)
	}
	var st leadflow.LeadState
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// settled waits until the sandbox has delivered every webhook and the lead has handled them:
// its state no longer changes between two queries (signals are handled in order).
func (e *env) settled(t *testing.T, leadID string, ok func(leadflow.LeadState) bool) leadflow.LeadState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.sandbox.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		st := e.leadState(t, leadID)
		if ok(st) {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("lead %s never reached the expected state; last %+v", leadID, st)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestLeadLifecycleThroughCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e, leadID, tid := newLandedLead(t)
	events := len(e.history(t, leadID).Events)
	t.Logf("history events after one import: %d", events)

	steps := []struct {
		args       []string
		wantType   string
		wantStatus lifecycle.Status
		wantFields map[string]string // custom fields by logical name
		wantOpp    map[string]string // the ticket's opp* fields
	}{
		{args: []string{"transition", leadID, "--to", "researching"}, wantType: tenant.Lead, wantStatus: lifecycle.Researching},
		{args: []string{"transition", leadID, "--to", "Contacted", "--note", "first call booked"}, wantType: tenant.Lead, wantStatus: lifecycle.Contacted},
		{args: []string{"log-call", leadID, "--outcome", "interested", "--duration", "420", "--agent", "Sam", "--at", "2026-05-04T15:00:00Z"},
			wantType: tenant.Lead, wantStatus: lifecycle.Engaged},
		{args: []string{"promote", leadID}, wantType: tenant.Prospect, wantStatus: lifecycle.NewProspect},
		{args: []string{"transition", leadID, "--to", "prospecting"}, wantType: tenant.Prospect, wantStatus: lifecycle.Prospecting},
		{args: []string{"set-data", leadID, "--pain-points", "weekly outages", "--qualified-services", "Managed IT",
			"--decision-maker", "the CFO", "--budget", "$2-3k/month", "--timeframe", "Q3", "--fit", "85"},
			wantType: tenant.Prospect, wantStatus: lifecycle.Prospecting,
			wantFields: map[string]string{tenant.FieldPainPoints: "weekly outages", tenant.FieldFitScore: "85"}},
		{args: []string{"transition", leadID, "--to", "qualified"}, wantType: tenant.Prospect, wantStatus: lifecycle.Qualified},
		{args: []string{"promote", leadID, "--value", "24000", "--products", "Managed IT", "--probability", "60",
			"--close-date", "2026-09-30", "--competitors", "Acme IT"},
			wantType: tenant.Opportunity, wantStatus: lifecycle.NewOpportunity,
			wantFields: map[string]string{tenant.FieldProductsServices: "Managed IT", tenant.FieldExpectedCloseDate: "2026-09-30",
				tenant.FieldPainPoints: "weekly outages"},
			wantOpp: map[string]string{"oppvalue": "24000", "oppconversionprobability": "60", "oppcompetitors": "Acme IT"}},
		{args: []string{"transition", leadID, "--to", "progressing"}, wantType: tenant.Opportunity, wantStatus: lifecycle.Progressing},
		{args: []string{"transition", leadID, "--to", "negotiation"}, wantType: tenant.Opportunity, wantStatus: lifecycle.Negotiation},
		{args: []string{"set-data", leadID, "--reason", "best response times"}, wantType: tenant.Opportunity, wantStatus: lifecycle.Negotiation,
			wantOpp: map[string]string{"oppvalue": "24000", "oppreason": "best response times"}},
		{args: []string{"transition", leadID, "--to", "won"}, wantType: tenant.Opportunity, wantStatus: lifecycle.Won,
			wantOpp: map[string]string{"oppvalue": "24000", "oppreason": "best response times"}},
	}
	for _, s := range steps {
		out, code := e.leadCLI(append([]string{"lead"}, s.args...)...)
		if code != 0 {
			t.Fatalf("lead %s: exit %d: %s", s.args[0], code, out)
		}
		st := e.settled(t, leadID, func(leadflow.LeadState) bool { return true })
		tk := e.ticket(t, tid)
		if typ, status := e.statusOf(tk); typ != s.wantType || status != s.wantStatus || st.Status != s.wantStatus {
			t.Errorf("after %v: ticket %s/%s, workflow %s; want %s/%s", s.args, typ, status, st.Status, s.wantType, s.wantStatus)
		}
		for f, want := range s.wantFields {
			if got := e.customField(tk, f); got != want {
				t.Errorf("after %v: custom field %s = %q, want %q", s.args, f, got, want)
			}
		}
		for f, want := range s.wantOpp {
			if got := tk.String(f); got != want {
				t.Errorf("after %v: %s = %q, want %q", s.args, f, got, want)
			}
		}
		n := len(e.history(t, leadID).Events)
		t.Logf("lead %-10s %-14s +%d history events", s.args[0], s.wantStatus, n-events)
		events = n
	}

	out, code := e.leadCLI("lead", "transition", leadID, "--to", "lost")
	if code == 0 || !strings.Contains(out, "Won is final") {
		t.Errorf("moving a won deal to Lost: exit %d, %q; want a refusal saying Won is final", code, out)
	}
	actions := e.actions(tid)
	if !slices.ContainsFunc(actions, func(a string) bool {
		return strings.HasPrefix(a, "interested: Outbound call on 2026-05-04 15:00 UTC") && strings.Contains(a, "by Sam")
	}) {
		t.Errorf("no call action for the logged call among %q", actions)
	}
	st := e.leadState(t, leadID)
	if len(st.Violations) > 0 || len(st.Pinned) > 0 {
		t.Errorf("haloleads' own writes came back as a person's changes: violations %+v, pinned %v", st.Violations, st.Pinned)
	}
	if *update {
		writeHistory(t, e.history(t, leadID))
	}
}

// writeHistory records a lead workflow history for workflows/replay_test.go.
func writeHistory(t *testing.T, h *historypb.History) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "workflows", "testdata", "lead_lifecycle.json")
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events into %s", len(h.Events), path)
}

func TestAgentEditsSurviveReimport(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{Webhook: true, RateLimit: 3000})
	e.importFiles(t, "first", oneLead(t, func(row string) string { return row }))
	leadID, tk := e.theLead(t)
	tid, uid := tk.ID(), tk.Int("user_id")
	e.settled(t, leadID, func(st leadflow.LeadState) bool { return st.Halo.TicketID == tid })

	// An agent edits the services, the status and the person's job title in HaloPSA.
	const services, title = "Tea blending and B2B catering, per Sam's call", "Head of Revenue"
	researching, _ := e.tenant.StatusID(activities.TypeKey(lifecycle.Lead), lifecycle.Researching.DisplayName())
	edits := []error{
		e.sandbox.AgentEditTicketCustomField(tid, int(e.tenant.Fields[string(lead.ServicesOffered)]), services),
		e.sandbox.AgentEditTicketStatus(tid, int(researching)),
		e.sandbox.AgentEditUser(uid, map[string]any{"title": title}),
	}
	for _, err := range edits {
		if err != nil {
			t.Fatalf("agent edit: %v", err)
		}
	}
	e.settled(t, leadID, func(st leadflow.LeadState) bool {
		return st.Status == lifecycle.Researching && st.IsPinned(lead.ServicesOffered)
	})

	// The provider has new values for both fields, and a new headcount; the re-import must
	// keep the agent's values, write the headcount and say so in its audit note.
	changed := oneLead(t, func(row string) string {
		row = strings.Replace(row, "Chief Revenue Officer", "Chief Growth Officer", 1)
		row = strings.Replace(row, ",240,food", ",260,food", 1)
		return strings.Replace(row, `"specialty tea, wholesale, food distribution"`, `"specialty tea, wholesale, food distribution, cafes, catering, subscriptions"`, 1)
	})
	sum := e.importFiles(t, "second", changed)
	if sum.LeadsUpdated != 1 {
		t.Errorf("re-import updated %d leads, want 1", sum.LeadsUpdated)
	}
	st := e.settled(t, leadID, func(leadflow.LeadState) bool { return true })
	tk = e.ticket(t, tid)
	if got := e.customField(tk, string(lead.ServicesOffered)); got != services {
		t.Errorf("services after re-import = %q, want the agent's %q", got, services)
	}
	if _, status := e.statusOf(tk); status != lifecycle.Researching || st.Status != lifecycle.Researching {
		t.Errorf("status after re-import: ticket %s, workflow %s; want Researching", status, st.Status)
	}
	users, err := e.halo.User(context.Background(), halopsa.ID(uid))
	if err != nil {
		t.Fatal(err)
	}
	if users.Title != title {
		t.Errorf("job title after re-import = %q, want the agent's %q", users.Title, title)
	}
	var audit string
	for _, a := range e.actions(tid) {
		if strings.Contains(a, "haloleads import:") {
			audit = a
		}
	}
	for _, want := range []string{"Updated: Employees.", "Preserved:", "Services Offered: pinned by a person",
		"Job Title: pinned by a person"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit note %q does not say %q", audit, want)
		}
	}
}
