package pipeline_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/optout"
	"haloleads/internal/pipeline"
	"haloleads/internal/providers"
	"haloleads/internal/providers/apollo"
	"haloleads/internal/providers/hunter"
	"haloleads/internal/providers/lusha"
	"haloleads/internal/providersandbox"
	"haloleads/internal/suppress"
	"haloleads/internal/tenant"
	"haloleads/internal/webhook"
)

// dncProviders serves the provider sandbox and returns Apollo and Hunter clients (the opt-out
// mechanisms, and Apollo pulls) and a Lusha client (its opt-out subscription), all pointed at it.
func dncProviders(t *testing.T) (*providersandbox.Server, map[lead.Source]providers.Provider, *lusha.Client) {
	t.Helper()
	sb := providersandbox.New(providersandbox.Options{Seed: 11, People: 60})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	base := func(p lead.Source) string { return srv.URL + providersandbox.Prefix(p) }
	key := providersandbox.DefaultAPIKey
	ap, err1 := apollo.New(apollo.Config{BaseURL: base(lead.Apollo), APIKey: key})
	hu, err2 := hunter.New(hunter.Config{BaseURL: base(lead.Hunter), APIKey: key})
	lu, err3 := lusha.New(lusha.Config{BaseURL: base(lead.Lusha), APIKey: key})
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return sb, map[lead.Source]providers.Provider{lead.Apollo: ap, lead.Hunter: hu}, lu
}

// dncPeople picks n sandbox people no provider flags, at n different companies.
func dncPeople(sb *providersandbox.Server, n int) []*providersandbox.Person {
	var out []*providersandbox.Person
	companies := map[string]bool{}
	for _, p := range sb.People() {
		if p.OptedOut || p.Claimed || p.GDPR || p.Email == "" || p.Direct == "" || companies[p.Company.Domain] {
			continue
		}
		companies[p.Company.Domain] = true
		out = append(out, p)
		if len(out) == n {
			break
		}
	}
	return out
}

// dncContactList writes the people as a generic contact list; format shapes each row's e-mail
// address and phone number.
func dncContactList(t *testing.T, people []*providersandbox.Person, email, phone func(string) string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "contacts.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"First Name", "Last Name", "Email", "Company", "Website", "Phone", "Title"})
	for _, p := range people {
		_ = w.Write([]string{p.First, p.Last, email(p.Email), p.Company.Name, "https://" + p.Company.Domain, phone(p.Direct), p.Title})
	}
	w.Flush()
	if err := f.Close(); err != nil || w.Error() != nil {
		t.Fatal(err, w.Error())
	}
	return path
}

// reformat writes +15125550143 as (512) 555-0143.
func reformat(phone string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	d = strings.TrimPrefix(d, "1")
	if len(d) != 10 {
		return phone
	}
	return fmt.Sprintf("(%s) %s-%s", d[:3], d[3:6], d[6:])
}

// startLushaReceiver runs a webhook-only process (the receiver, with Lusha's route) and
// subscribes it to the Lusha sandbox's opt-outs as `starter setup` does.
func startLushaReceiver(t *testing.T, e *env, lu *lusha.Client) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- pipeline.Process{Temporal: e.temporal, Halo: e.halo, Store: e.store, Spec: tenant.DefaultSpec(),
			Webhook: webhook.Config{User: "halo", Password: "receiver-test-password"}, Listener: ln,
			LushaSecret: providersandbox.DefaultLushaWebhookSecret}.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	target, err := optout.LushaURL("http://" + ln.Addr().String() + "/halo")
	if err != nil {
		t.Fatal(err)
	}
	for _, check := range []bool{true, false, false} { // the second run finds the subscription
		if _, err := optout.EnsureLushaSubscription(context.Background(), lu, target, check); err != nil {
			t.Fatalf("subscribing to Lusha's opt-outs: %v", err)
		}
	}
}

