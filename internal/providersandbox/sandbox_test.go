package providersandbox_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers/contract"
	"haloleads/internal/providersandbox"
)

func TestSeedIsDeterministicAndMadeUp(t *testing.T) {
	t.Parallel()
	a := providersandbox.New(providersandbox.Options{Seed: 42, People: 300})
	b := providersandbox.New(providersandbox.Options{Seed: 42, People: 300})
	c := providersandbox.New(providersandbox.Options{Seed: 43, People: 300})
	if !reflect.DeepEqual(a.People(), b.People()) {
		t.Error("the same seed gave different people")
	}
	if reflect.DeepEqual(a.People(), c.People()) {
		t.Error("different seeds gave the same people")
	}
	emails := map[string]bool{}
	for _, p := range a.People() {
		host := p.Email[strings.LastIndex(p.Email, "@")+1:]
		if !strings.HasSuffix(host, ".example.com") && !strings.HasSuffix(host, ".example.org") &&
			!strings.HasSuffix(host, ".example.net") {
			t.Errorf("%s is not on an example domain", p.Email)
		}
		if emails[p.Email] {
			t.Errorf("%s appears twice", p.Email)
		}
		emails[p.Email] = true
		if !strings.Contains(p.Direct, "-555-01") {
			t.Errorf("%s is not a fictional 555-01xx number", p.Direct)
		}
	}
}

func TestRoutesAreInTheContracts(t *testing.T) {
	t.Parallel()
	specs := map[lead.Source][]string{
		lead.Apollo: {"apollo/apollo-openapi.json"},
		lead.ZoomInfo: {"zoominfo/zoominfo-authentication-api-openapi.yml", "zoominfo/zoominfo-contact-search-api-openapi.yml",
			"zoominfo/zoominfo-contact-enrich-api-openapi.yml", "zoominfo/zoominfo-company-enrich-api-openapi.yml"},
		lead.Hunter: {"hunter/hunter-domain-search-api-openapi.yml", "hunter/hunter-email-finder-api-openapi.yml",
			"hunter/hunter-email-verifier-api-openapi.yml", "hunter/hunter-leads-api-openapi.yml"},
		lead.Lusha:  {"lusha/lusha-v2-openapi.yaml", "lusha/lusha-webhooks-api-openapi.yml"},
		lead.UpLead: {"uplead/uplead-openapi.json"},
	}
	sb := providersandbox.New(providersandbox.Options{People: 5})
	served := map[lead.Source]int{}
	for _, p := range lead.Providers {
		spec := contract.Open(t, specs[p]...)
		if !strings.HasSuffix(providersandbox.Prefix(p), spec.BasePath()) {
			t.Errorf("%s: prefix %s does not end with the contract's base path %q", p, providersandbox.Prefix(p), spec.BasePath())
		}
		for _, r := range sb.Routes() {
			if r.Provider == p {
				served[p]++
				if spec.Find(r.Method, r.Path) == nil {
					t.Errorf("%s serves %s %s, which its contract does not document", p, r.Method, r.Path)
				}
			}
		}
	}
	for _, p := range lead.Providers {
		if served[p] == 0 {
			t.Errorf("%s serves no route", p)
		}
	}
}

// get sends an authenticated request to the sandbox and decodes the JSON answer.
func get(t *testing.T, url string, header http.Header) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, resp.Header, body
}

func TestKnobs(t *testing.T) {
	t.Parallel()
	sb := providersandbox.New(providersandbox.Options{People: 20})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	key := http.Header{"Authorization": {providersandbox.DefaultAPIKey}}
	url := srv.URL + providersandbox.Prefix(lead.UpLead) + "/person-search?email=" + sb.People()[0].Email

	sb.RateLimit(lead.UpLead, 2, 4*time.Second)
	for i := range 2 {
		status, h, _ := get(t, url, key)
		if status != 429 || h.Get("Retry-After") != "4" || h.Get("X-RateLimit-Remaining") != "0" {
			t.Errorf("request %d: %d %v, want 429 with Retry-After 4", i+1, status, h)
		}
	}
	if status, _, body := get(t, url, key); status != 200 || body["data"] == nil {
		t.Errorf("after the forced 429s: %d %v, want the person", status, body)
	}
	if status, _, _ := get(t, url, http.Header{"Authorization": {"Bearer " + providersandbox.DefaultAPIKey}}); status != 401 {
		t.Errorf("a Bearer-prefixed key got %d, want 401 (UpLead takes the bare key)", status)
	}
	sb.ExhaustQuota(lead.UpLead, true)
	if status, _, _ := get(t, url, key); status != 402 {
		t.Errorf("with the quota spent: %d, want 402", status)
	}
	if sb.Credits(lead.UpLead) != 1 || sb.Requests(lead.UpLead) != 5 {
		t.Errorf("credits %d requests %d, want 1 and 5", sb.Credits(lead.UpLead), sb.Requests(lead.UpLead))
	}
	sb.ResetCounters()
	if sb.Credits(lead.UpLead) != 0 || sb.Requests(lead.UpLead) != 0 {
		t.Error("ResetCounters left counts")
	}
}

func TestApolloUnauthorizedIsPlainText(t *testing.T) {
	t.Parallel()
	sb := providersandbox.New(providersandbox.Options{People: 3})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+providersandbox.Prefix(lead.Apollo)+"/mixed_people/api_search", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("got %d %s, want a text/plain 401 as Apollo sends", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
