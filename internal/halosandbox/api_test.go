package halosandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRoutesVerbsEnvelopes(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.create("/api/Tickets", map[string]any{"summary": "s", "tickettype_id": 1})
	tests := []struct {
		name, method, path string
		status             int
		key                string // envelope key; "[]" for a bare array; "" for no check
	}{
		{"tickets", "GET", "/api/Tickets", 200, "tickets"},
		{"lowercase", "GET", "/api/tickets", 200, "tickets"},
		{"upper", "GET", "/API/TICKETS", 200, "tickets"},
		{"opportunities share key", "GET", "/api/Opportunities", 200, "tickets"},
		{"users", "GET", "/api/Users", 200, "users"},
		{"clients", "GET", "/api/client", 200, "clients"},
		{"sites", "GET", "/api/Site", 200, "sites"},
		{"actions", "GET", "/api/Actions?ticket_id=1", 200, "actions"},
		{"actions without ticket_id", "GET", "/api/Actions", 500, ""},
		{"ticket types bare", "GET", "/api/TicketType", 200, "[]"},
		{"statuses bare", "GET", "/api/status", 200, "[]"},
		{"fieldinfo bare", "GET", "/api/FieldInfo", 200, "[]"},
		{"lookup bare", "GET", "/api/Lookup", 200, "[]"},
		{"tags bare", "GET", "/api/Tags", 200, "[]"},
		{"lists bare", "GET", "/api/DistributionLists", 200, "[]"},
		{"webhooks bare", "GET", "/api/Webhook", 200, "[]"},
		{"agents bare", "GET", "/api/agent", 200, "[]"},
		{"detail", "GET", "/api/Tickets/1", 200, ""},
		{"missing id", "GET", "/api/Tickets/999", 404, ""},
		{"non-integer id", "GET", "/api/Tickets/abc", 404, ""},
		{"webhook needs guid", "GET", "/api/Webhook/12", 404, ""},
		{"unknown route", "GET", "/api/Lists", 404, ""},
		{"too deep", "GET", "/api/Tickets/1/Actions", 404, ""},
		{"unserved subroute", "GET", "/api/Users/me", 404, ""},
		{"outside api", "GET", "/tickets", 404, ""},
		{"put", "PUT", "/api/Tickets/1", 405, ""},
		{"patch", "PATCH", "/api/Tickets/1", 405, ""},
		{"put collection", "PUT", "/api/Tickets", 405, ""},
		{"post item", "POST", "/api/Tickets/1", 405, ""},
		{"delete collection", "DELETE", "/api/Tickets", 405, ""},
		{"post authinfo", "POST", "/api/authinfo", 405, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := h.do(tc.method, tc.path, nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			checkEnvelope(t, body, tc.key)
		})
	}
}

// checkEnvelope checks that body is a bare array ("[]") or an object with record_count and key.
func checkEnvelope(t *testing.T, body []byte, key string) {
	t.Helper()
	switch key {
	case "":
	case "[]":
		var arr []any
		if err := json.Unmarshal(body, &arr); err != nil {
			t.Fatalf("want a bare array: %v: %s", err, body)
		}
	default:
		var env map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("want an object: %v: %s", err, body)
		}
		if _, ok := env["record_count"]; !ok {
			t.Errorf("no record_count in %s", body)
		}
		var rows []any
		if err := json.Unmarshal(env[key], &rows); err != nil {
			t.Errorf("key %q is not an array in %s", key, body)
		}
	}
}

