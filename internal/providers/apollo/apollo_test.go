package apollo_test

import (
	"context"
	"errors"
	"haloleads/internal/golden"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
	"haloleads/internal/providers/apollo"
	"haloleads/internal/providers/contract"
	"haloleads/internal/providersandbox"
)

// seenAt is the fixed clock of the tests.
var seenAt = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// env is a sandbox behind a recording httptest server and a client pointed at it.
type env struct {
	sb     *providersandbox.Server
	rec    *contract.Recorder
	client *apollo.Client
	waits  *waits
}

// waits records the in-place retry waits instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(_ context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return nil
}

func newEnv(t *testing.T, people int, maxRetries int) *env {
	t.Helper()
	sb := providersandbox.New(providersandbox.Options{Seed: 7, People: people, Now: func() time.Time { return seenAt }})
	rec := &contract.Recorder{Prefix: providersandbox.Prefix(lead.Apollo), Next: sb.Handler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	w := &waits{}
	c, err := apollo.New(apollo.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Apollo),
		APIKey: providersandbox.DefaultAPIKey, Settings: providers.Settings{Now: func() time.Time { return seenAt },
			MaxRetries: maxRetries, Sleep: w.sleep}})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, rec: rec, client: c, waits: w}
}

// pullAll runs Search until the last page and returns every record.
func pullAll(t *testing.T, s providers.Searcher, q providers.Query) []lead.Record {
	t.Helper()
	var all []lead.Record
	cursor := ""
	for pages := 0; ; pages++ {
		page, err := s.Search(context.Background(), q, cursor)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		all = append(all, page.Records...)
		if page.Next == "" {
			return all
		}
		cursor = page.Next
	}
}

func TestSearchPagesThroughEveryMatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 120, -1)
	domain := e.sb.People()[0].Company.Domain
	tests := []struct {
		name string
		q    providers.Query
		want func(p *providersandbox.Person) bool
	}{
		{"by domain", providers.Query{Domains: []string{domain}, PageSize: 2},
			func(p *providersandbox.Person) bool { return p.Company.Domain == domain }},
		{"by title keyword", providers.Query{Titles: []string{"IT"}, PageSize: 7},
			func(p *providersandbox.Person) bool { return strings.Contains(strings.ToLower(p.Title), "it") }},
		{"by company", providers.Query{Company: e.sb.People()[0].Company.Name},
			func(p *providersandbox.Person) bool { return p.Company == e.sb.People()[0].Company }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := pullAll(t, e.client, tt.q)
			var want []string
			for _, p := range e.sb.People() {
				if tt.want(p) {
					want = append(want, p.ApolloID)
				}
			}
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("pulled %d people, want %d (> 0)", len(got), len(want))
			}
			for i, r := range got {
				if r.SourceID != want[i] || r.Source != lead.Apollo || r.Get(lead.Email) != "" || !r.SeenAt.Equal(seenAt) {
					t.Errorf("record %d = %+v, want teaser %s without email", i, r, want[i])
				}
			}
		})
	}
	if n := e.sb.Credits(lead.Apollo); n != 0 {
		t.Errorf("search charged %d credits, want 0", n)
	}
}

func TestEnrichBatchesOfTenAndCountsCredits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 40, -1)
	teasers := pullAll(t, e.client, providers.Query{PageSize: 100})
	teasers = append(teasers[:23:23], lead.Record{Source: lead.Manual, Values: lead.Values{
		lead.Email: "nobody@unknown.example.net"}})
	recs, credits, err := e.client.Enrich(context.Background(), teasers)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 23 {
		t.Fatalf("enriched %d records, want 23 (the unknown address has no match)", len(recs))
	}
	if credits != 23 || e.sb.Credits(lead.Apollo) != 23 || e.client.Ledger().Total() != 23 {
		t.Errorf("credits: client %d, ledger %d, sandbox %d; want 23", credits, e.client.Ledger().Total(),
			e.sb.Credits(lead.Apollo))
	}
	batches := 0
	for _, c := range e.rec.Calls() {
		if c.Path == "/people/bulk_match" {
			batches++
		}
	}
	if batches != 3 {
		t.Errorf("sent %d bulk_match calls for 24 records, want 3", batches)
	}
	for i, r := range recs {
		if r.SourceID != teasers[i].SourceID || r.Get(lead.Email) == "" || r.Get(lead.LastName) == "" {
			t.Errorf("record %d = %+v: want the full person %s", i, r.Values, teasers[i].SourceID)
		}
	}
}

func TestEnrichMapsOptOutsAndDoNotCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 120, -1)
	var in []lead.Record
	want := map[string]*providersandbox.Person{}
	for _, p := range e.sb.People() {
		if p.OptedOut || p.DirectDNC || p.MobileDNC {
			in = append(in, lead.Record{Source: lead.Apollo, SourceID: p.ApolloID})
			want[p.ApolloID] = p
		}
	}
	if len(in) < 3 {
		t.Fatalf("the seed has only %d flagged people", len(in))
	}
	recs, _, err := e.client.Enrich(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		p := want[r.SourceID]
		if got := r.Get(lead.DoNotContact) == "true"; got != p.OptedOut {
			t.Errorf("%s: DoNotContact %v, want %v (stage Do Not Contact)", r.SourceID, got, p.OptedOut)
		}
		if got := r.Get(lead.EmailOptOut) == "true"; got != p.OptedOut {
			t.Errorf("%s: EmailOptOut %v, want %v (email_unsubscribed)", r.SourceID, got, p.OptedOut)
		}
		if got := r.Get(lead.DoNotCall) == "true"; got != (p.DirectDNC || p.MobileDNC) {
			t.Errorf("%s: DoNotCall %v, want %v", r.SourceID, got, p.DirectDNC || p.MobileDNC)
		}
	}
	stageCalls := 0
	for _, c := range e.rec.Calls() {
		if c.Path == "/contact_stages" {
			stageCalls++
		}
	}
	if stageCalls != 1 {
		t.Errorf("contact stages loaded %d times, want once", stageCalls)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	t.Parallel()
	one := []lead.Record{{Source: lead.Apollo, SourceID: "65f0aa11bb22cc33dd000001"}}
	tests := []struct {
		name      string
		setup     func(sb *providersandbox.Server)
		key       string
		status    int
		retryable bool
		quota     bool
		after     time.Duration
	}{
		{"rate limit names its window", func(sb *providersandbox.Server) { sb.RateLimit(lead.Apollo, 1, 0) },
			"", 429, true, false, time.Minute},
		{"rate limit with Retry-After", func(sb *providersandbox.Server) { sb.RateLimit(lead.Apollo, 1, 42*time.Second) },
			"", 429, true, false, 42 * time.Second},
		{"credits spent", func(sb *providersandbox.Server) { sb.ExhaustQuota(lead.Apollo, true) },
			"", 422, false, true, 0},
		{"wrong key", func(*providersandbox.Server) {}, "wrong", 401, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 10, -1)
			tt.setup(e.sb)
			c := e.client
			if tt.key != "" {
				var err error
				c, err = apollo.New(apollo.Config{BaseURL: e.recURL(t), APIKey: tt.key})
				if err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := c.Enrich(context.Background(), one)
			var ae *providers.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an *APIError", err)
			}
			if ae.StatusCode != tt.status || ae.Retryable != tt.retryable || ae.QuotaExhausted != tt.quota ||
				ae.RetryAfter != tt.after || ae.Provider != lead.Apollo {
				t.Errorf("got %+v, want status %d retryable %v quota %v after %s", ae, tt.status, tt.retryable,
					tt.quota, tt.after)
			}
		})
	}
}

