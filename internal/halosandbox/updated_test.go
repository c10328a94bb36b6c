package halosandbox

import (
	"net/http"
	"testing"
	"time"
)

// TestLastUpdateFromDate: /Users, /Client and /Tickets list only what changed at or after
// lastupdatefromdate (and at or before lastupdatetodate); a malformed date is refused.
func TestLastUpdateFromDate(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	client, site, user := h.seedLead()
	h.create("/api/Tickets", map[string]any{"summary": "Lead", "tickettype_id": 1, "user_id": user, "client_id": client, "site_id": site})
	since := h.clock.Now().Add(time.Second)
	h.clock.Advance(2 * time.Second)
	other := h.create("/api/Client", map[string]any{"name": "Other Ltd"}).ID()
	h.must(http.StatusCreated, http.MethodPost, "/api/Users", []any{map[string]any{"id": user, "title": "CTO"}})

	tests := []struct {
		route, key, query string
		want              []int
	}{
		{"/api/Client", "clients", "lastupdatefromdate=" + since.Format(time.RFC3339), []int{other}},
		{"/api/Client", "clients", "lastupdatetodate=" + since.Format("2006-01-02T15:04:05"), []int{client}},
		{"/api/Users", "users", "lastupdatefromdate=" + since.Format("2006-01-02T15:04:05.0000000"), []int{user}},
		{"/api/Tickets", "tickets", "lastupdatefromdate=" + since.Format(time.RFC3339), nil},
		{"/api/Client", "clients", "", []int{client, other}},
	}
	for _, tt := range tests {
		v := h.must(http.StatusOK, http.MethodGet, tt.route+"?"+tt.query, nil).(map[string]any)
		rows, _ := v[tt.key].([]any)
		var got []int
		for _, r := range rows {
			got = append(got, Record(r.(map[string]any)).ID())
		}
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("%s?%s: ids %v, want %v", tt.route, tt.query, got, tt.want)
		}
	}
	if resp, _ := h.do(http.MethodGet, "/api/Users?lastupdatefromdate=yesterday", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a malformed date answered %d, want 400", resp.StatusCode)
	}
}
