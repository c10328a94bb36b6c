package halosandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestPostCreateAndPartialUpdate(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	client, site, user := h.seedLead()
	tk := h.create("/api/Tickets", map[string]any{"summary": "Lead: Jane Doe", "details": "from Apollo",
		"tickettype_id": 4, "client_id": client, "site_id": site, "user_id": user,
		"tags": []any{map[string]any{"id": 1, "text": "apollo"}}, "oppemailaddress": "jane@acme.example"})
	if tk.ID() != 1 || tk.Int("status_id") != 1 || tk.String("client_name") != "Acme Ltd" ||
		tk.String("user_email") != "jane@acme.example" || tk.String("datecreated") != "2026-09-25T06:41:08.7895915" {
		t.Fatalf("created ticket %v", tk)
	}
	h.clock.Advance(60e9)
	up := h.create("/api/tickets", map[string]any{"id": tk.ID(), "summary": "Lead: Jane Doe (Acme)"})
	for _, f := range []string{"details", "client_id", "user_id", "site_id", "tickettype_id", "oppemailaddress", "datecreated"} {
		if textOf(up[f]) != textOf(tk[f]) {
			t.Errorf("partial update changed %s: %v -> %v", f, tk[f], up[f])
		}
	}
	if up.String("summary") != "Lead: Jane Doe (Acme)" || up.String("last_update") == tk.String("last_update") {
		t.Errorf("update not applied: %v", up)
	}
	if tags, _ := up["tags"].([]any); len(tags) != 1 {
		t.Errorf("tags lost: %v", up["tags"])
	}
	got := Record(h.must(200, "GET", "/api/Tickets/1", nil).(map[string]any))
	if got.String("summary") != up.String("summary") {
		t.Errorf("GET after update: %v", got)
	}
	// A string id works like a number (Halo accepts "130"); the key case does not matter.
	h.create("/api/Tickets", map[string]any{"ID": "1", "Summary": "renamed"})
	if s := h.sb.Tickets()[0].String("summary"); s != "renamed" {
		t.Errorf("case-insensitive keys: summary %q", s)
	}
}

func TestPostMultiItem(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	two := []any{map[string]any{"name": "A"}, map[string]any{"name": "B"}}
	arr := h.must(201, "POST", "/api/Client", two).([]any)
	if len(arr) != 2 || Record(arr[1].(map[string]any)).ID() != 2 {
		t.Fatalf("multi-item answer %v", arr)
	}
	h.sb.SetFirstObjectOnly(true)
	obj := h.must(201, "POST", "/api/Client", two).(map[string]any)
	if Record(obj).ID() != 3 || len(h.sb.Customers()) != 4 {
		t.Fatalf("first-object answer %v, %d clients", obj, len(h.sb.Customers()))
	}
	// An item may update a record created earlier in the same POST.
	h.sb.SetFirstObjectOnly(false)
	arr = h.must(201, "POST", "/api/Tags", []any{map[string]any{"text": "x"}, map[string]any{"id": 1, "text": "y"}}).([]any)
	if len(arr) != 2 || h.must(200, "GET", "/api/Tags/1", nil).(map[string]any)["text"] != "y" {
		t.Errorf("create-then-update in one POST: %v", arr)
	}
}

func TestPostErrors(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	client, _, _ := h.seedLead()
	h.create("/api/Tickets", map[string]any{"tickettype_id": 1})
	tests := []struct {
		name, path string
		body       any
		status     int
		want       string // substring of the body
	}{
		{"ticket without type", "/api/Tickets", []any{map[string]any{"summary": "x"}}, 400, "Please select a Ticket Type"},
		{"ticket with unknown type", "/api/Tickets", []any{map[string]any{"tickettype_id": 77}}, 400, "Ticket Type 77 does not exist"},
		{"ticket with unknown client", "/api/Tickets", []any{map[string]any{"tickettype_id": 1, "client_id": 55}}, 400, "Client 55 does not exist"},
		{"action without outcome", "/api/Actions", []any{map[string]any{"ticket_id": 1, "note": "hi"}}, 400, "An Outcome must be entered for this Action"},
		{"action on unknown ticket", "/api/Actions", []any{map[string]any{"ticket_id": 99, "outcome": "Note"}}, 400, "Ticket 99 does not exist"},
		{"user without site", "/api/Users", []any{map[string]any{"name": "Bob"}}, 400, "Site"},
		{"site without client", "/api/Site", []any{map[string]any{"name": "HQ"}}, 400, "Client"},
		{"client without name", "/api/Client", []any{map[string]any{"website": "x"}}, 400, "name"},
		{"update unknown id", "/api/Tickets", []any{map[string]any{"id": 999, "summary": "x"}}, 404, "Ticket 999 not found"},
		{"float id", "/api/Users", []any{map[string]any{"id": "95.0", "name": "x"}}, 400, "$[0].id"},
		{"object instead of array", "/api/Client", map[string]any{"name": "x"}, 400, "One or more validation errors occurred."},
		{"empty array", "/api/Client", []any{}, 400, "empty"},
		{"not json", "/api/Client", "[{", 400, "not valid JSON"},
		{"item not an object", "/api/Client", []any{1}, 400, "$[0]"},
		{"unknown custom field", "/api/Client", []any{map[string]any{"id": client, "customfields": []any{map[string]any{"id": 5, "value": "x"}}}}, 400, "Custom field 5 does not exist"},
		{"webhook bad url", "/api/Webhook", []any{map[string]any{"name": "w", "url": "ftp://x"}}, 400, "Payload URL"},
		{"webhook bad guid", "/api/Webhook", []any{map[string]any{"id": "nope", "url": "http://x"}}, 400, "System.Guid"},
		{"lookup without table", "/api/Lookup", []any{map[string]any{"name": "Apollo.io"}}, 400, "lookupid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := h.do("POST", tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
				t.Errorf("%d %s; want %d containing %q", resp.StatusCode, body, tc.status, tc.want)
			}
		})
	}
}

