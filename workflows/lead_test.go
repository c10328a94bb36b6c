package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"haloleads/activities"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/providers"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/workflows"
)

// halo is the HaloPSA side of a lead workflow test: the sandbox over HTTP, set up as haloleads
// needs it, our store, and the real HaloPSA activities the workflow calls.
type halo struct {
	sandbox *halosandbox.Server
	client  *halopsa.Client
	res     tenant.Result
	store   *store.Store
	acts    *activities.Halo
	// providers are the provider clients of the opt-out activities (withProviders).
	providers map[lead.Source]providers.Provider
}

func newHalo(t *testing.T) *halo {
	t.Helper()
	sb, err := halosandbox.New(halosandbox.Options{RateLimit: -1})
	if err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	c, err := halopsa.New(halopsa.Config{
		BaseURL: hs.URL, ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret,
	})
	if err != nil {
		t.Fatalf("halopsa client: %v", err)
	}
	res, err := tenant.Apply(context.Background(), c, tenant.DefaultSpec())
	if err != nil {
		t.Fatalf("tenant set-up: %v", err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "haloleads.db"))
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	tn := &activities.Tenant{Client: c, Spec: tenant.DefaultSpec()}
	tn.Set(res)
	return &halo{sandbox: sb, client: c, res: res, store: st,
		acts: &activities.Halo{Client: c, Tenant: tn, Store: st}}
}

// dana is the lead most tests follow.
func dana() lead.Lead {
	return lead.Lead{
		ID: "lead-dana",
		Values: lead.Values{
			lead.FirstName: "Dana", lead.LastName: "Okafor", lead.Email: "dana@brightkettle.example.com",
			lead.JobTitle: "Chief Revenue Officer", lead.Company: "Bright Kettle Foods",
			lead.LeadSource: "apollo", lead.ServicesOffered: "specialty tea", lead.Department: "Sales",
			lead.Employees: "240",
		},
		Sources: []lead.Source{lead.Apollo},
		Keys:    []string{"email:dana@brightkettle.example.com"},
		Quality: 60,
	}
}

// seedLead writes the client, user and lead ticket of l as an import would, and returns the
// Landed signal the import then sends.
func (h *halo) seedLead(t *testing.T, l lead.Lead, fit int) leadflow.Landed {
	t.Helper()
	ctx := context.Background()
	cs, err := h.client.SaveCustomers(ctx, []halopsa.Customer{landing.Customer(l.Values)})
	if err != nil {
		t.Fatalf("seeding client: %v", err)
	}
	ids := leadflow.HaloIDs{ClientID: int(cs[0].ID), SiteID: int(cs[0].MainSiteID)}
	if ids.SiteID == 0 {
		sites, err := h.client.SaveSites(ctx, []halopsa.Site{landing.MainSite(ids.ClientID, l.Values)})
		if err != nil {
			t.Fatalf("seeding site: %v", err)
		}
		ids.SiteID = int(sites[0].ID)
	}
	us, err := h.client.SaveUsers(ctx, []halopsa.User{landing.User(0, ids.ClientID, ids.SiteID, l.Values)})
	if err != nil {
		t.Fatalf("seeding user: %v", err)
	}
	ids.UserID = int(us[0].ID)
	cfs, err := h.acts.Tenant.TicketFields(ctx, landing.TicketFieldValues(l.Values, l.Quality, fit))
	if err != nil {
		t.Fatalf("building custom fields: %v", err)
	}
	newLead, _ := h.res.StatusID(tenant.Lead, lifecycle.NewLead.DisplayName())
	ts, err := h.client.SaveTickets(ctx, []halopsa.Ticket{{
		Summary: landing.Summary(l.Values), TicketTypeID: h.res.TicketTypes[tenant.Lead], StatusID: newLead,
		ClientID: halopsa.ID(ids.ClientID), SiteID: halopsa.ID(ids.SiteID), UserID: halopsa.ID(ids.UserID),
		CustomFields: cfs,
	}})
	if err != nil {
		t.Fatalf("seeding ticket: %v", err)
	}
	ids.TicketID = int(ts[0].ID)
	return leadflow.Landed{RunID: "seed", Halo: ids, Written: l.Values, Status: lifecycle.NewLead}
}

// ticket returns the sandbox's ticket.
func (h *halo) ticket(t *testing.T, id int) halosandbox.Record {
	t.Helper()
	for _, tk := range h.sandbox.Tickets() {
		if tk.ID() == id {
			return tk
		}
	}
	t.Fatalf("ticket %d not in the sandbox", id)
	return nil
}

// status is the lifecycle status the sandbox's ticket is in.
func (h *halo) status(t *testing.T, id int) lifecycle.Status {
	t.Helper()
	sid := halopsa.ID(h.ticket(t, id).Int("status_id"))
	for _, byName := range h.res.Statuses {
		for name, id := range byName {
			if id == sid {
				s, _ := lifecycle.ParseStatus(name)
				return s
			}
		}
	}
	return ""
}

// notes are the texts of the actions on a ticket, in order.
func (h *halo) notes(id int) []string {
	var out []string
	for _, a := range h.sandbox.Actions() {
		if a.Int("ticket_id") == id {
			out = append(out, a.String("outcome")+": "+a.String("note"))
		}
	}
	return out
}

// reply is what became of one update: rejected by its validator, or completed.
type reply struct {
	rejected, err error
	value         json.RawMessage
	done          bool
}

// state decodes a completed update's answer as a lead state.
func (r *reply) state(t *testing.T) leadflow.LeadState {
	t.Helper()
	var st leadflow.LeadState
	if err := json.Unmarshal(r.value, &st); err != nil {
		t.Fatalf("decoding update answer: %v", err)
	}
	return st
}

// leadTest runs the lead workflow in the SDK test suite against the sandbox, one step per
// simulated minute; a step's activities finish before the next step starts.
type leadTest struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	halo  *halo
	steps []func()
}

func newLeadTest(t *testing.T, h *halo) *leadTest {
	t.Helper()
	s := &testsuite.WorkflowTestSuite{}
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	noDeadlockDetector(env)
	env.RegisterWorkflowWithOptions(workflows.Lead, workflow.RegisterOptions{Name: leadflow.LeadWorkflow})
	env.RegisterActivity(h.acts)
	env.RegisterActivity(h.optOuts())
	return &leadTest{t: t, env: env, halo: h}
}

// step runs f at the next step.
func (lt *leadTest) step(f func()) { lt.steps = append(lt.steps, f) }

// update sends an update at the next step.
func (lt *leadTest) update(name string, arg any) *reply {
	r := &reply{}
	lt.step(func() {
		lt.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { r.rejected, r.done = err, true },
			OnComplete: func(v any, err error) {
				r.err, r.done = err, true
				r.value, _ = json.Marshal(v)
			},
		}, arg)
	})
	return r
}

// signal sends a signal at the next step.
func (lt *leadTest) signal(name string, arg any) {
	lt.step(func() { lt.env.SignalWorkflow(name, arg) })
}

// query reads the state at the next step.
func (lt *leadTest) query() *leadflow.LeadState {
	st := &leadflow.LeadState{}
	lt.step(func() {
		v, err := lt.env.QueryWorkflow(leadflow.QueryState)
		if err != nil {
			lt.t.Errorf("query: %v", err)
			return
		}
		if err := v.Get(st); err != nil {
			lt.t.Errorf("decoding state: %v", err)
		}
	})
	return st
}

// run starts the workflow, plays the steps and cancels the workflow after the last one; it
// returns the workflow's error (a *workflow.ContinueAsNewError when it continued as new).
func (lt *leadTest) run(in leadflow.LeadInput) error {
	for i, f := range lt.steps {
		lt.env.RegisterDelayedCallback(f, time.Duration(i+1)*time.Minute)
	}
	lt.env.RegisterDelayedCallback(lt.env.CancelWorkflow, time.Duration(len(lt.steps)+1)*time.Minute)
	lt.env.ExecuteWorkflow(workflows.Lead, in)
	return lt.env.GetWorkflowError()
}

// at starts a lead that was landed and stands at status, with data.
func at(landed leadflow.Landed, status lifecycle.Status, data lifecycle.Data, settings leadflow.Settings) leadflow.LeadInput {
	l := dana()
	return leadflow.LeadInput{LeadID: l.ID, Settings: settings, State: &leadflow.LeadState{
		LeadID: l.ID, Lead: l, Stage: status.StageOf(), Status: status, Data: data, Halo: landed.Halo,
		Written: landed.Written, Fit: 80, Quality: l.Quality,
	}}
}

// mustDone fails the test when an update never finished.
func mustDone(t *testing.T, name string, r *reply) {
	t.Helper()
	if !r.done {
		t.Fatalf("%s: the update never finished", name)
	}
}

func TestLeadOfferAndLanded(t *testing.T) {
	t.Parallel()
	h := newHalo(t)
	lt := newLeadTest(t, h)
	l := dana()
	early := lt.update(leadflow.UpdateTransition, leadflow.TransitionRequest{To: lifecycle.Researching})
	first := lt.update(leadflow.UpdateOffer, leadflow.Offer{RunID: "r1", Lead: l, Fit: 80})
	afterOffer := lt.query()
	landed := h.seedLead(t, l, 80)
	written := leadflow.PlanOffer(&leadflow.LeadState{LeadID: l.ID, Status: lifecycle.NewLead}, leadflow.Offer{Lead: l, Fit: 80})
	landed.Segments, landed.Lists = written.Segments, written.Lists
	landed.RunID = "r1" // the signal answers the offer of run r1
	lt.signal(leadflow.SignalLanded, landed)
	afterLanded := lt.query()
	again := lt.update(leadflow.UpdateOffer, leadflow.Offer{RunID: "r2", Lead: l, Fit: 80, Halo: landed.Halo})
	wrong := lt.update(leadflow.UpdateOffer, leadflow.Offer{RunID: "r3", Lead: lead.Lead{ID: "someone-else"}})
	if err := lt.run(leadflow.LeadInput{LeadID: l.ID}); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow ended with %v, want cancellation", err)
	}

	mustDone(t, "early transition", early)
	if early.rejected == nil || !strings.Contains(early.rejected.Error(), "import it first") {
		t.Errorf("transition before the import: rejection %v, want 'import it first'", early.rejected)
	}
	var plan leadflow.Plan
	mustDone(t, "first offer", first)
	if err := json.Unmarshal(first.value, &plan); err != nil || first.err != nil {
		t.Fatalf("first offer: %v / %v", first.err, err)
	}
	if plan.Action != leadflow.ActionCreate || plan.Status != lifecycle.NewLead || !plan.StatusChanged {
		t.Errorf("new lead plan = %s %s (changed %v), want create New Lead", plan.Action, plan.Status, plan.StatusChanged)
	}
	if plan.Write[lead.Email] != l.Values[lead.Email] || plan.Owned[lead.Company] != l.Values[lead.Company] {
		t.Errorf("create plan writes %v, want every lead value", plan.Write)
	}
	if afterOffer.Halo.TicketID != 0 || afterOffer.Lead.ID != l.ID || afterOffer.Fit != 80 {
		t.Errorf("state after offer: %+v", afterOffer)
	}
	if afterLanded.Halo != landed.Halo || afterLanded.Status != lifecycle.NewLead ||
		afterLanded.Written[lead.Email] != l.Values[lead.Email] {
		t.Errorf("state after landed: halo %+v status %s, want %+v New Lead", afterLanded.Halo, afterLanded.Status, landed.Halo)
	}
	mustDone(t, "second offer", again)
	if err := json.Unmarshal(again.value, &plan); err != nil {
		t.Fatalf("second offer: %v", err)
	}
	if plan.Action != leadflow.ActionNone || plan.Halo != landed.Halo {
		t.Errorf("re-offer of an unchanged lead = %s with %+v, want none with the landed ids", plan.Action, plan.Halo)
	}
	mustDone(t, "wrong offer", wrong)
	if wrong.rejected == nil || !strings.Contains(wrong.rejected.Error(), "sent to lead lead-dana") {
		t.Errorf("offer for another lead: rejection %v", wrong.rejected)
	}
}

