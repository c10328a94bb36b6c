package hunter_test

import (
	"context"
	"errors"
	"haloleads/internal/golden"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
	"haloleads/internal/providers/contract"
	"haloleads/internal/providers/hunter"
	"haloleads/internal/providersandbox"
)

var seenAt = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

type env struct {
	sb     *providersandbox.Server
	rec    *contract.Recorder
	client *hunter.Client
	mu     sync.Mutex
	waits  []time.Duration
}

func newEnv(t *testing.T, people, maxPolls int) *env {
	t.Helper()
	e := &env{sb: providersandbox.New(providersandbox.Options{Seed: 5, People: people})}
	e.rec = &contract.Recorder{Prefix: providersandbox.Prefix(lead.Hunter), Next: e.sb.Handler()}
	srv := httptest.NewServer(e.rec)
	t.Cleanup(srv.Close)
	c, err := hunter.New(hunter.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Hunter),
		APIKey: providersandbox.DefaultAPIKey, MaxPolls: maxPolls, PollInterval: 1500 * time.Millisecond,
		Settings: providers.Settings{Now: func() time.Time { return seenAt }, MaxRetries: -1, Sleep: e.sleep}})
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	return e
}

func (e *env) sleep(_ context.Context, d time.Duration) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waits = append(e.waits, d)
	return nil
}

// person returns the first seeded person for whom ok is true.
func (e *env) person(t *testing.T, ok func(*providersandbox.Person) bool) *providersandbox.Person {
	t.Helper()
	for _, p := range e.sb.People() {
		if ok(p) {
			return p
		}
	}
	t.Fatal("no seeded person fits")
	return nil
}

func TestDomainSearchPagesAcrossDomains(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 120, 3)
	d1, d2 := e.sb.Companies()[0].Domain, e.sb.Companies()[1].Domain
	want := 0
	for _, p := range e.sb.People() {
		if (p.Company.Domain == d1 || p.Company.Domain == d2) && !p.Claimed {
			want++
		}
	}
	var got []lead.Record
	credits, pages := 0, 0
	for cursor := ""; ; pages++ {
		page, err := e.client.Search(context.Background(), providers.Query{Domains: []string{d1, d2}, PageSize: 4}, cursor)
		if err != nil {
			t.Fatal(err)
		}
		got, credits = append(got, page.Records...), credits+page.Credits
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if len(got) != want || want == 0 {
		t.Fatalf("pulled %d people, want %d (claimed addresses are never listed)", len(got), want)
	}
	for _, r := range got {
		if r.Source != lead.Hunter || r.Get(lead.Email) == "" || r.Get(lead.Company) == "" || !r.SeenAt.Equal(seenAt) {
			t.Errorf("record %+v lacks source, email, company or time", r)
		}
	}
	if credits != e.sb.Credits(lead.Hunter) || credits != pages+1 {
		t.Errorf("credits %d, sandbox %d, pages %d: want one per page of up to 10", credits,
			e.sb.Credits(lead.Hunter), pages+1)
	}
}

func TestVerifierPollsUntil200(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pending  int
		maxPolls int
		wantErr  bool
	}{
		{"answers at once", 0, 3, false},
		{"202 twice then 200", 2, 3, false},
		{"still running after the last poll", 3, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 20, tt.maxPolls)
			e.sb.SetPendingVerifications(tt.pending)
			p := e.person(t, func(p *providersandbox.Person) bool { return !p.Claimed })
			recs, credits, err := e.client.Enrich(context.Background(), []lead.Record{{Source: lead.Manual,
				Values: lead.Values{lead.Email: p.Email, lead.FirstName: p.First, lead.LastName: p.Last}}})
			var ae *providers.APIError
			if tt.wantErr {
				if !errors.As(err, &ae) || !ae.Retryable || ae.StatusCode != 202 {
					t.Fatalf("got %v, want a retryable 202 APIError", err)
				}
				return
			}
			if err != nil || len(recs) != 1 || credits != 1 {
				t.Fatalf("Enrich = %d records, %d credits, %v", len(recs), credits, err)
			}
			wantStatus := map[string]string{"valid": "valid", "accept_all": "accept_all", "unknown": "unknown",
				"invalid": "invalid"}[p.EmailStatus]
			if recs[0].Get(lead.EmailStatus) != wantStatus || recs[0].Get(lead.EmailConfidence) == "" {
				t.Errorf("status %q confidence %q, want %q and a score", recs[0].Get(lead.EmailStatus),
					recs[0].Get(lead.EmailConfidence), wantStatus)
			}
			if len(e.waits) != tt.pending {
				t.Errorf("waited %d times, want %d", len(e.waits), tt.pending)
			}
		})
	}
}

func TestClaimedEmailBecomesDoNotContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 120, 3)
	p := e.person(t, func(p *providersandbox.Person) bool { return p.Claimed })
	in := []lead.Record{
		{Source: lead.Manual, Values: lead.Values{lead.Email: p.Email}},
		{Source: lead.Manual, Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last,
			lead.Domain: p.Company.Domain}},
	}
	recs, credits, err := e.client.Enrich(context.Background(), in)
	if err != nil {
		t.Fatalf("a 451 must not be an error: %v", err)
	}
	if len(recs) != 2 || credits != 0 {
		t.Fatalf("got %d records, %d credits; want both rows kept, free", len(recs), credits)
	}
	for i, r := range recs {
		if r.Get(lead.DoNotContact) != "true" {
			t.Errorf("record %d %+v is not Do Not Contact", i, r.Values)
		}
	}
	if recs[0].Get(lead.Email) != p.Email || recs[1].Get(lead.LastName) != p.Last {
		t.Errorf("the flagged records lost their identity: %+v", recs)
	}
}

func TestFinderFillsTheAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 40, 3)
	p := e.person(t, func(p *providersandbox.Person) bool { return !p.Claimed })
	recs, credits, err := e.client.Enrich(context.Background(), []lead.Record{
		{Source: lead.Manual, Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Company: p.Company.Name}},
		{Source: lead.Manual, Values: lead.Values{lead.FirstName: "Nobody", lead.LastName: "Known", lead.Domain: "none.example.org"}},
		{Source: lead.Manual, Values: lead.Values{lead.FirstName: "Only"}},
	})
	if err != nil || len(recs) != 1 || credits != 1 {
		t.Fatalf("Enrich = %d records, %d credits, %v; want the one person found", len(recs), credits, err)
	}
	if recs[0].Get(lead.Email) != p.Email || recs[0].Get(lead.JobTitle) != p.Title {
		t.Errorf("got %+v, want %s, %s", recs[0].Values, p.Email, p.Title)
	}
}

func TestStatusCodesAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setup     func(sb *providersandbox.Server)
		status    int
		retryable bool
		quota     bool
	}{
		{"403 is the rate limit", func(sb *providersandbox.Server) { sb.RateLimit(lead.Hunter, 1, 0) }, 403, true, false},
		{"429 is the monthly quota", func(sb *providersandbox.Server) { sb.ExhaustQuota(lead.Hunter, true) }, 429, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 10, 3)
			tt.setup(e.sb)
			_, err := e.client.Search(context.Background(), providers.Query{Domains: []string{e.sb.Companies()[0].Domain}}, "")
			var ae *providers.APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.status || ae.Retryable != tt.retryable || ae.QuotaExhausted != tt.quota {
				t.Fatalf("got %v, want status %d retryable %v quota %v", err, tt.status, tt.retryable, tt.quota)
			}
		})
	}
}

func TestBadCursor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 5, 3)
	for _, cursor := range []string{"x", "1", "5:0", "0:-3"} {
		_, err := e.client.Search(context.Background(), providers.Query{Domains: []string{"a.example.com"}}, cursor)
		var ce *providers.CursorError
		if !errors.As(err, &ce) {
			t.Errorf("cursor %q: got %v, want a CursorError", cursor, err)
		}
	}
}

func TestClientSpeaksTheContract(t *testing.T) {
	t.Parallel()
	spec := contract.Open(t, "hunter/hunter-domain-search-api-openapi.yml",
		"hunter/hunter-email-finder-api-openapi.yml", "hunter/hunter-email-verifier-api-openapi.yml")
	e := newEnv(t, 30, 3)
	p := e.sb.People()[0]
	if _, err := e.client.Search(context.Background(), providers.Query{Domains: []string{p.Company.Domain}}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Search(context.Background(), providers.Query{Company: p.Company.Name}, ""); err != nil {
		t.Fatal(err)
	}
	in := []lead.Record{{Values: lead.Values{lead.Email: p.Email}},
		{Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Domain: p.Company.Domain}},
		{Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Company: p.Company.Name}}}
	if _, _, err := e.client.Enrich(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	for _, v := range spec.Violations(e.rec.Calls()) {
		t.Error(v)
	}
	for _, c := range e.rec.Calls() {
		for _, p := range c.Params {
			if p == "api_key" {
				t.Errorf("%s sends the key in the URL; the header keeps it out of logs", c.Path)
			}
		}
	}
}

func TestGoldenDomainSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 40, 3)
	page, err := e.client.Search(context.Background(), providers.Query{Domains: []string{e.sb.Companies()[2].Domain}, PageSize: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, "domain-search.golden.json", page)
}