func TestMethodNotAllowedNamesVerbs(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	tests := []struct{ path, allow string }{
		{"/api/Tickets", "GET, POST"},
		{"/api/Tickets/1", "GET, DELETE"},
		{"/api/AuthInfo", "GET"},
	}
	for _, tc := range tests {
		resp, _ := h.do("PATCH", tc.path, nil)
		if got := resp.Header.Get("Allow"); resp.StatusCode != 405 || got != tc.allow {
			t.Errorf("PATCH %s: %d Allow %q, want 405 %q", tc.path, resp.StatusCode, got, tc.allow)
		}
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	h := start(t, Options{Tenant: "acme"})
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID},
		"client_secret": {DefaultClientSecret}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vals := range good {
			out[key] = vals
		}
		out.Set(k, v)
		return out
	}
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
		errKey string
	}{
		{"ok", "/auth/token", good, 200, ""},
		{"tenant in query", "/auth/token?tenant=acme", good, 200, ""},
		{"tenant in form", "/auth/token", with("tenant", "ACME"), 200, ""},
		{"wrong tenant", "/auth/token?tenant=other", good, 500, ""},
		{"bad secret", "/auth/token", with("client_secret", "nope"), 401, "invalid_client"},
		{"bad id", "/auth/token", with("client_id", "nope"), 401, "invalid_client"},
		{"wrong grant", "/auth/token", with("grant_type", "password"), 400, "unsupported_grant_type"},
		{"case-insensitive path", "/Auth/Token", good, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := h.form(tc.path, tc.form)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			var m map[string]any
			json.Unmarshal(body, &m)
			if tc.errKey != "" && (m["error"] != tc.errKey || m["error_description"] == "") {
				t.Errorf("body %s, want error %q with a description", body, tc.errKey)
			}
			if tc.status == 200 && (m["token_type"] != "Bearer" || m["expires_in"] != 3600.0 || m["access_token"] == "" || m["scope"] != "all") {
				t.Errorf("token body %s", body)
			}
		})
	}
}

