package halosandbox

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// swagger is the part of Halo's OpenAPI file the conformance tests read.
type swagger struct {
	Paths map[string]map[string]struct {
		Parameters []struct {
			Name string `json:"name"`
			In   string `json:"in"`
		} `json:"parameters"`
		RequestBody struct {
			Content map[string]struct {
				Schema struct {
					Items struct {
						Ref string `json:"$ref"`
					} `json:"items"`
				} `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

// loadSwagger reads ../shared/contracts/halopsa/swagger.json beside the module root, or skips.
func loadSwagger(t *testing.T) *swagger {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "contracts", "halopsa", "swagger.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Halo swagger contract not found at %s: the conformance checks need the shared contracts checkout beside the repository", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var sw swagger
	if err := json.Unmarshal(data, &sw); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	return &sw
}

// verbs lists a swagger path's verbs, upper case and sorted.
func (sw *swagger) verbs(path string) []string {
	var out []string
	for v := range sw.Paths[path] {
		out = append(out, strings.ToUpper(v))
	}
	sort.Strings(out)
	return out
}

// TestConformance checks the sandbox against Halo's swagger, read once.
func TestConformance(t *testing.T) {
	t.Parallel()
	sw := loadSwagger(t)
	checks := []struct {
		name  string
		check func(*testing.T, *swagger)
	}{
		{"routes exist", routesExist},
		{"verbs over HTTP", verbsOverHTTP},
		{"query params", queryParamsExist},
		{"field names", fieldNamesExist},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, sw)
		})
	}
}

// routesExist: every served route pattern is in the swagger with the same verbs.
func routesExist(t *testing.T, sw *swagger) {
	sb, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range sb.Routes() {
		if _, ok := sw.Paths[rt.Pattern]; !ok {
			t.Errorf("served route %s is not in the swagger", rt.Pattern)
			continue
		}
		served := slices.Sorted(slices.Values(rt.Methods))
		if want := sw.verbs(rt.Pattern); !slices.Equal(served, want) {
			t.Errorf("%s: served verbs %v, swagger has %v", rt.Pattern, served, want)
		}
	}
}

// verbsOverHTTP: verbs the swagger lacks answer 405, verbs it has do not.
func verbsOverHTTP(t *testing.T, sw *swagger) {
	h := start(t, Options{})
	for _, rt := range h.sb.Routes() {
		path := "/api" + strings.ReplaceAll(rt.Pattern, "{id}", "1")
		if strings.HasPrefix(rt.Pattern, "/Webhook/") {
			path = "/api/Webhook/" + nilGUID
		}
		swVerbs := sw.verbs(rt.Pattern)
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			resp, _ := h.do(m, path, "[]")
			notAllowed := resp.StatusCode == http.StatusMethodNotAllowed
			if slices.Contains(swVerbs, m) == notAllowed || resp.StatusCode == http.StatusNotFound && !strings.Contains(rt.Pattern, "{id}") {
				t.Errorf("%s %s: %d; swagger verbs %v", m, path, resp.StatusCode, swVerbs)
			}
		}
	}
}

// queryParamsExist: every query parameter the sandbox honours is in the swagger.
func queryParamsExist(t *testing.T, sw *swagger) {
	// The query parameters each list route honours (see filters.go).
	queryParams := map[string][]string{
		"/Tickets":       {"requesttype_id", "requesttype", "client_id", "site_id", "user_id", "agent_id", "status_id", "ticketids", "search", "search_oppcompanyname", "search_oppemailaddress", "pageinate", "page_no", "page_size", "count"},
		"/Opportunities": {"requesttype_id", "client_id", "status_id", "search", "search_oppcompanyname", "pageinate", "page_no", "page_size", "count"},
		"/Users":         {"client_id", "site_id", "search", "includeinactive", "pageinate", "page_no", "page_size", "count"},
		"/Client":        {"search", "includeinactive", "pageinate", "page_no", "page_size", "count"},
		"/Site":          {"client_id", "search", "includeinactive", "pageinate", "page_no", "page_size", "count"},
		"/Actions":       {"ticket_id", "count"},
		"/Status":        {"tickettype_id"},
		"/Lookup":        {"lookupid"},
		"/Tickets/{id}":  {"includedetails"},
	}
	for path, params := range queryParams {
		get, ok := sw.Paths[path]["get"]
		if !ok {
			t.Errorf("no GET %s in the swagger", path)
			continue
		}
		var names []string
		for _, p := range get.Parameters {
			names = append(names, p.Name)
		}
		for _, p := range params {
			if !slices.Contains(names, p) {
				t.Errorf("GET %s: parameter %s is not in the swagger", path, p)
			}
		}
	}
}

// fieldNamesExist: every field the sandbox returns on detail objects, including the ones it
// derives itself, is a property of the resource's swagger schema.
func fieldNamesExist(t *testing.T, sw *swagger) {
	h := start(t, Options{})
	client, site, user := h.seedLead()
	cf := h.create("/api/FieldInfo", map[string]any{"name": "CFSource", "type": TypeDropdown})
	h.create("/api/Lookup", map[string]any{"lookupid": cf.Int("lookup"), "name": "Apollo.io"})
	h.create("/api/Opportunities", map[string]any{"tickettype_id": 1, "client_id": client, "site_id": site, "user_id": user, "status_id": ClosedStatusID})
	h.create("/api/Actions", map[string]any{"ticket_id": 1, "outcome": "Note", "new_status": 2})
	h.create("/api/Tags", map[string]any{"text": "lead"})
	h.create("/api/DistributionLists", map[string]any{"name": "L", "addtheseusers": []any{user}})
	wh := h.create("/api/Webhook", map[string]any{"url": "https://example.invalid/"})
	for _, rt := range h.sb.Routes() {
		if !strings.HasSuffix(rt.Pattern, "{id}") {
			continue
		}
		id := "1"
		if strings.HasPrefix(rt.Pattern, "/Webhook/") {
			id = wh.String("id")
		}
		base := strings.TrimSuffix(rt.Pattern, "/{id}")
		ref := sw.Paths[base]["post"].RequestBody.Content["application/json"].Schema.Items.Ref
		props := sw.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")].Properties
		obj := h.must(http.StatusOK, "GET", "/api"+base+"/"+id, nil).(map[string]any)
		for k := range obj {
			if _, ok := props[k]; !ok {
				t.Errorf("%s: field %s is not in schema %s", base, k, ref)
			}
		}
		for _, e := range asList(obj["customfields"]) {
			for k := range e.(map[string]any) {
				if _, ok := sw.Components.Schemas["CustomField"].Properties[k]; !ok {
					t.Errorf("%s: custom-field key %s is not in schema CustomField", base, k)
				}
			}
		}
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }
