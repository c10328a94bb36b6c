package providersandbox_test

import (
	"bytes"
	"encoding/json"
	"haloleads/internal/golden"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providersandbox"
)

// TestGoldenAnswers pins the wire shapes the sandbox answers with for a fixed seed and clock.
func TestGoldenAnswers(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	sb := providersandbox.New(providersandbox.Options{Seed: 1, People: 12, Now: func() time.Time { return at }})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	p := sb.People()[0]
	key := providersandbox.DefaultAPIKey
	tests := []struct {
		name, method, path, body string
		header                   http.Header
	}{
		{"apollo-search", "POST", "/apollo/api/v1/mixed_people/api_search?per_page=2", "", http.Header{"X-Api-Key": {key}}},
		{"apollo-bulk-match", "POST", "/apollo/api/v1/people/bulk_match", `{"details":[{"id":"` + p.ApolloID + `"},{"email":"no@x.example.com"}]}`, http.Header{"X-Api-Key": {key}}},
		{"zoominfo-authenticate", "POST", "/zoominfo/authenticate", `{"username":"sandbox","password":"sandbox-password"}`, nil},
		{"hunter-domain-search", "GET", "/hunter/v2/domain-search?limit=2&domain=" + p.Company.Domain, "", http.Header{"X-Api-Key": {key}}},
		{"hunter-verifier", "GET", "/hunter/v2/email-verifier?email=" + p.Email, "", http.Header{"X-Api-Key": {key}}},
		{"lusha-person", "GET", "/lusha/v2/person?email=" + p.Email, "", http.Header{"Api_key": {key}}},
		{"uplead-person", "GET", "/uplead/v2/person-search?email=" + p.Email, "", http.Header{"Authorization": {key}}},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, bytes.NewReader([]byte(tt.body)))
		for k, v := range tt.header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %d %s is not JSON", tt.name, resp.StatusCode, data)
		}
		golden.JSON(t, tt.name+".golden.json", map[string]any{"status": resp.StatusCode, "body": v})
	}
}

// BenchmarkBulkMatch measures the sandbox serving Apollo bulk matches over HTTP.
func BenchmarkBulkMatch(b *testing.B) {
	sb := providersandbox.New(providersandbox.Options{Seed: 1, People: 2000})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	var details []string
	for _, p := range sb.People()[1990:] {
		details = append(details, `{"email":"`+p.Email+`"}`)
	}
	body := `{"details":[` + strings.Join(details, ",") + `]}`
	for b.Loop() {
		req, _ := http.NewRequest("POST", srv.URL+providersandbox.Prefix(lead.Apollo)+"/people/bulk_match", strings.NewReader(body))
		req.Header.Set("x-api-key", providersandbox.DefaultAPIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "people/s")
}