func TestLeadTransition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		from       lifecycle.Status
		data       lifecycle.Data
		to         lifecycle.Status
		wantReject string
	}{
		{"next step", lifecycle.NewLead, lifecycle.Data{}, lifecycle.Researching, ""},
		{"skipping a step", lifecycle.NewLead, lifecycle.Data{}, lifecycle.Contacted,
			"cannot move from New Lead to Contacted: not an allowed transition; allowed: Researching, Do Not Contact"},
		{"promotion is not a transition", lifecycle.Engaged, lifecycle.Data{}, lifecycle.NewProspect,
			"this is a promotion (Convert to Prospect), not a status change"},
		{"qualified without criteria", lifecycle.Prospecting, lifecycle.Data{}, lifecycle.Qualified,
			"missing Confirmed Pain Points, Qualified Services, Decision Maker, Budget Range, Timeframe"},
		{"won without a reason (optional in the design doc)", lifecycle.Negotiation, lifecycle.Data{Opportunity: opportunity("")}, lifecycle.Won,
			""},
		{"won with a reason", lifecycle.Negotiation, lifecycle.Data{Opportunity: opportunity("best uptime")}, lifecycle.Won, ""},
		{"opted out", lifecycle.Researching, lifecycle.Data{DoNotContact: true}, lifecycle.Contacted,
			"the person has opted out; the only allowed move is to Do Not Contact"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHalo(t)
			landed := h.seedAt(t, tc.from)
			lt := newLeadTest(t, h)
			r := lt.update(leadflow.UpdateTransition, leadflow.TransitionRequest{To: tc.to, Note: "by test"})
			lt.run(at(landed, tc.from, tc.data, leadflow.Settings{}))
			mustDone(t, "transition", r)
			tid := landed.Halo.TicketID
			if tc.wantReject != "" {
				if r.rejected == nil || !strings.Contains(r.rejected.Error(), tc.wantReject) {
					t.Fatalf("rejection = %v, want %q", r.rejected, tc.wantReject)
				}
				if got := h.status(t, tid); got != tc.from {
					t.Errorf("a refused transition wrote status %s to HaloPSA", got)
				}
				return
			}
			if r.rejected != nil || r.err != nil {
				t.Fatalf("transition failed: %v / %v", r.rejected, r.err)
			}
			if st := r.state(t); st.Status != tc.to {
				t.Errorf("workflow status = %s, want %s", st.Status, tc.to)
			}
			if got := h.status(t, tid); got != tc.to {
				t.Errorf("HaloPSA status = %s, want %s", got, tc.to)
			}
			if notes := h.notes(tid); len(notes) != 1 || !strings.Contains(notes[0], "by test") {
				t.Errorf("ticket notes = %q, want the transition's note", notes)
			}
		})
	}
}

func opportunity(reason string) lifecycle.OpportunityData {
	return lifecycle.OpportunityData{Value: 24000, ProductsServices: "Managed IT", Probability: 60,
		ExpectedClose: "2026-09-30", WinLossReason: reason}
}

func qualification() lifecycle.QualificationData {
	return lifecycle.QualificationData{PainPoints: "outages", QualifiedServices: "Managed IT",
		DecisionMaker: "Dana Okafor", BudgetRange: "$2-3k/month", Timeframe: "Q3", FitScore: 85}
}

func TestLeadPromote(t *testing.T) {
	t.Parallel()
	q, o := qualification(), opportunity("")
	tests := []struct {
		name       string
		from       lifecycle.Status
		data       lifecycle.Data
		req        leadflow.PromoteRequest
		wantReject string
		want       lifecycle.Status
		wantType   string
	}{
		{"engaged to prospect", lifecycle.Engaged, lifecycle.Data{}, leadflow.PromoteRequest{}, "", lifecycle.NewProspect, tenant.Prospect},
		{"contacted cannot convert", lifecycle.Contacted, lifecycle.Data{}, leadflow.PromoteRequest{},
			"only Engaged leads convert to prospects", "", ""},
		{"qualified without opportunity data", lifecycle.Qualified, lifecycle.Data{Qualification: q}, leadflow.PromoteRequest{},
			"missing Opportunity Value, Products/Services, Probability %, Expected Close Date", "", ""},
		{"qualified with opportunity data", lifecycle.Qualified, lifecycle.Data{Qualification: q},
			leadflow.PromoteRequest{Opportunity: &o}, "", lifecycle.NewOpportunity, tenant.Opportunity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHalo(t)
			landed := h.seedAt(t, tc.from)
			lt := newLeadTest(t, h)
			r := lt.update(leadflow.UpdatePromote, tc.req)
			lt.run(at(landed, tc.from, tc.data, leadflow.Settings{}))
			mustDone(t, "promote", r)
			tk := h.ticket(t, landed.Halo.TicketID)
			if tc.wantReject != "" {
				if r.rejected == nil || !strings.Contains(r.rejected.Error(), tc.wantReject) {
					t.Fatalf("rejection = %v, want %q", r.rejected, tc.wantReject)
				}
				if tk.Int("tickettype_id") != int(h.res.TicketTypes[activities.TypeKey(tc.from.StageOf())]) {
					t.Errorf("a refused promotion changed the ticket type")
				}
				return
			}
			if r.rejected != nil || r.err != nil {
				t.Fatalf("promote failed: %v / %v", r.rejected, r.err)
			}
			st := r.state(t)
			if st.Status != tc.want || st.Stage != tc.want.StageOf() {
				t.Errorf("workflow at %s/%s, want %s", st.Stage, st.Status, tc.want)
			}
			// The stage it entered, a step after the one it started in (changeStageTimes).
			if n := len(st.Stages); n != 2 || st.Stages[0].Stage != tc.from.StageOf() || st.Stages[1].Stage != tc.want.StageOf() ||
				st.Stages[1].Entered.Sub(st.Stages[0].Entered) != time.Minute {
				t.Errorf("stages recorded: %+v, want %s then %s a minute later", st.Stages, tc.from.StageOf(), tc.want.StageOf())
			}
			if tk.Int("tickettype_id") != int(h.res.TicketTypes[tc.wantType]) || h.status(t, landed.Halo.TicketID) != tc.want {
				t.Errorf("ticket type %d status %s, want %s %s", tk.Int("tickettype_id"), h.status(t, landed.Halo.TicketID), tc.wantType, tc.want)
			}
			if tc.want == lifecycle.NewOpportunity && tk.String("oppvalue") != "24000" {
				t.Errorf("oppvalue = %q, want 24000", tk.String("oppvalue"))
			}
		})
	}
}

func TestLeadLogCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		from    lifecycle.Status
		outcome string
		want    lifecycle.Status
	}{
		{"interested while researching", lifecycle.Researching, "Interested", lifecycle.Engaged},
		{"connected", lifecycle.NewLead, "connected", lifecycle.Contacted},
		{"not interested", lifecycle.Contacted, "not interested", lifecycle.NoInterest},
		{"no answer changes nothing", lifecycle.Contacted, "no answer", lifecycle.Contacted},
		{"bad number", lifecycle.Researching, "wrong number", lifecycle.InvalidData},
		{"do not call", lifecycle.Contacted, "Do-Not-Call", lifecycle.DoNotContact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHalo(t)
			landed := h.seedAt(t, tc.from)
			lt := newLeadTest(t, h)
			call := lifecycle.Call{At: time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC), Direction: lifecycle.Outbound,
				Outcome: tc.outcome, DurationSeconds: 180, Agent: "Sam"}
			bad := lt.update(leadflow.UpdateLogCall, lifecycle.Call{Direction: "sideways"})
			r := lt.update(leadflow.UpdateLogCall, call)
			lt.run(at(landed, tc.from, lifecycle.Data{}, leadflow.Settings{}))
			mustDone(t, "bad call", bad)
			if bad.rejected == nil || !strings.Contains(bad.rejected.Error(), "the call time is missing") {
				t.Errorf("invalid call: rejection %v", bad.rejected)
			}
			mustDone(t, "log-call", r)
			if r.rejected != nil || r.err != nil {
				t.Fatalf("log-call failed: %v / %v", r.rejected, r.err)
			}
			st := r.state(t)
			if st.Status != tc.want || st.Calls != 1 {
				t.Errorf("after the call: %s with %d calls, want %s with 1", st.Status, st.Calls, tc.want)
			}
			tid := landed.Halo.TicketID
			if got := h.status(t, tid); got != tc.want {
				t.Errorf("HaloPSA status = %s, want %s", got, tc.want)
			}
			notes := h.notes(tid)
			if len(notes) == 0 || !strings.HasPrefix(notes[0], tc.outcome+": Outbound call on 2026-05-04 15:00 UTC") {
				t.Errorf("call action = %q, want the call with outcome %q", notes, tc.outcome)
			}
			suppressed, err := h.store.Suppressed(context.Background(), dana().Keys)
			if err != nil {
				t.Fatal(err)
			}
			if (len(suppressed) > 0) != (tc.want == lifecycle.DoNotContact) {
				t.Errorf("suppression list holds %d entries for the person after %q", len(suppressed), tc.outcome)
			}
		})
	}
}

func TestLeadHaloChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		from       lifecycle.Status
		seen       lifecycle.Status
		onViolate  lifecycle.OnViolation
		wantStatus lifecycle.Status // the workflow's status afterwards
		wantHalo   lifecycle.Status // HaloPSA's status afterwards
		wantAction string           // the violation recorded, "" for none
		wantNote   string
	}{
		{"allowed change adopted", lifecycle.NewLead, lifecycle.Researching, "", lifecycle.Researching, lifecycle.Researching, "", ""},
		{"opt-out adopted from anywhere", lifecycle.Engaged, lifecycle.DoNotContact, "", lifecycle.DoNotContact, lifecycle.DoNotContact, "", ""},
		{"skipped steps flagged", lifecycle.NewLead, lifecycle.Engaged, "", lifecycle.NewLead, lifecycle.Engaged, "flag",
			"this status change breaks the sales process"},
		{"skipped steps reverted", lifecycle.NewLead, lifecycle.Engaged, lifecycle.Revert, lifecycle.NewLead, lifecycle.NewLead, "revert",
			"haloleads reverted the status from Engaged to New Lead"},
		{"leaving Do Not Contact always reverted", lifecycle.DoNotContact, lifecycle.Researching, "", lifecycle.DoNotContact,
			lifecycle.DoNotContact, "revert", "Do Not Contact is permanent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHalo(t)
			landed := h.seedAt(t, tc.from)
			tid := landed.Halo.TicketID
			lt := newLeadTest(t, h)
			lt.step(func() { h.setStatus(t, tid, tc.seen) }) // the agent's edit in HaloPSA
			change := leadflow.HaloChange{EventID: "ev-1", TicketID: tid, Status: tc.seen}
			lt.signal(leadflow.SignalHaloChange, change)
			lt.signal(leadflow.SignalHaloChange, change) // a redelivered webhook
			st := lt.query()
			if err := lt.run(at(landed, tc.from, lifecycle.Data{}, leadflow.Settings{Lifecycle: lifecycle.Config{OnViolation: tc.onViolate}})); !temporal.IsCanceledError(err) {
				t.Fatalf("workflow ended with %v, want cancellation", err)
			}
			if st.Status != tc.wantStatus {
				t.Errorf("workflow status = %s, want %s", st.Status, tc.wantStatus)
			}
			if got := h.status(t, tid); got != tc.wantHalo {
				t.Errorf("HaloPSA status = %s, want %s", got, tc.wantHalo)
			}
			switch {
			case tc.wantAction == "" && len(st.Violations) > 0:
				t.Errorf("violations %+v, want none", st.Violations)
			case tc.wantAction != "" && (len(st.Violations) != 1 || st.Violations[0].Action != tc.wantAction):
				t.Errorf("violations %+v, want one %s", st.Violations, tc.wantAction)
			}
			notes := strings.Join(h.notes(tid), "\n")
			if tc.wantNote != "" && !strings.Contains(notes, tc.wantNote) {
				t.Errorf("ticket notes %q, want %q", notes, tc.wantNote)
			}
		})
	}
}

