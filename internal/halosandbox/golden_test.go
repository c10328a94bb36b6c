package halosandbox

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenSession replays a lead's life through the API and compares every answer with
// testdata/session.golden: the wire shapes a client sees (envelopes, detail objects, custom
// fields, dates, errors).
func TestGoldenSession(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	steps := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/FieldInfo", []any{map[string]any{"name": "LeadSource", "type": TypeDropdown, "usage": "ticket"}}},
		{"POST", "/api/Lookup", []any{map[string]any{"lookupid": 1000, "name": "Apollo.io"}, map[string]any{"lookupid": 1000, "name": "Lusha"}}},
		{"GET", "/api/Lookup?lookupid=1000", nil},
		{"POST", "/api/Client", []any{map[string]any{"name": "Acme Ltd", "website": "https://acme.example"}}},
		{"POST", "/api/Site", []any{map[string]any{"name": "Main", "client_id": 1}}},
		{"POST", "/api/Users", []any{map[string]any{"firstname": "Jane", "surname": "Doe", "emailaddress": "jane@acme.example", "title": "CTO", "site_id": 1}}},
		{"POST", "/api/Tickets", []any{map[string]any{"summary": "Lead: Jane Doe", "tickettype_id": 4, "client_id": 1, "site_id": 1, "user_id": 1,
			"customfields": []any{map[string]any{"id": 1, "value": 1}}, "tags": []any{map[string]any{"text": "apollo"}}}}},
		{"GET", "/api/Tickets?requesttype_id=4&pageinate=true&page_size=10&page_no=1", nil},
		{"POST", "/api/Tickets", []any{map[string]any{"id": 1, "status_id": 2, "oppvalue": 1200}}},
		{"GET", "/api/Tickets/1?includedetails=true", nil},
		{"POST", "/api/Actions", []any{map[string]any{"ticket_id": 1, "note": "no outcome"}}},
		{"POST", "/api/Actions", []any{map[string]any{"ticket_id": 1, "outcome": "Note", "note": "called", "new_status": 9}}},
		{"GET", "/api/Actions?ticket_id=1", nil},
		{"GET", "/api/Users?search=jane", nil},
		{"POST", "/api/Tickets", `{"summary":"not an array"}`},
		{"GET", "/api/Status", nil},
	}
	var out bytes.Buffer
	for _, st := range steps {
		h.clock.Advance(1500e6)
		resp, body := h.do(st.method, st.path, st.body)
		fmt.Fprintf(&out, "### %s %s -> %d %s\n", st.method, st.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "", "  ") != nil {
			pretty.Reset()
			pretty.Write(body)
		}
		out.Write(pretty.Bytes())
		out.WriteString("\n\n")
	}
	compareGolden(t, "session.golden", out.Bytes())
}

// compareGolden compares got with testdata/name, or rewrites it under -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run with -update and review the diff\ngot:\n%s", path, got)
	}
}
