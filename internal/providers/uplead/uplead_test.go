package uplead_test

import (
	"context"
	"errors"
	"haloleads/internal/golden"
	"net/http/httptest"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
	"haloleads/internal/providers/contract"
	"haloleads/internal/providers/uplead"
	"haloleads/internal/providersandbox"
)

var seenAt = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

type env struct {
	sb     *providersandbox.Server
	rec    *contract.Recorder
	client *uplead.Client
}

func newEnv(t *testing.T, people int, company bool) *env {
	t.Helper()
	sb := providersandbox.New(providersandbox.Options{Seed: 9, People: people})
	rec := &contract.Recorder{Prefix: providersandbox.Prefix(lead.UpLead), Next: sb.Handler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c, err := uplead.New(uplead.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.UpLead),
		APIKey: providersandbox.DefaultAPIKey, CompanyDetails: company,
		Settings: providers.Settings{Now: func() time.Time { return seenAt }, MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, rec: rec, client: c}
}

func TestEnrichPersonAndCompany(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30, true)
	people := e.sb.People()[:8]
	var in []lead.Record
	companies := map[string]bool{}
	for i, p := range people {
		r := lead.Record{Source: lead.Manual, Values: lead.Values{lead.Email: p.Email}}
		if i%2 == 1 {
			r.Values = lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Domain: p.Company.Domain}
		}
		in = append(in, r)
		companies[p.Company.Domain] = true
	}
	recs, credits, err := e.client.Enrich(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(people) {
		t.Fatalf("got %d records, want %d", len(recs), len(people))
	}
	for i, r := range recs {
		p := people[i]
		if r.SourceID != p.UpLeadID || r.Get(lead.Email) != p.Email || r.Get(lead.HQStreet) != p.Company.Street ||
			r.Get(lead.HQPostcode) != p.Company.Postcode || r.Get(lead.FoundedYear) == "" {
			t.Errorf("record %d = %s %+v, want %s with its company's address", i, r.SourceID, r.Values, p.UpLeadID)
		}
	}
	want := len(people) + len(companies)
	if credits != want || e.sb.Credits(lead.UpLead) != want {
		t.Errorf("credits %d (sandbox %d), want %d: one per person and per company", credits, e.sb.Credits(lead.UpLead), want)
	}
	_, credits, err = e.client.Enrich(context.Background(), recs)
	if err != nil || credits != 0 {
		t.Errorf("re-downloading: %d credits, %v; want 0", credits, err)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setup     func(sb *providersandbox.Server)
		status    int
		retryable bool
		quota     bool
		after     time.Duration
	}{
		{"rate limit", func(sb *providersandbox.Server) { sb.RateLimit(lead.UpLead, 1, 30*time.Second) }, 429, true, false, 30 * time.Second},
		{"no credits", func(sb *providersandbox.Server) { sb.ExhaustQuota(lead.UpLead, true) }, 402, false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 5, false)
			tt.setup(e.sb)
			_, _, err := e.client.Enrich(context.Background(), []lead.Record{{Values: lead.Values{lead.Email: e.sb.People()[0].Email}}})
			var ae *providers.APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.status || ae.Retryable != tt.retryable ||
				ae.QuotaExhausted != tt.quota || ae.RetryAfter != tt.after {
				t.Fatalf("got %v, want %d retryable %v quota %v after %s", err, tt.status, tt.retryable, tt.quota, tt.after)
			}
		})
	}
}

func TestClientSpeaksTheContract(t *testing.T) {
	t.Parallel()
	spec := contract.Open(t, "uplead/uplead-openapi.json")
	e := newEnv(t, 10, true)
	p := e.sb.People()[2]
	in := []lead.Record{{Source: lead.UpLead, SourceID: p.UpLeadID}, {Values: lead.Values{lead.Email: p.Email}},
		{Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Domain: p.Company.Domain}}}
	if _, _, err := e.client.Enrich(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	for _, v := range spec.Violations(e.rec.Calls()) {
		t.Error(v)
	}
}

func TestGoldenEnrichment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 20, true)
	var in []lead.Record
	for _, p := range e.sb.People()[:3] {
		in = append(in, lead.Record{Source: lead.Manual, Values: lead.Values{lead.Email: p.Email}})
	}
	recs, _, err := e.client.Enrich(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, "enrich.golden.json", recs)
}