// seedAt seeds Dana's lead with its ticket at status, of that status's stage.
func (h *halo) seedAt(t *testing.T, s lifecycle.Status) leadflow.Landed {
	t.Helper()
	landed := h.seedLead(t, dana(), 80)
	if s.StageOf() != lifecycle.Lead {
		err := h.sandbox.AgentEditTicket(landed.Halo.TicketID, map[string]any{
			"tickettype_id": h.res.TicketTypes[activities.TypeKey(s.StageOf())]})
		if err != nil {
			t.Fatalf("seeding the ticket type: %v", err)
		}
	}
	h.setStatus(t, landed.Halo.TicketID, s)
	return landed
}

// setStatus puts a ticket in a status directly, as the sandbox's state before a test step.
func (h *halo) setStatus(t *testing.T, ticketID int, s lifecycle.Status) {
	t.Helper()
	sid, ok := h.res.StatusID(activities.TypeKey(s.StageOf()), s.DisplayName())
	if !ok {
		t.Fatalf("status %s is not set up", s)
	}
	if err := h.sandbox.AgentEditTicketStatus(ticketID, int(sid)); err != nil {
		t.Fatalf("setting status %s: %v", s, err)
	}
}

func TestLeadDoNotContactSticks(t *testing.T) {
	t.Parallel()
	h := newHalo(t)
	landed := h.seedLead(t, dana(), 80)
	lt := newLeadTest(t, h)
	o := opportunity("")
	optOut := lt.update(leadflow.UpdateLogCall, lifecycle.Call{At: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC),
		Direction: lifecycle.Inbound, Outcome: "remove me"})
	transition := lt.update(leadflow.UpdateTransition, leadflow.TransitionRequest{To: lifecycle.Engaged})
	promote := lt.update(leadflow.UpdatePromote, leadflow.PromoteRequest{Opportunity: &o})
	call := lt.update(leadflow.UpdateLogCall, lifecycle.Call{At: time.Date(2026, 5, 5, 9, 0, 0, 0, time.UTC),
		Direction: lifecycle.Outbound, Outcome: "interested"})
	lt.step(func() { h.setStatus(t, landed.Halo.TicketID, lifecycle.Contacted) })
	lt.signal(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "agent", TicketID: landed.Halo.TicketID, Status: lifecycle.Contacted})
	reimport := lt.update(leadflow.UpdateOffer, leadflow.Offer{RunID: "again", Lead: dana(), Fit: 80, Halo: landed.Halo})
	st := lt.query()
	lt.run(at(landed, lifecycle.Contacted, lifecycle.Data{}, leadflow.Settings{}))

	for name, r := range map[string]*reply{"opt-out call": optOut, "call after": call, "re-import": reimport} {
		mustDone(t, name, r)
		if r.rejected != nil || r.err != nil {
			t.Errorf("%s failed: %v / %v", name, r.rejected, r.err)
		}
	}
	for name, r := range map[string]*reply{"transition": transition, "promote": promote} {
		mustDone(t, name, r)
		if r.rejected == nil {
			t.Errorf("%s out of Do Not Contact was accepted", name)
		}
	}
	if transition.rejected != nil && !strings.Contains(transition.rejected.Error(), "Do Not Contact is permanent") {
		t.Errorf("transition refused with %q, want the reason Do Not Contact is permanent", transition.rejected)
	}
	if st.Status != lifecycle.DoNotContact || !st.Data.DoNotContact || len(st.Lists) > 0 {
		t.Errorf("state %s (opted out %v, lists %v), want Do Not Contact in no list", st.Status, st.Data.DoNotContact, st.Lists)
	}
	if got := h.status(t, landed.Halo.TicketID); got != lifecycle.DoNotContact {
		t.Errorf("HaloPSA status = %s after the agent's change, want it reverted to Do Not Contact", got)
	}
	var plan leadflow.Plan
	if err := json.Unmarshal(reimport.value, &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Status != lifecycle.DoNotContact || !plan.DoNotContact || plan.Owned[lead.DoNotContact] != "true" {
		t.Errorf("re-import plan: status %s, opt-out %v, flag %q; want Do Not Contact kept", plan.Status, plan.DoNotContact, plan.Owned[lead.DoNotContact])
	}
}

func TestLeadContinuesAsNew(t *testing.T) {
	t.Parallel()
	const signals, batch = 3000, 100
	h := newHalo(t)
	landed := h.seedLead(t, dana(), 80)
	tid := landed.Halo.TicketID
	batches := make([][]leadflow.HaloChange, 0, signals/batch)
	for i := range signals {
		c := leadflow.HaloChange{EventID: fmt.Sprintf("ev-%d", i), TicketID: tid,
			Values: lead.Values{lead.ServicesOffered: "specialty tea"}}
		switch i {
		case 10:
			c.Status = lifecycle.Researching // an agent's allowed change, adopted
		case 20:
			c.Values = lead.Values{lead.ServicesOffered: "tea, coffee and catering"} // an agent's edit, pinned
		}
		if i%batch == 0 {
			batches = append(batches, nil)
		}
		batches[len(batches)-1] = append(batches[len(batches)-1], c)
	}
	in := at(landed, lifecycle.NewLead, lifecycle.Data{}, leadflow.Settings{})
	first := newLeadTest(t, h)
	for _, b := range batches {
		first.step(func() {
			for _, c := range b {
				first.env.SignalWorkflow(leadflow.SignalHaloChange, c)
			}
		})
	}
	err := first.run(in)
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("after %d signals the workflow ended with %v, want Continue-As-New", signals, err)
	}
	var next leadflow.LeadInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatalf("decoding the carried input: %v", err)
	}
	carried := next.State
	if carried == nil || carried.Runs != 1 || carried.Events < 2000 || carried.Events >= signals {
		t.Fatalf("carried state %+v, want 1 run and between 2,000 and %d events", carried, signals)
	}
	t.Logf("continued as new after %d events", carried.Events)

	second := newLeadTest(t, h)
	for _, b := range batches[carried.Events/batch:] {
		second.step(func() {
			for _, c := range b {
				second.env.SignalWorkflow(leadflow.SignalHaloChange, c)
			}
		})
	}
	st := second.query()
	second.run(next)
	if st.Events != signals || st.Runs != 1 {
		t.Errorf("after every signal: %d events over %d runs, want %d over 1", st.Events, st.Runs, signals)
	}
	if st.Status != lifecycle.Researching || st.Halo != landed.Halo || !st.IsPinned(lead.ServicesOffered) ||
		st.Lead.ID != dana().ID || len(st.SeenEvents) != 64 {
		t.Errorf("state after Continue-As-New: status %s, halo %+v, pinned %v, %d seen events",
			st.Status, st.Halo, st.Pinned, len(st.SeenEvents))
	}
}