func TestPostIsAtomic(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	resp, body := h.do("POST", "/api/Client", []any{map[string]any{"name": "ok"}, map[string]any{"id": 42, "name": "missing"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d %s", resp.StatusCode, body)
	}
	if n := len(h.sb.Customers()); n != 0 {
		t.Fatalf("%d clients stored after a failed POST", n)
	}
	if id := h.create("/api/Client", map[string]any{"name": "first"}).ID(); id != 1 {
		t.Errorf("id %d after a failed POST, want 1", id)
	}
	if st := h.sb.Stats(); st.Writes != 1 {
		t.Errorf("Writes %d, want 1 (failed POSTs are not writes)", st.Writes)
	}
}

func TestCustomFields(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	text := h.create("/api/FieldInfo", map[string]any{"name": "LeadScore", "label": "Lead score", "type": 0, "usage": "ticket"})
	drop := h.create("/api/FieldInfo", map[string]any{"name": "CFLeadSource", "type": TypeDropdown, "usage": UsageTicket})
	userCF := h.create("/api/FieldInfo", map[string]any{"name": "CFLinkedIn", "usage": "user"})
	if text.String("name") != "CFLeadScore" || drop.Int("lookup") <= 0 || userCF.Int("usage") != UsageUser {
		t.Fatalf("definitions %v %v %v", text, drop, userCF)
	}
	apollo := h.create("/api/Lookup", map[string]any{"lookupid": drop.Int("lookup"), "name": "Apollo.io"})
	h.create("/api/Lookup", map[string]any{"lookupid": drop.Int("lookup"), "name": "ZoomInfo"})
	other := h.create("/api/Lookup", map[string]any{"lookupid": 5, "name": "elsewhere"})

	tk := h.create("/api/Tickets", map[string]any{"tickettype_id": 1, "customfields": []any{
		map[string]any{"id": text.ID(), "value": "87"}, map[string]any{"id": drop.ID(), "value": apollo.ID()}}})
	cfs := byName(t, tk["customfields"])
	if cfs["CFLeadScore"]["value"] != "87" || cfs["CFLeadSource"]["display"] != "Apollo.io" || len(cfs) != 2 {
		t.Fatalf("POST answer custom fields %v", tk["customfields"])
	}
	list := h.must(200, "GET", "/api/Tickets", nil).(map[string]any)["tickets"].([]any)
	if cf, ok := list[0].(map[string]any)["customfields"]; !ok || cf != nil {
		t.Errorf("list row customfields = %v (present %v), want null", cf, ok)
	}
	// A partial custom-field write keeps the other values.
	h.create("/api/Tickets", map[string]any{"id": tk.ID(), "customfields": []any{map[string]any{"id": text.ID(), "value": "90"}}})
	detail := h.must(200, "GET", "/api/Tickets/"+itoa(tk.ID())+"?includedetails=true", nil).(map[string]any)
	cfs = byName(t, detail["customfields"])
	if cfs["CFLeadScore"]["value"] != "90" || cfs["CFLeadSource"]["display"] != "Apollo.io" {
		t.Errorf("detail custom fields %v", detail["customfields"])
	}
	bad := []struct {
		name string
		cf   map[string]any
		want string
	}{
		{"user field on a ticket", map[string]any{"id": userCF.ID(), "value": "x"}, "does not exist"},
		{"by name", map[string]any{"name": "CFLeadScore", "value": "x"}, "numeric id"},
		{"lookup row of another table", map[string]any{"id": drop.ID(), "value": other.ID()}, "not a valid value"},
		{"dropdown by text", map[string]any{"id": drop.ID(), "value": "Apollo.io"}, "not a valid value"},
	}
	for _, tc := range bad {
		resp, body := h.do("POST", "/api/Tickets", []any{map[string]any{"id": tk.ID(), "customfields": []any{tc.cf}}})
		if resp.StatusCode != 400 || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, body)
		}
	}
	dup, body := h.do("POST", "/api/FieldInfo", []any{map[string]any{"name": "leadscore", "usage": 1}})
	if dup.StatusCode != 400 {
		t.Errorf("duplicate field name: %d %s", dup.StatusCode, body)
	}
}

