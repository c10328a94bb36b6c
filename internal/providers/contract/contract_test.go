package contract_test

import (
	"bytes"
	"haloleads/internal/golden"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"haloleads/internal/providers/contract"
)

const spec = `
openapi: 3.1.0
servers:
  - url: https://api.example.com/v2
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-API-KEY}
  schemas:
    Detail:
      type: object
      properties:
        email: {type: string}
        org: {$ref: '#/components/schemas/Org'}
    Org:
      properties:
        domain: {type: string}
paths:
  /people/{id}:
    get:
      parameters:
        - {name: reveal, in: query}
  /people/match:
    post:
      description: |
        | Parameter | Type |
        | --- | --- |
        | personId | Long |
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                details: {type: array, items: {$ref: '#/components/schemas/Detail'}}
            example: {outputFields: [a]}
`

func TestParseCollectsEveryParameterName(t *testing.T) {
	t.Parallel()
	s, err := contract.Parse([]byte(spec), false)
	if err != nil {
		t.Fatal(err)
	}
	if s.BasePath() != "/v2" || strings.Join(s.AuthNames(), ",") != "x-api-key" {
		t.Errorf("base %q auth %v", s.BasePath(), s.AuthNames())
	}
	op := s.Find("POST", "/people/match")
	if op == nil {
		t.Fatal("POST /people/match not found")
	}
	for _, p := range []string{"details", "email", "org", "domain", "personId", "outputFields"} {
		if !op.Params[p] {
			t.Errorf("parameter %q missing from %v", p, op.Params)
		}
	}
	golden.JSON(t, "parse.golden.json", map[string]any{"base": s.BasePath(), "auth": s.AuthNames(),
		"post /people/match": op.Params, "get /people/{id}": s.Find("GET", "/people/{id}").Params})
	if s.Find("GET", "/people/abc") == nil || s.Find("GET", "/people/abc/x") != nil || s.Find("DELETE", "/people/abc") != nil {
		t.Error("path templates match wrongly")
	}
}

func TestViolations(t *testing.T) {
	t.Parallel()
	s, err := contract.Parse([]byte(spec), false)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		call    contract.Call
		noAuth  []string
		wantErr string
	}{
		{"conforming", contract.Call{Method: "GET", Path: "/people/7", Params: []string{"reveal"}, Headers: []string{"x-api-key"}}, nil, ""},
		{"unknown route", contract.Call{Method: "GET", Path: "/suppression", Headers: []string{"x-api-key"}}, nil, "no such route"},
		{"unknown parameter", contract.Call{Method: "GET", Path: "/people/7", Params: []string{"limit"}, Headers: []string{"x-api-key"}}, nil, `"limit"`},
		{"no credentials", contract.Call{Method: "GET", Path: "/people/7"}, nil, "credentials"},
		{"route without credentials", contract.Call{Method: "GET", Path: "/people/7"}, []string{"/people/{id}"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(s.Violations([]contract.Call{tt.call}, tt.noAuth...), "\n")
			if (tt.wantErr == "") != (got == "") || !strings.Contains(got, tt.wantErr) {
				t.Errorf("Violations = %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestRecorderRecordsQueryAndBodyKeys(t *testing.T) {
	t.Parallel()
	rec := &contract.Recorder{Prefix: "/hunter/v2", Next: http.NotFoundHandler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("POST", srv.URL+"/hunter/v2/people/match?reveal=true",
		bytes.NewReader([]byte(`{"details":[{"email":"a@b.example.com","org":{"domain":"b.example.com"}}]}`)))
	req.Header.Set("X-API-KEY", "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	calls := rec.Calls()
	if len(calls) != 1 || calls[0].Path != "/people/match" ||
		strings.Join(calls[0].Params, ",") != "details,domain,email,org,reveal" {
		t.Fatalf("recorded %+v", calls)
	}
	s, _ := contract.Parse([]byte(spec), false)
	if v := s.Violations(calls); len(v) != 1 || !strings.Contains(v[0], `"reveal"`) {
		t.Errorf("Violations = %v, want only reveal (documented on GET /people/{id}, not here)", v)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(spec), false)
	f.Add([]byte(`{"paths":{"/a":{"get":{"parameters":[{"$ref":"#/x"}]}}}}`), true)
	f.Add([]byte(`{"components":{"schemas":{"A":{"$ref":"#/components/schemas/A"}}},"paths":{"/a":{"post":{"requestBody":{"content":{"x":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		s, err := contract.Parse(data, isJSON)
		if err == nil {
			_ = s.Violations([]contract.Call{{Method: "GET", Path: "/a"}})
		}
	})
}