// TestLeadLandedAppliesOnlyToItsOffer: a transition accepted while an import offer is out waits
// for the offer to land, a "landed" of another run changes only ids, and the plan's status
// never undoes the transition (it used to: the late signal reverted the lead while HaloPSA
// kept the transition). An abandoned batch releases the lead.
func TestLeadLandedAppliesOnlyToItsOffer(t *testing.T) {
	t.Parallel()
	h := newHalo(t)
	landed := h.seedLead(t, dana(), 80)
	lt := newLeadTest(t, h)
	changed := dana()
	changed.Values = maps.Clone(changed.Values)
	changed.Values[lead.JobTitle] = "Chief Commercial Officer"
	offer := lt.update(leadflow.UpdateOffer, leadflow.Offer{RunID: "r1", Batch: 3, Lead: changed, Fit: 80, Halo: landed.Halo})
	transition := lt.update(leadflow.UpdateTransition, leadflow.TransitionRequest{To: lifecycle.Researching})
	waiting := lt.query()
	stale := landed
	stale.RunID, stale.Batch, stale.Status = "r0", 3, lifecycle.Contacted
	lt.signal(leadflow.SignalLanded, stale)
	afterStale := lt.query()
	answer := landed
	answer.RunID, answer.Batch, answer.Status = "r1", 3, lifecycle.NewLead
	answer.Written = changed.Values
	lt.signal(leadflow.SignalLanded, answer)
	after := lt.query()
	second := lt.update(leadflow.UpdateOffer, leadflow.Offer{RunID: "r2", Lead: func() lead.Lead {
		l := changed
		l.Values = maps.Clone(l.Values)
		l.Values[lead.Department] = "Revenue"
		return l
	}(), Fit: 80, Halo: landed.Halo})
	lt.signal(leadflow.SignalLanded, leadflow.Landed{RunID: "r2", Abandoned: true, Halo: landed.Halo})
	released := lt.query()
	lt.run(at(landed, lifecycle.NewLead, lifecycle.Data{}, leadflow.Settings{}))

	for name, r := range map[string]*reply{"offer": offer, "transition": transition, "second offer": second} {
		mustDone(t, name, r)
		if r.rejected != nil || r.err != nil {
			t.Fatalf("%s failed: %v / %v", name, r.rejected, r.err)
		}
	}
	if waiting.Status != lifecycle.NewLead || waiting.Offered == nil {
		t.Errorf("while the offer is out: status %s, offered %+v; want New Lead with the offer outstanding", waiting.Status, waiting.Offered)
	}
	if afterStale.Status != lifecycle.NewLead || afterStale.Offered == nil {
		t.Errorf("a landed of another run applied: status %s, offered %+v", afterStale.Status, afterStale.Offered)
	}
	if after.Status != lifecycle.Researching || after.Offered != nil || after.Written[lead.JobTitle] != "Chief Commercial Officer" {
		t.Errorf("after landing: status %s, offered %+v, title %q; want Researching, none, the new title",
			after.Status, after.Offered, after.Written[lead.JobTitle])
	}
	if got := h.status(t, landed.Halo.TicketID); got != lifecycle.Researching {
		t.Errorf("HaloPSA status %s, want Researching", got)
	}
	if released.Offered != nil || released.Status != lifecycle.Researching || len(released.Pending) > 0 {
		t.Errorf("after an abandoned batch: offered %+v, status %s, pending %v", released.Offered, released.Status, released.Pending)
	}
}

// TestLeadSetDataRegroups checks that a fit score a person sets moves the lead between hot,
// warm and cold: the ticket's tags, the user's distribution lists and the lead's state follow.
func TestLeadSetDataRegroups(t *testing.T) {
	t.Parallel()
	h := newHalo(t)
	landed := h.seedAt(t, lifecycle.Prospecting)
	ctx := context.Background()
	warm := h.res.Lists[lifecycle.ListWarm]
	if _, err := h.client.SaveDistributionLists(ctx, []halopsa.DistributionList{{ID: warm,
		AddTheseUsers: []halopsa.UserRef{{ID: halopsa.ID(landed.Halo.UserID)}}}}); err != nil {
		t.Fatal(err)
	}
	in := at(landed, lifecycle.Prospecting, lifecycle.Data{}, leadflow.Settings{})
	in.State.Fit, in.State.Segments, in.State.Lists = 70, []string{"source:apollo", "warm", "size:mid-market"}, []string{lifecycle.ListWarm}
	lt := newLeadTest(t, h)
	q := qualification()
	q.FitScore = 92
	r := lt.update(leadflow.UpdateSetData, leadflow.DataRequest{Qualification: &q})
	lt.run(in)
	mustDone(t, "set-data", r)
	if r.rejected != nil || r.err != nil {
		t.Fatalf("set-data failed: %v / %v", r.rejected, r.err)
	}
	st := r.state(t)
	if !slices.Contains(st.Segments, lifecycle.SegmentHot) || !slices.Equal(st.Lists, []string{lifecycle.ListHot}) {
		t.Errorf("state segments %v lists %v, want hot and the hot list", st.Segments, st.Lists)
	}
	var tags []string
	for _, tg := range h.ticket(t, landed.Halo.TicketID)["tags"].([]any) {
		tags = append(tags, halosandbox.Record(tg.(map[string]any)).String("text"))
	}
	if !slices.Contains(tags, lifecycle.SegmentHot) || slices.Contains(tags, lifecycle.SegmentWarm) {
		t.Errorf("ticket tags %v, want hot and not warm", tags)
	}
	member := func(id halopsa.ID) bool {
		l, err := h.client.DistributionList(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range l.Members {
			if int(m.UserID) == landed.Halo.UserID {
				return true
			}
		}
		return false
	}
	if !member(h.res.Lists[lifecycle.ListHot]) || member(warm) {
		t.Errorf("the user is not moved from the warm list to the hot list")
	}
}

// TestLeadCallAutoConverts checks a call outcome that makes a lead Engaged converts it to a
// prospect when auto-convert is on, as a transition to Engaged does.
func TestLeadCallAutoConverts(t *testing.T) {
	t.Parallel()
	h := newHalo(t)
	landed := h.seedAt(t, lifecycle.Contacted)
	lt := newLeadTest(t, h)
	call := lifecycle.Call{At: time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC), Direction: lifecycle.Outbound,
		Outcome: "interested", DurationSeconds: 240, Agent: "Sam"}
	r := lt.update(leadflow.UpdateLogCall, call)
	lt.run(at(landed, lifecycle.Contacted, lifecycle.Data{}, leadflow.Settings{AutoConvertEngaged: true}))
	mustDone(t, "log-call", r)
	if r.rejected != nil || r.err != nil {
		t.Fatalf("log-call failed: %v / %v", r.rejected, r.err)
	}
	if st := r.state(t); st.Status != lifecycle.NewProspect {
		t.Errorf("after an interested call with auto-convert: %s, want New Prospect", st.Status)
	}
	if got := h.status(t, landed.Halo.TicketID); got != lifecycle.NewProspect {
		t.Errorf("HaloPSA status %s, want New Prospect", got)
	}
}

