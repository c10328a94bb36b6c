package halosandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// receiver is a webhook endpoint that records what it was sent.
type receiver struct {
	mu    sync.Mutex
	got   []map[string]any
	auths []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, _ := r.BasicAuth()
	body, _ := io.ReadAll(r.Body)
	var m map[string]any
	json.Unmarshal(body, &m)
	rc.mu.Lock()
	rc.got = append(rc.got, m)
	rc.auths = append(rc.auths, user+":"+pass)
	rc.mu.Unlock()
	if user != "halo" || pass != "s3cret" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// events returns the event names received, in order of arrival.
func (rc *receiver) events() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, m := range rc.got {
		out = append(out, m["event"].(string))
	}
	return out
}

func TestWebhookDeliveries(t *testing.T) {
	t.Parallel()
	rc := &receiver{}
	hook := httptest.NewServer(rc)
	t.Cleanup(hook.Close)
	h := start(t, Options{})
	wh := h.create("/api/Webhook", map[string]any{"name": "haloleads", "url": hook.URL + "/halo",
		"authentication_type": 1, "basic_username": "halo", "basic_password": "s3cret"})
	h.create("/api/Webhook", map[string]any{"name": "off", "url": hook.URL + "/off", "active": false})
	lookup := h.create("/api/FieldInfo", map[string]any{"name": "CFStage"})
	_, site, user := h.seedLead()

	steps := []struct {
		name  string
		act   func() error
		event string // "" for no delivery
	}{
		{"api create", func() error {
			h.create("/api/Tickets", map[string]any{"tickettype_id": 1, "summary": "Lead", "user_id": user, "site_id": site})
			return nil
		}, EventTicketLogged},
		{"api field change", func() error { h.create("/api/Tickets", map[string]any{"id": 1, "summary": "Lead 2"}); return nil }, EventTicketUpdated},
		{"api no-op update", func() error { h.create("/api/Tickets", map[string]any{"id": 1, "summary": "Lead 2"}); return nil }, ""},
		{"api quiet update", func() error {
			h.create("/api/Tickets", map[string]any{"id": 1, "summary": "Lead 3", "_dont_fire_automations": true})
			return nil
		}, ""},
		{"ui status", func() error { return h.sb.AgentEditTicketStatus(1, 2) }, EventTicketStatusChanged},
		{"ui custom field", func() error { return h.sb.AgentEditTicketCustomField(1, lookup.ID(), "prospect") }, EventTicketUpdated},
		{"ui user field", func() error { return h.sb.AgentEditUser(user, map[string]any{"title": "CTO"}) }, EventUserUpdated},
		{"api user create", func() error {
			h.create("/api/Users", map[string]any{"name": "Bob", "site_id": site})
			return nil
		}, ""},
	}
	var want []string
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if err := h.sb.WaitIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st.event != "" {
			want = append(want, st.event)
		}
		if got := rc.events(); !equal(got, want) {
			t.Fatalf("after %s: events %v, want %v", st.name, got, want)
		}
	}
	ds := h.sb.WebhookDeliveries()
	for _, d := range ds {
		if d.StatusCode != http.StatusOK || d.WebhookID != wh.String("id") || d.Err != "" {
			t.Errorf("delivery %+v", d)
		}
	}
	checkPayload(t, rc.got[2], wh.String("id"), UIAgentID)
	checkPayload(t, rc.got[0], wh.String("id"), APIAgentID)
	if u := rc.got[4]["user"].(map[string]any); u["title"] != "CTO" {
		t.Errorf("user payload %v", u)
	}
}

// checkPayload checks the envelope of a ticket delivery.
func checkPayload(t *testing.T, p map[string]any, webhookID string, agent int) {
	t.Helper()
	for _, k := range []string{"id", "notification_id", "escmsg_id", "event", "message", "object_id", "timestamp", "ticket"} {
		if _, ok := p[k]; !ok {
			t.Errorf("payload lacks %s: %v", k, p)
		}
	}
	if p["webhook_id"] != webhookID || p["agent_id"] != float64(agent) || p["timestamp"] != "2026-09-25T06:41:08.7895915Z" {
		t.Errorf("payload %v", p)
	}
	tk := p["ticket"].(map[string]any)
	if _, ok := tk["customfields"].([]any); !ok || tk["id"] != p["object_id"] {
		t.Errorf("payload ticket %v", tk)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAgentEditErrors(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.create("/api/Tickets", map[string]any{"tickettype_id": 1})
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"unknown ticket", h.sb.AgentEditTicketStatus(99, 2), 404},
		{"unknown status", h.sb.AgentEditTicketStatus(1, 77), 400},
		{"unknown custom field", h.sb.AgentEditTicketCustomField(1, 5, "x"), 400},
		{"unknown user", h.sb.AgentEditUser(3, map[string]any{"title": "x"}), 404},
		{"bad value", h.sb.AgentEditTicket(1, map[string]any{"x": make(chan int)}), 0},
	}
	for _, tc := range tests {
		var e *Error
		if tc.err == nil || (tc.status != 0 && (!errors.As(tc.err, &e) || e.Status != tc.status)) {
			t.Errorf("%s: %v, want status %d", tc.name, tc.err, tc.status)
		}
	}
}

func TestWebhookDeliveryFailureIsRecorded(t *testing.T) {
	t.Parallel()
	hook := httptest.NewServer(http.NotFoundHandler())
	dead := hook.URL
	hook.Close()
	h := start(t, Options{})
	h.create("/api/Webhook", map[string]any{"name": "dead", "url": dead})
	h.create("/api/Tickets", map[string]any{"tickettype_id": 1})
	if err := h.sb.Close(); err != nil {
		t.Fatal(err)
	}
	ds := h.sb.WebhookDeliveries()
	if len(ds) != 1 || ds[0].Err == "" || ds[0].StatusCode != 0 {
		t.Errorf("deliveries %+v", ds)
	}
}
