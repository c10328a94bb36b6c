package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"haloleads/activities"
	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/providers"
	"haloleads/internal/providers/apollo"
	"haloleads/internal/providers/hunter"
	"haloleads/internal/providersandbox"
	"haloleads/internal/suppress"
)

// optOuts returns the provider activities, on clients of a provider sandbox when the test set
// one up (withProviders), otherwise with no provider configured.
func (h *halo) optOuts() *activities.OptOuts {
	return &activities.OptOuts{Providers: h.providers, Store: h.store}
}

// withProviders starts a provider sandbox in which dana is a saved Apollo contact in two
// sequences and a saved Hunter lead, and points Apollo and Hunter clients at it.
func (h *halo) withProviders(t *testing.T) *providersandbox.Server {
	t.Helper()
	sb := providersandbox.New(providersandbox.Options{People: 5})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	settings := providers.Settings{MaxRetries: -1}
	ap, err := apollo.New(apollo.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Apollo), APIKey: providersandbox.DefaultAPIKey, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	hu, err := hunter.New(hunter.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Hunter), APIKey: providersandbox.DefaultAPIKey, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	h.providers = map[lead.Source]providers.Provider{lead.Apollo: ap, lead.Hunter: hu}
	return sb
}

// TestDoNotContactIsOneState starts Do Not Contact each of the four ways a lead workflow sees
// (a status transition, an agent's status change or Do Not Contact field in HaloPSA, a call
// outcome, the do-not-contact update `starter suppress add` and the Lusha webhook send) and
// checks that each gives the same HaloPSA state, suppression entries and provider actions.
func TestDoNotContactIsOneState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start func(t *testing.T, h *halo, lt *leadTest, landed leadflow.Landed) *reply
		by    string
	}{
		{"status transition", func(t *testing.T, h *halo, lt *leadTest, _ leadflow.Landed) *reply {
			return lt.update(leadflow.UpdateTransition, leadflow.TransitionRequest{To: lifecycle.DoNotContact, Note: "asked by mail"})
		}, "haloleads (lead transition)"},
		{"status set in HaloPSA", func(t *testing.T, h *halo, lt *leadTest, landed leadflow.Landed) *reply {
			lt.step(func() { h.setStatus(t, landed.Halo.TicketID, lifecycle.DoNotContact) })
			lt.signal(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "st", TicketID: landed.Halo.TicketID, Status: lifecycle.DoNotContact})
			return nil
		}, "an agent in HaloPSA"},
		{"field ticked in HaloPSA", func(t *testing.T, h *halo, lt *leadTest, landed leadflow.Landed) *reply {
			lt.signal(leadflow.SignalHaloChange, leadflow.HaloChange{EventID: "field", TicketID: landed.Halo.TicketID,
				Values: lead.Values{lead.DoNotContact: "true"}})
			return nil
		}, "an agent in HaloPSA"},
		{"call outcome", func(t *testing.T, h *halo, lt *leadTest, _ leadflow.Landed) *reply {
			return lt.update(leadflow.UpdateLogCall, lifecycle.Call{At: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC),
				Direction: lifecycle.Inbound, Outcome: "remove me", Agent: "Sam"})
		}, "Sam"},
		{"suppress add", func(t *testing.T, h *halo, lt *leadTest, _ leadflow.Landed) *reply {
			return lt.update(leadflow.UpdateDoNotContact, leadflow.DoNotContactRequest{Via: leadflow.ViaCLI, By: "ops@msp", Reason: "GDPR request"})
		}, "ops@msp"},
		{"provider opt-out", func(t *testing.T, h *halo, lt *leadTest, _ leadflow.Landed) *reply {
			return lt.update(leadflow.UpdateDoNotContact, leadflow.DoNotContactRequest{Via: leadflow.ViaProvider, By: "Lusha opt-out webhook"})
		}, "Lusha opt-out webhook"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHalo(t)
			psb := h.withProviders(t)
			person := psb.People()[0]
			if _, err := psb.SaveApolloContact(psb.People()[0].Email, "seq-1", "seq-2"); err != nil {
				t.Fatal(err)
			}
			if _, err := psb.AddHunterLead(psb.People()[0].Email); err != nil {
				t.Fatal(err)
			}
			landed := h.seedAt(t, lifecycle.Contacted)
			lt := newLeadTest(t, h)
			r := tc.start(t, h, lt, landed)
			st := lt.query()
			in := at(landed, lifecycle.Contacted, lifecycle.Data{}, leadflow.Settings{})
			// dana has the provider sandbox's first person's address here, a phone and LinkedIn.
			mine := lead.Values{lead.Email: person.Email, lead.PhoneDirect: "(512) 555-0143",
				lead.LinkedIn: "https://www.linkedin.com/in/dana-okafor-demo"}
			in.State.Lead.Values = leadflow.Overlay(in.State.Lead.Values, mine)
			in.State.Written = leadflow.Overlay(in.State.Written, mine)
			in.State.Lead.Keys = []string{"email:" + person.Email}
			in.State.Lists = []string{"Hot Leads"}
			lt.run(in)
			if r != nil {
				mustDone(t, tc.name, r)
				if r.rejected != nil || r.err != nil {
					t.Fatalf("%s failed: %v / %v", tc.name, r.rejected, r.err)
				}
			}
			// The workflow's state.
			if st.Status != lifecycle.DoNotContact || !st.Data.DoNotContact || len(st.Lists) > 0 ||
				!slices.Contains(st.Segments, lifecycle.SegmentDoNotContact) {
				t.Errorf("state %s (opted out %v, lists %v, segments %v)", st.Status, st.Data.DoNotContact, st.Lists, st.Segments)
			}
			// HaloPSA: status, field, tag, the note.
			tid := landed.Halo.TicketID
			if got := h.status(t, tid); got != lifecycle.DoNotContact {
				t.Errorf("HaloPSA status = %s", got)
			}
			tk, err := h.client.Ticket(context.Background(), halopsa.ID(tid))
			if err != nil {
				t.Fatal(err)
			}
			fields, err := h.acts.Tenant.TicketFieldValues(context.Background(), tk.CustomFields)
			if v := fmt.Sprint(fields[string(lead.DoNotContact)]); err != nil || v != "Yes" && v != "true" {
				t.Errorf("Do Not Contact field = %v (%v), want ticked", fields[string(lead.DoNotContact)], err)
			}
			if !slices.ContainsFunc(tk.Tags, func(g halopsa.Tag) bool { return g.Text == lifecycle.SegmentDoNotContact }) {
				t.Errorf("ticket tags %+v lack %s", tk.Tags, lifecycle.SegmentDoNotContact)
			}
			notes := strings.Join(h.notes(tid), "\n---\n")
			for _, want := range []string{"Do Not Contact: set by " + tc.by + " on ", "under 4 keys",
				"Apollo.io: 1 saved contact(s) moved to the Do Not Contact stage, removed from 2 sequence(s)",
				"Hunter.io: 1 saved lead(s) deleted", "starter suppress export --provider zoominfo"} {
				if !strings.Contains(notes, want) {
					t.Errorf("notes lack %q:\n%s", want, notes)
				}
			}
			// The suppression list: every key.
			// Differently cased and formatted, the keys are the same.
			keys := suppress.Keys(lead.Values{lead.Email: strings.ToUpper(person.Email), lead.FirstName: "DANA",
				lead.LastName: "okafor", lead.Company: "Bright Kettle Foods", lead.PhoneDirect: "+1 512-555-0143",
				lead.LinkedIn: "linkedin.com/in/Dana-Okafor-Demo"}, suppress.Options{})
			hits, err := h.store.Suppressed(context.Background(), keys)
			if err != nil || len(keys) != 4 || len(hits) != len(keys) {
				t.Errorf("suppressed under %d of %d keys (%v): %q", len(hits), len(keys), err, keys)
			}
			// The providers.
			if c, ok := psb.ApolloContactOf(person.Email); !ok || c.Stage() != apollo.DoNotContactStage || len(c.Sequences) > 0 {
				t.Errorf("Apollo contact %+v", c)
			}
			if n := len(psb.HunterLeads()); n != 0 {
				t.Errorf("Hunter still holds %d leads", n)
			}
		})
	}
}