// TestLeadHaloEngagedAutoConverts checks a move to Engaged made in HaloPSA converts the lead to a
// prospect when auto-convert is on.
func TestLeadHaloEngagedAutoConverts(t *testing.T) {
	t.Parallel()
	h := newHalo(t)
	landed := h.seedAt(t, lifecycle.Contacted)
	tid := landed.Halo.TicketID
	lt := newLeadTest(t, h)
	lt.step(func() { h.setStatus(t, tid, lifecycle.Engaged) }) // the agent's edit in HaloPSA
	lt.signal(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "ev-1", TicketID: tid, Status: lifecycle.Engaged})
	st := lt.query()
	if err := lt.run(at(landed, lifecycle.Contacted, lifecycle.Data{}, leadflow.Settings{AutoConvertEngaged: true})); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow ended with %v, want cancellation", err)
	}
	if st.Status != lifecycle.NewProspect || h.status(t, tid) != lifecycle.NewProspect {
		t.Errorf("after Engaged in HaloPSA with auto-convert: workflow %s, HaloPSA %s; want New Prospect", st.Status, h.status(t, tid))
	}
}

// TestLeadAdoptsHaloData: a change seen in HaloPSA carries the ticket's qualification data and
// Fit Score, which the lead adopts before judging the status (Prospecting → Qualified with the
// agent's data passes even under revert); the same status seen again is not judged again; a
// tenant status nothing maps is reported once (a violation and a note) and the lead keeps its
// status.
func TestLeadAdoptsHaloData(t *testing.T) {
	t.Parallel()
	h := newHalo(t)
	landed := h.seedAt(t, lifecycle.Prospecting)
	tid := landed.Halo.TicketID
	lt := newLeadTest(t, h)
	data := lifecycle.Data{Qualification: lifecycle.QualificationData{PainPoints: "backups", QualifiedServices: "Managed backup",
		DecisionMaker: "CFO", BudgetRange: "$2k", Timeframe: "Q3"}}
	lt.step(func() { h.setStatus(t, tid, lifecycle.Qualified) })
	qualified := leadflow.HaloChange{EventID: "ev-1", TicketID: tid, HaloStatus: lifecycle.Qualified, Data: &data, FitScore: 88}
	lt.signal(leadflow.SignalHaloChange, qualified)
	again := qualified
	again.EventID = "ev-2" // another event showing the same ticket
	lt.signal(leadflow.SignalHaloChange, again)
	lt.signal(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "ev-3", TicketID: tid, UnknownStatus: "On Hold"})
	lt.signal(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "ev-4", TicketID: tid, UnknownStatus: "On Hold"})
	st := lt.query()
	settings := leadflow.Settings{Lifecycle: lifecycle.Config{OnViolation: lifecycle.Revert}}
	if err := lt.run(at(landed, lifecycle.Prospecting, lifecycle.Data{}, settings)); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow ended with %v, want cancellation", err)
	}
	if st.Status != lifecycle.Qualified || st.Data.Qualification.PainPoints != "backups" ||
		st.Data.Qualification.FitScore != 88 || st.Fit != 88 {
		t.Errorf("state %s, data %+v, fit %d; want Qualified with the agent's data and fit 88", st.Status, st.Data.Qualification, st.Fit)
	}
	if len(st.Violations) != 1 || st.Violations[0].To != "On Hold" {
		t.Errorf("violations %+v, want one for the unknown status", st.Violations)
	}
	notes := strings.Join(h.notes(tid), "\n")
	if strings.Count(notes, `HaloPSA status "On Hold" is not one of the lifecycle's`) != 1 {
		t.Errorf("ticket notes %q, want one note about the unknown status", notes)
	}
	if got := h.status(t, tid); got != lifecycle.Qualified {
		t.Errorf("HaloPSA status = %s, want Qualified (adopted, not reverted)", got)
	}
}

