package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"haloleads/activities"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

// post sends one webhook delivery to the receiver with its Basic credentials.
func (e *env) post(t *testing.T, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.webhook.URL, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(e.webhook.Username, e.webhook.Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// statusEvent is a "ticket status changed" delivery with its own id and timestamp.
func statusEvent(id string, ticket, status int, at time.Time) string {
	return fmt.Sprintf(`{"id":%q,"webhook_id":"w","event":"ticket status changed","object_id":%d,`+
		`"timestamp":%q,"ticket":{"id":%d,"status_id":%d}}`, id, ticket, at.UTC().Format(time.RFC3339Nano), ticket, status)
}

// TestForgedAndReplayedWebhooks: the receiver acts on what HaloPSA holds, never on what a
// delivery says. Forged events with fresh ids and a status HaloPSA does not have change
// nothing and leave no note; a real change replayed 100 times (fresh ids) has one effect; a
// 500-event delivery is refused at once and does not hold back another lead's Do Not Contact.
func TestForgedAndReplayedWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{Webhook: true, RateLimit: 3000})
	e.importFiles(t, "first", samples(t, "apollo.csv")...)
	tickets := e.sandbox.Tickets()
	if len(tickets) < 2 {
		t.Fatalf("%d tickets, want two leads at least", len(tickets))
	}
	a, b := tickets[0].ID(), tickets[1].ID()
	leadA, okA, _ := e.store.LeadOfTicket(context.Background(), a)
	leadB, okB, _ := e.store.LeadOfTicket(context.Background(), b)
	if !okA || !okB {
		t.Fatal("tickets without leads")
	}
	e.settled(t, leadA, func(st leadflow.LeadState) bool { return st.Halo.TicketID == a })
	e.settled(t, leadB, func(st leadflow.LeadState) bool { return st.Halo.TicketID == b })
	status := func(s lifecycle.Status) int {
		id, ok := e.tenant.StatusID(activities.TypeKey(lifecycle.Lead), s.DisplayName())
		if !ok {
			t.Fatalf("no status %s", s)
		}
		return int(id)
	}
	before := e.leadState(t, leadA)
	notesBefore := len(e.actions(a))
	requestsBefore := e.halo.Requests()

	// 100 forged deliveries: the Basic credential, fresh ids, Do Not Contact.
	codes := map[int]int{}
	t0 := time.Now()
	for i := range 100 {
		codes[e.post(t, statusEvent(fmt.Sprintf("forged-%d", i), a, status(lifecycle.DoNotContact), t0.Add(time.Duration(i)*time.Millisecond)))]++
	}
	st := e.settled(t, leadA, func(leadflow.LeadState) bool { return true })
	t.Logf("forged deliveries answered %v; lead events %d → %d; HaloPSA requests %d", codes, before.Events, st.Events, e.halo.Requests()-requestsBefore)
	if st.Events != before.Events {
		t.Errorf("forged webhooks reached the lead: events %d → %d", before.Events, st.Events)
	}
	if st.Status != before.Status || st.Data.DoNotContact || len(st.Violations) != len(before.Violations) {
		t.Errorf("forged webhooks changed the lead: status %s, opted out %v, violations %d", st.Status, st.Data.DoNotContact, len(st.Violations))
	}
	if n := len(e.actions(a)) - notesBefore; n != 0 {
		t.Errorf("forged webhooks left %d HaloPSA notes, want 0", n)
	}

	// A real change by an agent, then the same event replayed 100 times with fresh ids.
	if err := e.sandbox.AgentEditTicketStatus(a, status(lifecycle.Researching)); err != nil {
		t.Fatal(err)
	}
	st = e.settled(t, leadA, func(st leadflow.LeadState) bool { return st.Status == lifecycle.Researching })
	after := st.Events
	for i := range 100 {
		e.post(t, statusEvent(fmt.Sprintf("replay-%d", i), a, status(lifecycle.Researching), time.Now()))
	}
	st = e.settled(t, leadA, func(leadflow.LeadState) bool { return true })
	t.Logf("100 replays of a real change: lead events %d → %d; HaloPSA requests since the forged ones began %d", after, st.Events, e.halo.Requests()-requestsBefore)
	if st.Events != after || st.Status != lifecycle.Researching {
		t.Errorf("replays had an effect: events %d → %d, status %s", after, st.Events, st.Status)
	}

	// A 500-event delivery about lead A, then a real Do Not Contact on lead B.
	var evs []string
	for i := range 500 {
		evs = append(evs, statusEvent(fmt.Sprintf("flood-%d", i), a, status(lifecycle.Contacted), time.Now()))
	}
	start := time.Now()
	code := e.post(t, "["+strings.Join(evs, ",")+"]")
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 500-event delivery answered %d, want 413", code)
	}
	if err := e.sandbox.AgentEditTicketStatus(b, status(lifecycle.DoNotContact)); err != nil {
		t.Fatal(err)
	}
	e.settled(t, leadB, func(st leadflow.LeadState) bool { return st.Status == lifecycle.DoNotContact && st.Data.DoNotContact })
	t.Logf("500-event delivery refused, then lead B's Do Not Contact applied %s after it", time.Since(start).Round(time.Millisecond))
}