// TestDoNotContactWithoutTicketWritesNoTicket: a Do Not Contact for a lead whose ticket has not
// landed yet puts the person on the suppression list and writes nothing to HaloPSA (a ticket
// POSTed without an id would be a stray new one); the activity fails for good, saying why.
func TestDoNotContactWithoutTicketWritesNoTicket(t *testing.T) {
	h := newHalo(t)
	ctx := context.Background()
	before := len(h.sandbox.Tickets())
	_, err := h.acts.MarkDoNotContact(ctx, activities.DoNotContactWrite{
		LeadID: "lead-dana", Stage: lifecycle.Lead, Values: dana().Values, Via: leadflow.ViaStatus, At: time.Now(),
	})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(err.Error(), "no HaloPSA ticket yet") {
		t.Fatalf("Do Not Contact without a ticket: %v, want a non-retryable error saying the lead has no ticket", err)
	}
	if n := len(h.sandbox.Tickets()); n != before {
		t.Errorf("HaloPSA holds %d tickets after it, want the %d of before", n, before)
	}
	hits, err := h.store.Suppressed(ctx, suppress.Keys(dana().Values, suppress.Options{}))
	if err != nil || len(hits) == 0 {
		t.Errorf("the person is not on the suppression list: %v %v", hits, err)
	}
}