// TestLeadOfferWaitsForAnotherRunsLanding: an offer of the next import that arrives before the
// previous import's "landed" signal waits for it and plans on what it wrote (nothing to write
// again); an offer whose predecessor never lands goes on after offerWait.
func TestLeadOfferWaitsForAnotherRunsLanding(t *testing.T) {
	t.Parallel()
	for _, lands := range []bool{true, false} {
		t.Run(fmt.Sprint("lands=", lands), func(t *testing.T) {
			t.Parallel()
			h := newHalo(t)
			lt := newLeadTest(t, h)
			l := dana()
			first := lt.update(leadflow.UpdateOffer, leadflow.Offer{RunID: "r1", Lead: l, Fit: 80})
			landed := h.seedLead(t, l, 80)
			written := leadflow.PlanOffer(&leadflow.LeadState{LeadID: l.ID, Status: lifecycle.NewLead}, leadflow.Offer{Lead: l, Fit: 80})
			landed.Segments, landed.Lists, landed.RunID = written.Segments, written.Lists, "r1"
			next := lt.update(leadflow.UpdateOffer, leadflow.Offer{RunID: "r2", Lead: l, Fit: 80, Halo: landed.Halo})
			if lands {
				lt.signal(leadflow.SignalLanded, landed)
			}
			after := lt.query()
			if err := lt.run(leadflow.LeadInput{LeadID: l.ID}); !temporal.IsCanceledError(err) {
				t.Fatalf("workflow ended with %v, want cancellation", err)
			}
			mustDone(t, "first offer", first)
			mustDone(t, "next offer", next)
			var plan leadflow.Plan
			if err := json.Unmarshal(next.value, &plan); err != nil || next.err != nil {
				t.Fatalf("next offer: %v / %v", next.err, err)
			}
			want := leadflow.ActionUpdate // nothing known written: the plan writes again
			if lands {
				want = leadflow.ActionNone
			}
			if plan.Action != want {
				t.Errorf("next offer planned %s (writes %v), want %s", plan.Action, plan.Write, want)
			}
			if lands && (after.Offered != nil || after.Written[lead.Email] != l.Values[lead.Email]) {
				t.Errorf("after landing: offered %+v, written e-mail %q", after.Offered, after.Written[lead.Email])
			}
		})
	}
}

// TestLeadViolationNotesAreMerged: a burst of rule-breaking status changes in HaloPSA leaves one
// note at once and one merged note for the rest when the lead's note budget (one per 10 min)
// allows, instead of a note per change.
func TestLeadViolationNotesAreMerged(t *testing.T) {
	t.Parallel()
	h := newHalo(t)
	landed := h.seedAt(t, lifecycle.NewLead)
	tid := landed.Halo.TicketID
	lt := newLeadTest(t, h)
	for i, s := range []lifecycle.Status{lifecycle.Engaged, lifecycle.Contacted, lifecycle.Engaged, lifecycle.Contacted} {
		lt.step(func() { h.setStatus(t, tid, s) })
		lt.signal(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: fmt.Sprint("ev-", i), TicketID: tid, Status: s})
	}
	var during []string
	lt.step(func() { during = h.notes(tid) })
	for range 10 { // past the note budget's 10 minutes
		lt.step(func() {})
	}
	st := lt.query()
	if err := lt.run(at(landed, lifecycle.NewLead, lifecycle.Data{}, leadflow.Settings{})); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow ended with %v, want cancellation", err)
	}
	if len(st.Violations) < 3 {
		t.Fatalf("violations %+v, want the burst flagged", st.Violations)
	}
	if len(during) != 1 {
		t.Errorf("notes during the burst = %q, want one", during)
	}
	notes := h.notes(tid)
	if len(notes) != 2 || !strings.Contains(notes[1], "rule violations since the last note") {
		t.Errorf("notes after it = %q, want the first and one merged note", notes)
	}
	if len(st.NoteQueue) != 0 {
		t.Errorf("notes still queued: %q", st.NoteQueue)
	}
}

// TestLeadViolationNotesDrain: notes queued when a run starts (carried across Continue-As-New
// or kept by a quiet end) are written, and a violation flagged while a note is being written
// gets its own note when the budget allows instead of waiting for the next violation.
func TestLeadViolationNotesDrain(t *testing.T) {
	t.Parallel()
	t.Run("carried", func(t *testing.T) {
		t.Parallel()
		h := newHalo(t)
		landed := h.seedAt(t, lifecycle.NewLead)
		lt := newLeadTest(t, h)
		st := lt.query()
		in := at(landed, lifecycle.NewLead, lifecycle.Data{}, leadflow.Settings{})
		in.State.NoteQueue = []string{"haloleads: a violation flagged in the run before"}
		if err := lt.run(in); !temporal.IsCanceledError(err) {
			t.Fatalf("workflow ended with %v, want cancellation", err)
		}
		if notes := h.notes(landed.Halo.TicketID); len(notes) != 1 || !strings.Contains(notes[0], "the run before") {
			t.Errorf("notes = %q, want the carried one", notes)
		}
		if len(st.NoteQueue) != 0 {
			t.Errorf("notes still queued: %q", st.NoteQueue)
		}
	})
	t.Run("flagged during a write", func(t *testing.T) {
		t.Parallel()
		h := newHalo(t)
		landed := h.seedAt(t, lifecycle.NewLead)
		tid := landed.Halo.TicketID
		lt := newLeadTest(t, h)
		writes := 0
		lt.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
			if info.ActivityType.Name != "AddNote" {
				return
			}
			if writes++; writes == 1 { // a second change arrives while the first note is written
				h.setStatus(t, tid, lifecycle.Contacted)
				lt.env.SignalWorkflow(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "during", TicketID: tid, Status: lifecycle.Contacted})
			}
		})
		lt.step(func() { h.setStatus(t, tid, lifecycle.Engaged) })
		lt.signal(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "first", TicketID: tid, Status: lifecycle.Engaged})
		for range 12 { // past the note budget's 10 minutes
			lt.step(func() {})
		}
		st := lt.query()
		if err := lt.run(at(landed, lifecycle.NewLead, lifecycle.Data{}, leadflow.Settings{})); !temporal.IsCanceledError(err) {
			t.Fatalf("workflow ended with %v, want cancellation", err)
		}
		if len(st.Violations) != 2 {
			t.Fatalf("violations %+v, want both flagged", st.Violations)
		}
		if notes := h.notes(tid); len(notes) != 2 {
			t.Errorf("notes = %q, want one per violation", notes)
		}
		if len(st.NoteQueue) != 0 {
			t.Errorf("notes still queued: %q", st.NoteQueue)
		}
	})
}

// noDeadlockDetector gives env's workflow code a minute, not the SDK's one second, before the
// SDK calls a workflow task that has not yielded a deadlock: on a machine at load 40 a task of
// a test's lead took more than a second of wall time (TMPRL1101 in a CI-like run) without any
// deadlock. Real deadlocks still fail the test, a minute later.
func noDeadlockDetector(env *testsuite.TestWorkflowEnvironment) {
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
}