// recURL is the Apollo base URL of a second server on the same sandbox.
func (e *env) recURL(t *testing.T) string {
	srv := httptest.NewServer(e.rec)
	t.Cleanup(srv.Close)
	return srv.URL + providersandbox.Prefix(lead.Apollo)
}

func TestRateLimitRetriedInPlaceWhenShort(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 10, 2)
	e.sb.RateLimit(lead.Apollo, 2, 3*time.Second)
	recs, _, err := e.client.Enrich(context.Background(), []lead.Record{{Source: lead.Apollo, SourceID: e.sb.People()[1].ApolloID}})
	if err != nil || len(recs) != 1 {
		t.Fatalf("Enrich = %d records, %v; want the person after two retries", len(recs), err)
	}
	if len(e.waits.d) != 2 || e.waits.d[0] != 3*time.Second {
		t.Errorf("waited %v, want two waits of 3s (the Retry-After)", e.waits.d)
	}
}

func TestGoldenEnrichment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 24, -1)
	var in []lead.Record
	for _, p := range e.sb.People()[:6] {
		in = append(in, lead.Record{Source: lead.Manual, Values: lead.Values{lead.Email: p.Email}})
	}
	recs, _, err := e.client.Enrich(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, "enrich.golden.json", recs)
}

func TestClientSpeaksTheContract(t *testing.T) {
	t.Parallel()
	spec := contract.Open(t, "apollo/apollo-openapi.json")
	e := newEnv(t, 30, -1)
	teasers := pullAll(t, e.client, providers.Query{Domains: []string{e.sb.People()[0].Company.Domain},
		Titles: []string{"Manager"}, Company: e.sb.People()[0].Company.Name, PageSize: 1})
	teasers = append(teasers, lead.Record{Source: lead.Manual, Values: lead.Values{lead.FirstName: "Dana",
		lead.LastName: "Okafor", lead.Company: "Bright Kettle", lead.Domain: "brightkettle.example.com",
		lead.LinkedIn: "https://www.linkedin.com/in/x", lead.Email: "dana@brightkettle.example.com"}})
	if _, _, err := e.client.Enrich(context.Background(), append(teasers, e.optedOut())); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ContactStages(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, v := range spec.Violations(e.rec.Calls()) {
		t.Error(v)
	}
	if !strings.HasSuffix(providersandbox.Prefix(lead.Apollo), spec.BasePath()) {
		t.Errorf("sandbox prefix %s does not end with the contract's base path %s",
			providersandbox.Prefix(lead.Apollo), spec.BasePath())
	}
}

// optedOut returns a record of an opted-out person, so that the stages are looked up.
func (e *env) optedOut() lead.Record {
	for _, p := range e.sb.People() {
		if p.OptedOut {
			return lead.Record{Source: lead.Apollo, SourceID: p.ApolloID}
		}
	}
	return lead.Record{Source: lead.Apollo, SourceID: e.sb.People()[0].ApolloID}
}

// BenchmarkPullAndEnrich measures a whole pull against the sandbox: searches and bulk matches,
// mapping included.
func BenchmarkPullAndEnrich(b *testing.B) {
	sb := providersandbox.New(providersandbox.Options{Seed: 7, People: 500})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	c, err := apollo.New(apollo.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Apollo), APIKey: providersandbox.DefaultAPIKey})
	if err != nil {
		b.Fatal(err)
	}
	people := 0
	for b.Loop() {
		for cursor := ""; ; {
			page, err := c.Search(context.Background(), providers.Query{PageSize: 100}, cursor)
			if err != nil {
				b.Fatal(err)
			}
			recs, _, err := c.Enrich(context.Background(), page.Records)
			if err != nil {
				b.Fatal(err)
			}
			people += len(recs)
			if cursor = page.Next; cursor == "" {
				break
			}
		}
	}
	b.ReportMetric(float64(people)/b.Elapsed().Seconds(), "people/s")
	b.ReportMetric(float64(sb.Requests(lead.Apollo))/float64(people), "requests/person")
}
