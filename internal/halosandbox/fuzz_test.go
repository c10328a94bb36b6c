package halosandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func FuzzParsePostBody(f *testing.F) {
	for _, seed := range []string{
		`[{"summary":"x","tickettype_id":1}]`, `[{"ID":"95.0"}]`, `{"name":"x"}`, `[]`, `[1,2]`,
		`[{"customfields":[{"id":1,"value":"v"}]}] trailing`, `[{"a":1,"A":2}]`, ``, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ParsePostBody(data)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T %v, want *ParseError", err, err)
			}
			return
		}
		if len(items) == 0 {
			t.Fatal("no error and no items")
		}
		for _, it := range items {
			for k := range it {
				if k != strings.ToLower(k) {
					t.Fatalf("key %q not lowercased", k)
				}
			}
		}
		again, err := json.Marshal(items)
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		back, err := ParsePostBody(again)
		if err != nil || len(back) != len(items) {
			t.Fatalf("round trip: %v, %d items, want %d", err, len(back), len(items))
		}
	})
}

// FuzzPostTickets throws arbitrary bodies at POST /api/Tickets: the sandbox must answer with a
// client error or a creation, never a 5xx or a panic.
func FuzzPostTickets(f *testing.F) {
	for _, seed := range []string{
		`[{"summary":"x","tickettype_id":1}]`, `[{"id":1,"status_id":9}]`, `[{"tickettype_id":"2","client_id":-1}]`,
		`[{"tickettype_id":1,"customfields":[{"id":1,"value":null}]}]`, `[{"tickettype_id":1,"customfields":{}}]`,
		`[{"id":"00000000-0000-0000-0000-000000000000"}]`, `[{"tickettype_id":1e3}]`,
	} {
		f.Add([]byte(seed))
	}
	sb, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	tok := issueDirect(f, sb)
	f.Fuzz(func(t *testing.T, data []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/Tickets", bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("status %d for %q: %s", rec.Code, data, rec.Body)
		}
	})
}

// issueDirect gets a token from sb without a network server.
func issueDirect(tb testing.TB, sb *Server) string {
	tb.Helper()
	sb.SetRateLimit(-1, DefaultRateWindow)
	req := httptest.NewRequest(http.MethodPost, "/auth/token",
		strings.NewReader("grant_type=client_credentials&client_id="+DefaultClientID+"&client_secret="+DefaultClientSecret))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, req)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tr); err != nil || tr.AccessToken == "" {
		tb.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	return tr.AccessToken
}
