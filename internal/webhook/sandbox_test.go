package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"haloleads/internal/halosandbox"
	"haloleads/internal/webhook"
)

// events collects dispatched events.
type events struct {
	mu  sync.Mutex
	got []webhook.Event
}

func (ev *events) Dispatch(_ context.Context, e webhook.Event) error {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.got = append(ev.got, e)
	return nil
}

func (ev *events) all() []webhook.Event {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return append([]webhook.Event(nil), ev.got...)
}

// TestSandboxDeliveries registers the handler as a webhook on the HaloPSA sandbox, changes a
// ticket over the API and in the "UI", and checks what the handler dispatched; re-sending the
// sandbox's logged deliveries dispatches nothing more.
func TestSandboxDeliveries(t *testing.T) {
	t.Parallel()
	ev := &events{}
	hook := httptest.NewServer(webhook.NewHandler(webhook.Config{User: "halo", Password: "s3cret-s3cret"}, ev, nil))
	t.Cleanup(hook.Close)
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	halo := httptest.NewServer(sb)
	t.Cleanup(halo.Close)
	tok := sandboxToken(t, halo.URL)
	sandboxPost(t, halo.URL+"/api/Webhook", tok, `[{"name":"haloleads","url":"`+hook.URL+`/halo",`+
		`"authentication_type":1,"basic_username":"halo","basic_password":"s3cret-s3cret"}]`)
	sandboxPost(t, halo.URL+"/api/Tickets", tok, `[{"tickettype_id":1,"summary":"Lead"}]`)
	if err := sb.AgentEditTicketStatus(1, 2); err != nil {
		t.Fatal(err)
	}
	if err := sb.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}

	got := ev.all()
	if len(got) != 2 {
		t.Fatalf("dispatched %d events, want 2: %+v", len(got), got)
	}
	// HaloPSA, like the sandbox, delivers each event on its own: they may arrive in any order,
	// and HaloPSA's timestamps order them.
	slices.SortFunc(got, func(a, b webhook.Event) int { return a.ChangedAt.Compare(b.ChangedAt) })
	checkEvent(t, got[0], halosandbox.EventTicketLogged, halosandbox.APIAgentID)
	checkEvent(t, got[1], halosandbox.EventTicketStatusChanged, halosandbox.UIAgentID)
	if got[1].StatusID != 2 || got[0].ID == got[1].ID {
		t.Errorf("status change event %+v", got[1])
	}

	for _, d := range sb.WebhookDeliveries() {
		if d.StatusCode != http.StatusOK {
			t.Errorf("sandbox delivery answered %d (%s)", d.StatusCode, d.Err)
		}
		resend(t, hook.URL, d.Payload)
	}
	if n := len(ev.all()); n != 2 {
		t.Errorf("re-sent deliveries dispatched again: %d events", n)
	}
}

// checkEvent checks the fields every sandbox ticket event carries.
func checkEvent(t *testing.T, e webhook.Event, name string, agent int) {
	t.Helper()
	if e.Name != name || e.TicketID != 1 || e.ObjectID != 1 || e.AgentID != agent || e.TicketTypeID != 1 ||
		e.DeliveryID == "" || e.WebhookID == "" || e.ChangedAt.IsZero() || e.Summary != "Lead" || len(e.Raw) == 0 {
		t.Errorf("event %+v, want %q by agent %d about ticket 1", e, name, agent)
	}
}

// sandboxToken gets an access token from the sandbox.
func sandboxToken(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/auth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {halosandbox.DefaultClientID}, "client_secret": {halosandbox.DefaultClientSecret}, "scope": {"all"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token: %d, %v", resp.StatusCode, err)
	}
	return tr.AccessToken
}

// sandboxPost posts a JSON body to the sandbox API and requires success (200 or 201).
func sandboxPost(t *testing.T, u, tok, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", u, resp.StatusCode, b)
	}
}

// resend posts a logged payload to the handler again, as an operator re-sending from HaloPSA's
// delivery log would, and requires 200.
func resend(t *testing.T, u string, payload []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("halo", "s3cret-s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"duplicates":1`) {
		t.Errorf("re-send answered %d %s, want 200 with one duplicate", resp.StatusCode, b)
	}
}