// TestDoNotContactFiveWays starts Do Not Contact each of the five ways (status and field in
// HaloPSA, a call outcome, Lusha's signed opt-out webhook, `starter suppress add`) for five
// people imported from a contact list, and checks that each gives the same HaloPSA state, the
// same suppression entries, Apollo's stage change and removal from sequences and Hunter's lead
// deletion; then that a re-import with differently cased addresses and reformatted phones
// creates and updates nothing and counts them suppressed, and that a pull whose search returns
// a suppressed person spends no credit on them.
func TestDoNotContactFiveWays(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	psb, clients, lu := dncProviders(t)
	e := newEnvWith(t, envOptions{RateLimit: 3000, Providers: clients})
	startLushaReceiver(t, e, lu)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	people := dncPeople(psb, 5)
	for _, p := range people {
		if _, err := psb.SaveApolloContact(p.Email, "seq-"+p.ApolloID[:4], "seq-onboarding"); err != nil {
			t.Fatal(err)
		}
		if _, err := psb.AddHunterLead(p.Email); err != nil {
			t.Fatal(err)
		}
	}
	same := func(s string) string { return s }
	first := e.importFiles(t, "first", dncContactList(t, people, same, same))
	if first.LeadsCreated != len(people) {
		t.Fatalf("first import created %d leads, want %d: %+v", first.LeadsCreated, len(people), first)
	}
	ids := make([]string, len(people))
	tickets := make([]int, len(people))
	for i, p := range people {
		id, ok, err := e.store.LookupIdentity(ctx, "email:"+strings.ToLower(p.Email))
		if err != nil || !ok {
			t.Fatalf("no lead for %s: %v", p.Email, err)
		}
		ids[i] = id
		tickets[i] = e.settled(t, id, func(st leadflow.LeadState) bool { return st.Halo.TicketID != 0 }).Halo.TicketID
	}
	dncID, _ := e.tenant.StatusID(tenant.Lead, lifecycle.DoNotContact.DisplayName())
	ways := []struct {
		name, by string
		start    func(i int)
	}{
		{"status set in HaloPSA", "an agent in HaloPSA", func(i int) {
			if err := e.sandbox.AgentEditTicketStatus(tickets[i], int(dncID)); err != nil {
				t.Fatal(err)
			}
			e.signal(t, ids[i], leadflow.HaloChange{EventID: "dnc-status", TicketID: tickets[i], Status: lifecycle.DoNotContact})
		}},
		{"Do Not Contact field in HaloPSA", "an agent in HaloPSA", func(i int) {
			e.signal(t, ids[i], leadflow.HaloChange{EventID: "dnc-field", TicketID: tickets[i], Values: lead.Values{lead.DoNotContact: "true"}})
		}},
		{"call outcome", "Sam", func(i int) {
			h, err := e.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: ids[i], UpdateName: leadflow.UpdateLogCall,
				Args:         []any{lifecycle.Call{At: time.Now().UTC(), Direction: lifecycle.Inbound, Outcome: "remove me", DurationSeconds: 60, Agent: "Sam"}},
				WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err != nil {
				t.Fatalf("logging the call: %v", err)
			}
		}},
		{"Lusha opt-out webhook", "Lusha opt-out webhook", func(i int) {
			codes, err := psb.DeliverLushaOptOut(ctx, psb.LushaOptOutOf(people[i]))
			if err != nil || len(codes) != 1 || codes[0] != 201 {
				t.Fatalf("delivering the Lusha opt-out: %v %v", codes, err)
			}
		}},
		{"starter suppress add", "ops@msp.example", func(i int) {
			svc := optout.Service{Store: e.store, Temporal: e.temporal}
			res, err := svc.DoNotContact(ctx, optout.Request{Values: lead.Values{lead.Email: strings.ToUpper(people[i].Email)},
				Via: leadflow.ViaCLI, By: "ops@msp.example", Reason: "asked by e-mail", Domain: true})
			if err != nil || res.LeadID != ids[i] || res.Lead != "marked Do Not Contact" {
				t.Fatalf("suppress add: %+v, %v", res, err)
			}
		}},
	}
	for i, w := range ways {
		w.start(i)
	}
	for i, w := range ways {
		st := e.settled(t, ids[i], func(st leadflow.LeadState) bool { return st.Status == lifecycle.DoNotContact })
		notes := e.waitNote(t, tickets[i], "provider actions for this Do Not Contact")
		t.Run(w.name, func(t *testing.T) { e.checkDoNotContact(t, psb, people[i], st, tickets[i], notes, w.by) })
	}

	// A re-import, addresses in capitals and phones written another way: nothing created or
	// updated, every one of them counted as suppressed.
	writes := e.halo.WriteRequests()
	again := e.importFiles(t, "again", dncContactList(t, people, strings.ToUpper, reformat))
	if again.LeadsCreated != 0 || again.LeadsUpdated != 0 || again.Suppressed != len(people) {
		t.Errorf("re-import: created %d, updated %d, suppressed %d; want 0, 0, %d", again.LeadsCreated, again.LeadsUpdated, again.Suppressed, len(people))
	}
	if n := e.halo.WriteRequests() - writes; n != 0 {
		t.Errorf("the re-import made %d HaloPSA writes, want 0", n)
	}
	// `suppress add --domain` suppressed everyone at the last person's company: a colleague
	// imported later is counted suppressed and lands as Do Not Contact.
	if colleague := colleagueOf(psb, people[4], people); colleague != nil {
		sum := e.importFiles(t, "colleague", dncContactList(t, []*providersandbox.Person{colleague}, same, same))
		if sum.Suppressed != 1 {
			t.Errorf("a colleague at a suppressed domain: %+v, want suppressed", sum)
		}
	} else {
		t.Logf("no colleague of %s in the sandbox: the domain check is not exercised", people[4].Company.Domain)
	}

	// A pull whose search returns a suppressed person (everyone at their company) buys the
	// others and spends nothing on them.
	psb.ResetCounters()
	p := people[0]
	run, err := e.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "pull-dnc", TaskQueue: leadflow.TaskQueue},
		leadflow.PullWorkflow, leadflow.PullInput{Source: lead.Apollo, Query: "domain=" + p.Company.Domain, Budget: 100})
	if err != nil {
		t.Fatal(err)
	}
	var res leadflow.PullResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("pull: %v", err)
	}
	bought, err := e.store.Bought(ctx, lead.Apollo, []string{p.ApolloID})
	if err != nil || bought[p.ApolloID] {
		t.Errorf("the pull bought the suppressed person (%v)", err)
	}
	if psb.Credits(lead.Apollo) != res.Bought {
		t.Errorf("Apollo charged %d credits for %d people bought: the suppressed person cost credits", psb.Credits(lead.Apollo), res.Bought)
	}
	t.Logf("pull at %s: found %d, bought %d, credits %d", p.Company.Domain, res.Found, res.Bought, psb.Credits(lead.Apollo))
	recordOnce(t, "lead_do_not_contact.json", e.runHistory(t, ids[3], ""))
}