// byName indexes a customfields array by field name.
func byName(t *testing.T, v any) map[string]map[string]any {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("customfields %T %v, want an array", v, v)
	}
	out := map[string]map[string]any{}
	for _, e := range list {
		m := e.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

func TestDistributionListMembers(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	_, site, jane := h.seedLead()
	bob := h.create("/api/Users", map[string]any{"name": "Bob", "emailaddress": "bob@acme.example", "site_id": site}).ID()
	dl := h.create("/api/DistributionLists", map[string]any{"name": "Prospects",
		"addtheseusers": []any{map[string]any{"id": jane}, map[string]any{"id": bob}}})
	if dl.Int("users_count") != 2 {
		t.Fatalf("list %v", dl)
	}
	dl = h.create("/api/DistributionLists", map[string]any{"id": dl.ID(),
		"removetheseusers": []any{map[string]any{"id": jane}}, "addtheseusers": []any{bob}})
	members := dl["members"].([]any)
	if dl.Int("users_count") != 1 || Record(members[0].(map[string]any)).Int("user_id") != bob {
		t.Errorf("after remove: %v", dl)
	}
	if _, ok := dl["addtheseusers"]; ok {
		t.Errorf("addtheseusers stored: %v", dl)
	}
	resp, body := h.do("POST", "/api/DistributionLists", []any{map[string]any{"id": dl.ID(), "addtheseusers": []any{999}}})
	if resp.StatusCode != 400 {
		t.Errorf("unknown member: %d %s", resp.StatusCode, body)
	}
}

func TestActionNewStatusMovesTicket(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	tk := h.create("/api/Tickets", map[string]any{"tickettype_id": 1})
	act := h.create("/api/Actions", map[string]any{"ticket_id": tk.ID(), "outcome_id": 7, "note": "qualified", "new_status": ClosedStatusID})
	if act.String("actiondatecreated") == "" {
		t.Errorf("action %v", act)
	}
	got := h.sb.Tickets()[0]
	if got.Int("status_id") != ClosedStatusID || !got.Bool("hasbeenclosed") {
		t.Errorf("ticket after action %v", got)
	}
	rows := h.must(200, "GET", "/api/Actions?ticket_id="+itoa(tk.ID()), nil).(map[string]any)["actions"].([]any)
	if len(rows) != 1 {
		t.Errorf("actions %v", rows)
	}
}

func TestWebhookHidesPassword(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	wh := h.create("/api/Webhook", map[string]any{"name": "leads", "url": "https://example.invalid/hook",
		"basic_username": "halo", "basic_password": "s3cret"})
	if !isGUID(wh.String("id")) {
		t.Fatalf("webhook id %v", wh["id"])
	}
	resp, body := h.do("GET", "/api/Webhook/"+wh.String("id"), nil)
	if resp.StatusCode != 200 || strings.Contains(string(body), "s3cret") {
		t.Errorf("GET webhook: %d %s", resp.StatusCode, body)
	}
	var m map[string]any
	json.Unmarshal(body, &m)
	if m["basic_username"] != "halo" || m["active"] != true {
		t.Errorf("webhook %v", m)
	}
}

func TestConcurrentWritesGetDistinctIDs(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	const workers, each = 4, 10
	done := make(chan []int)
	for range workers {
		go func() {
			var ids []int
			for range each {
				resp, body := h.do("POST", "/api/Client", []any{map[string]any{"name": "c"}})
				var m map[string]any
				if resp.StatusCode == 201 && json.Unmarshal(body, &m) == nil {
					ids = append(ids, Record(m).ID())
				}
			}
			done <- ids
		}()
	}
	seen := map[int]bool{}
	for range workers {
		for _, id := range <-done {
			seen[id] = true
		}
	}
	for id := 1; id <= workers*each; id++ {
		if !seen[id] {
			t.Errorf("id %d missing; ids must be 1..%d in creation order", id, workers*each)
		}
	}
}