func TestTokenBasicAuthAndAuthInfo(t *testing.T) {
	t.Parallel()
	h := start(t, Options{ClientID: "id", ClientSecret: "secret", Tenant: "acme"})
	req, _ := http.NewRequest("POST", h.srv.URL+"/auth/token", strings.NewReader("grant_type=client_credentials&scope=read:tickets"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("id", "secret")
	resp, body := h.send(req)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"scope":"read:tickets"`) {
		t.Fatalf("basic-auth token: %d %s", resp.StatusCode, body)
	}
	anon, _ := http.NewRequest("GET", h.srv.URL+"/api/authinfo", nil)
	resp, body = h.send(anon)
	var info map[string]string
	json.Unmarshal(body, &info)
	if resp.StatusCode != 200 || info["auth_url"] != h.srv.URL+"/auth" || info["tenant_id"] != "acme" {
		t.Errorf("authinfo: %d %s", resp.StatusCode, body)
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	h := start(t, Options{TokenTTL: time.Hour})
	h.must(200, "GET", "/api/Tickets", nil)
	h.clock.Advance(time.Hour - time.Second)
	h.must(200, "GET", "/api/Tickets", nil)
	h.clock.Advance(time.Second)
	resp, _ := h.do("GET", "/api/Tickets", nil)
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("expired token: %d %v", resp.StatusCode, resp.Header)
	}
	h.tok = h.token()
	h.must(200, "GET", "/api/Tickets", nil)
	h.sb.ExpireTokens()
	if resp, _ := h.do("GET", "/api/Tickets", nil); resp.StatusCode != 401 {
		t.Fatalf("after ExpireTokens: %d", resp.StatusCode)
	}
	h.tok = "not-a-token"
	if resp, _ := h.do("GET", "/api/Tickets", nil); resp.StatusCode != 401 {
		t.Fatalf("unknown token: %d", resp.StatusCode)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	var batch []any
	for i := range 250 {
		batch = append(batch, map[string]any{"name": "Client " + strings.Repeat("x", i%3)})
	}
	h.must(201, "POST", "/api/Client", batch)
	tests := []struct {
		query      string
		rows       int
		count      int
		firstID    int
		fakeRecord int
	}{
		{"", 250, 250, 1, -1},
		{"?pageinate=true", 50, 250, 1, -1},
		{"?pageinate=true&page_size=500", 100, 250, 1, -1},
		{"?pageinate=true&page_size=100&page_no=3", 50, 250, 201, -1},
		{"?pageinate=true&page_size=100&page_no=4", 0, 250, 0, -1},
		{"?pageinate=true&page_size=0", 50, 250, 1, -1},
		{"?count=10", 10, 10, 1, -1},
		{"?pageinate=true&page_size=20&page_no=2", 20, 50, 21, 50},
	}
	for _, tc := range tests {
		if tc.fakeRecord >= 0 {
			h.sb.SetRecordCount(tc.fakeRecord)
		}
		env := h.must(200, "GET", "/api/Client"+tc.query, nil).(map[string]any)
		rows := env["clients"].([]any)
		if len(rows) != tc.rows || env["record_count"] != json.Number(itoa(tc.count)) {
			t.Errorf("%q: %d rows, record_count %v; want %d, %d", tc.query, len(rows), env["record_count"], tc.rows, tc.count)
		}
		if tc.rows > 0 && Record(rows[0].(map[string]any)).ID() != tc.firstID {
			t.Errorf("%q: first id %v, want %d", tc.query, rows[0].(map[string]any)["id"], tc.firstID)
		}
		h.sb.SetRecordCount(-1)
	}
}

func itoa(n int) string { return string(num(n)) }

func TestFilters(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	client, site, user := h.seedLead()
	other := h.create("/api/Client", map[string]any{"name": "Other Co"}).ID()
	h.create("/api/Client", map[string]any{"name": "Gone Co", "inactive": true})
	h.create("/api/Tickets", map[string]any{"summary": "Lead: Jane", "tickettype_id": 4, "client_id": client, "user_id": user, "site_id": site})
	h.create("/api/Tickets", map[string]any{"summary": "Printer", "tickettype_id": 1, "client_id": other, "status_id": 2})
	h.create("/api/Opportunities", map[string]any{"summary": "Deal", "tickettype_id": 4, "client_id": client, "oppcompanyname": "Acme Ltd"})
	h.create("/api/Status", map[string]any{"name": "Qualified", "tickettypes": []any{map[string]any{"id": 4}}})
	tests := []struct {
		path, key string
		want      int
	}{
		{"/api/Tickets?requesttype_id=4", "tickets", 2},
		{"/api/Tickets?requesttype=1,4", "tickets", 3},
		{"/api/Tickets?client_id=" + itoa(client), "tickets", 2},
		{"/api/Tickets?user_id=" + itoa(user), "tickets", 1},
		{"/api/Tickets?status_id=2", "tickets", 1},
		{"/api/Tickets?search=printer", "tickets", 1},
		{"/api/Tickets?ticketids=1,3", "tickets", 2},
		{"/api/Opportunities", "tickets", 1},
		{"/api/Opportunities?search_oppcompanyname=acme", "tickets", 1},
		{"/api/Users?search=JANE@acme", "users", 1},
		{"/api/Users?client_id=" + itoa(other), "users", 0},
		{"/api/Users?site_id=" + itoa(site), "users", 1},
		{"/api/Client?search=co", "clients", 1},
		{"/api/Client?search=co&includeinactive=true", "clients", 2},
		{"/api/Site?client_id=" + itoa(client), "sites", 1},
		{"/api/Status?tickettype_id=1", "", 6},
		{"/api/Status?tickettype_id=4", "", 7},
	}
	for _, tc := range tests {
		v := h.must(200, "GET", tc.path, nil)
		var rows []any
		if tc.key == "" {
			rows = v.([]any)
		} else {
			rows = v.(map[string]any)[tc.key].([]any)
		}
		if len(rows) != tc.want {
			t.Errorf("%s: %d rows, want %d", tc.path, len(rows), tc.want)
		}
	}
	if resp, body := h.do("GET", "/api/Tickets?client_id=abc", nil); resp.StatusCode != 400 {
		t.Errorf("malformed filter: %d %s", resp.StatusCode, body)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	id := h.create("/api/Tags", map[string]any{"text": "lead"}).ID()
	got := h.must(200, "DELETE", "/api/Tags/"+itoa(id), nil).(map[string]any)
	if got["text"] != "lead" {
		t.Errorf("deleted object %v", got)
	}
	h.must(404, "GET", "/api/Tags/"+itoa(id), nil)
	h.must(404, "DELETE", "/api/Tags/"+itoa(id), nil)
	if n := h.create("/api/Tags", map[string]any{"text": "next"}).ID(); n != id+1 {
		t.Errorf("id after delete %d, want %d (ids are never reused)", n, id+1)
	}
}