// colleagueOf returns another sandbox person at p's company, not among taken.
func colleagueOf(sb *providersandbox.Server, p *providersandbox.Person, taken []*providersandbox.Person) *providersandbox.Person {
	for _, c := range sb.People() {
		if c.Company.Domain == p.Company.Domain && !slices.Contains(taken, c) && c.Email != "" {
			return c
		}
	}
	return nil
}

// signal sends a change seen in HaloPSA to a lead.
func (e *env) signal(t *testing.T, leadID string, c leadflow.HaloChange) {
	t.Helper()
	if err := e.temporal.SignalWorkflow(context.Background(), leadflow.LeadWorkflowID(leadID), "", leadflow.SignalHaloChange, c); err != nil {
		t.Fatal(err)
	}
}

// waitNote waits for a note on the ticket containing text and returns every note of the ticket.
func (e *env) waitNote(t *testing.T, ticketID int, text string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var notes []string
		for _, a := range e.sandbox.Actions() {
			if a.Int("ticket_id") == ticketID {
				notes = append(notes, a.String("note"))
			}
		}
		all := strings.Join(notes, "\n---\n")
		if strings.Contains(all, text) {
			return all
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticket %d never got a note with %q; notes:\n%s", ticketID, text, all)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkDoNotContact checks the one Do Not Contact state of a person.
func (e *env) checkDoNotContact(t *testing.T, psb *providersandbox.Server, p *providersandbox.Person, st leadflow.LeadState, ticketID int, notes, by string) {
	ctx := context.Background()
	if !st.Data.DoNotContact || len(st.Lists) > 0 || !slices.Contains(st.Segments, lifecycle.SegmentDoNotContact) {
		t.Errorf("lead state: opted out %v, lists %v, segments %v", st.Data.DoNotContact, st.Lists, st.Segments)
	}
	tk, err := e.halo.Ticket(ctx, halopsa.ID(ticketID))
	if err != nil {
		t.Fatal(err)
	}
	if dnc, _ := e.tenant.StatusID(tenant.Lead, lifecycle.DoNotContact.DisplayName()); tk.StatusID != dnc {
		t.Errorf("HaloPSA status %d, want Do Not Contact (%d)", tk.StatusID, dnc)
	}
	fields, err := e.workers.Tenant.TicketFieldValues(ctx, tk.CustomFields)
	if v := fmt.Sprint(fields[string(lead.DoNotContact)]); err != nil || v != "Yes" && v != "true" {
		t.Errorf("Do Not Contact field = %v (%v), want ticked", v, err)
	}
	if !slices.ContainsFunc(tk.Tags, func(g halopsa.Tag) bool { return g.Text == lifecycle.SegmentDoNotContact }) {
		t.Errorf("tags %+v lack %s", tk.Tags, lifecycle.SegmentDoNotContact)
	}
	for _, want := range []string{"Do Not Contact: set by " + by + " on ", "took the person out of every distribution list",
		"Apollo.io: 1 saved contact(s) moved to the Do Not Contact stage, removed from 2 sequence(s)",
		"Hunter.io: 1 saved lead(s) deleted", "starter suppress export --provider zoominfo"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	// The same entries: e-mail (any case), the phone (any format), the name at the company, and
	// Apollo's person id.
	keys := suppress.Keys(lead.Values{lead.Email: strings.ToUpper(p.Email), lead.PhoneDirect: reformat(p.Direct),
		lead.FirstName: strings.ToUpper(p.First), lead.LastName: p.Last, lead.Domain: p.Company.Domain}, suppress.Options{})
	keys = append(keys, suppress.ProviderKey(lead.Apollo, p.ApolloID))
	hits, err := e.store.Suppressed(ctx, keys)
	if err != nil || len(hits) != len(keys) || len(keys) != 4 {
		t.Errorf("suppressed under %d of the keys %q (%v)", len(hits), keys, err)
	}
	if c, ok := psb.ApolloContactOf(p.Email); !ok || c.Stage() != apollo.DoNotContactStage || len(c.Sequences) != 0 {
		t.Errorf("Apollo contact %+v (stage %s), want Do Not Contact in no sequence", c, c.Stage())
	}
	for _, l := range psb.HunterLeads() {
		if strings.EqualFold(l.Email, p.Email) {
			t.Errorf("Hunter still holds the lead %+v", l)
		}
	}
}
