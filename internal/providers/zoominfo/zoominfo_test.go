package zoominfo_test

import (
	"context"
	"errors"
	"haloleads/internal/golden"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
	"haloleads/internal/providers/contract"
	"haloleads/internal/providers/zoominfo"
	"haloleads/internal/providersandbox"
)

// clock is a settable clock shared by the sandbox and the client.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	sb     *providersandbox.Server
	rec    *contract.Recorder
	client *zoominfo.Client
	clock  *clock
	base   string
}

func newEnv(t *testing.T, people int, company bool) *env {
	t.Helper()
	clk := &clock{now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	sb := providersandbox.New(providersandbox.Options{Seed: 11, People: people, Now: clk.Now})
	rec := &contract.Recorder{Prefix: providersandbox.Prefix(lead.ZoomInfo), Next: sb.Handler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	base := srv.URL + providersandbox.Prefix(lead.ZoomInfo)
	c, err := zoominfo.New(zoominfo.Config{BaseURL: base, Username: providersandbox.DefaultZoomInfoUser,
		Password: providersandbox.DefaultZoomInfoPass, CompanyDetails: company,
		Settings: providers.Settings{Now: clk.Now, MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, rec: rec, client: c, clock: clk, base: base}
}

// calls counts the recorded requests to path.
func (e *env) calls(path string) int {
	n := 0
	for _, c := range e.rec.Calls() {
		if c.Path == path {
			n++
		}
	}
	return n
}

func pullAll(t *testing.T, s providers.Searcher, q providers.Query) []lead.Record {
	t.Helper()
	var all []lead.Record
	for cursor := ""; ; {
		page, err := s.Search(context.Background(), q, cursor)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Records...)
		if cursor = page.Next; cursor == "" {
			return all
		}
	}
}

func TestSearchThenEnrichInBatchesOf25(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 80, false)
	teasers := pullAll(t, e.client, providers.Query{PageSize: 30})
	if len(teasers) != 80 || teasers[0].Get(lead.Email) != "" || teasers[0].SourceID == "" {
		t.Fatalf("search gave %d teasers (first %+v), want 80 without emails", len(teasers), teasers[0])
	}
	if e.calls("/search/contact") != 3 {
		t.Errorf("searched %d pages of 30 for 80 people, want 3", e.calls("/search/contact"))
	}
	recs, credits, err := e.client.Enrich(context.Background(), teasers[:60])
	if err != nil {
		t.Fatal(err)
	}
	if e.calls("/enrich/contact") != 3 {
		t.Errorf("sent %d enrich calls for 60 people, want 3 (25 each at most)", e.calls("/enrich/contact"))
	}
	optedOut := 0
	for _, p := range e.sb.People()[:60] {
		if p.OptedOut {
			optedOut++
		}
	}
	if len(recs) != 60 || credits != 60-optedOut || e.sb.Credits(lead.ZoomInfo) != credits {
		t.Errorf("got %d records, %d credits (sandbox %d); want 60 records, %d credits", len(recs), credits,
			e.sb.Credits(lead.ZoomInfo), 60-optedOut)
	}
	if e.client.Logins() != 1 {
		t.Errorf("authenticated %d times, want once (token cached)", e.client.Logins())
	}
}

func TestOptOutAndDoNotCallFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 150, false)
	var in []lead.Record
	people := map[string]*providersandbox.Person{}
	for _, p := range e.sb.People() {
		if p.OptedOut || p.DirectDNC || p.MobileDNC {
			in = append(in, lead.Record{Source: lead.Manual, Values: lead.Values{lead.FirstName: p.First,
				lead.LastName: p.Last, lead.Company: p.Company.Name, lead.Email: p.Email}})
			people[p.Email] = p
		}
	}
	recs, _, err := e.client.Enrich(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(in) {
		t.Fatalf("got %d records for %d flagged people: opt-outs must not be dropped", len(recs), len(in))
	}
	for _, r := range recs {
		p := people[r.Get(lead.Email)]
		if p == nil {
			t.Fatalf("record %+v is not one of the inputs", r.Values)
		}
		if got := r.Values.DoNotContactFlag(); !got {
			t.Errorf("%s: no opt-out flag", p.Email)
		}
		if got := r.Get(lead.DoNotContact) == "true"; got != p.OptedOut {
			t.Errorf("%s: DoNotContact %v, want %v (OPT_OUT)", p.Email, got, p.OptedOut)
		}
		if !p.OptedOut && (r.Get(lead.DoNotCall) == "true") != (p.DirectDNC || p.MobileDNC) {
			t.Errorf("%s: DoNotCall %q, want %v", p.Email, r.Get(lead.DoNotCall), p.DirectDNC || p.MobileDNC)
		}
	}
}

func TestTokenRenewal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		between    func(e *env)
		wantLogins int
	}{
		{"cached within the hour", func(e *env) { e.clock.Advance(30 * time.Minute) }, 1},
		{"renewed before expiry", func(e *env) { e.clock.Advance(56 * time.Minute) }, 2},
		{"renewed when refused", func(e *env) { e.sb.ExpireTokens() }, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 10, false)
			q := providers.Query{PageSize: 5}
			if _, err := e.client.Search(context.Background(), q, ""); err != nil {
				t.Fatal(err)
			}
			tt.between(e)
			if _, err := e.client.Search(context.Background(), q, ""); err != nil {
				t.Fatalf("second search: %v", err)
			}
			if e.client.Logins() != tt.wantLogins || e.calls("/authenticate") != tt.wantLogins {
				t.Errorf("logins %d (%d calls), want %d", e.client.Logins(), e.calls("/authenticate"), tt.wantLogins)
			}
		})
	}
}

func TestJWTExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tok  string
		want int64
		ok   bool
	}{
		{"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3NzgwMDAwMDB9.sig", 1778000000, true},
		{"a.b", 0, false},
		{"eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig", 0, false},
		{"eyJhbGciOiJIUzI1NiJ9.e30.sig", 0, false},
	}
	for _, tt := range tests {
		exp, ok := zoominfo.JWTExpiry(tt.tok)
		if ok != tt.ok || (ok && exp.Unix() != tt.want) {
			t.Errorf("JWTExpiry(%q) = %v, %v; want %d, %v", tt.tok, exp, ok, tt.want, tt.ok)
		}
	}
}

func TestWrongPasswordIsFinal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 5, false)
	c, err := zoominfo.New(zoominfo.Config{BaseURL: e.base, Username: "sandbox", Password: "nope",
		Settings: providers.Settings{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Search(context.Background(), providers.Query{}, "")
	var ae *providers.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Retryable {
		t.Fatalf("got %v, want a final 401 APIError", err)
	}
}

func TestRateLimitAndQuota(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30, false)
	if _, err := e.client.Search(context.Background(), providers.Query{}, ""); err != nil {
		t.Fatal(err)
	}
	e.sb.RateLimit(lead.ZoomInfo, 1, 7*time.Second)
	_, err := e.client.Search(context.Background(), providers.Query{}, "")
	var ae *providers.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 429 || !ae.Retryable || ae.RetryAfter != 7*time.Second {
		t.Fatalf("rate limited search: %v, want a retryable 429 after 7s", err)
	}
	first := []lead.Record{{Source: lead.ZoomInfo, SourceID: "9001000000"}}
	if _, _, err := e.client.Enrich(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	e.sb.ExhaustQuota(lead.ZoomInfo, true)
	in := []lead.Record{{Source: lead.ZoomInfo, SourceID: "9001000000"}, {Source: lead.ZoomInfo, SourceID: "9001000001"}}
	recs, _, err := e.client.Enrich(context.Background(), in)
	if !errors.As(err, &ae) || !ae.QuotaExhausted || ae.Retryable {
		t.Fatalf("enrich over quota: %v, want QuotaExhausted", err)
	}
	if len(recs) != 1 || recs[0].SourceID != "9001000000" {
		t.Errorf("got %d records before the limit, want the one already bought", len(recs))
	}
}

func TestCompanyDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 20, true)
	var p *providersandbox.Person
	for _, q := range e.sb.People() {
		if !q.OptedOut {
			p = q
			break
		}
	}
	recs, credits, err := e.client.Enrich(context.Background(), []lead.Record{{Source: lead.Manual,
		Values: lead.Values{lead.Email: p.Email}}})
	if err != nil || len(recs) != 1 {
		t.Fatalf("Enrich: %d records, %v", len(recs), err)
	}
	r := recs[0]
	if r.Get(lead.HQStreet) != p.Company.Street || r.Get(lead.HQPostcode) != p.Company.Postcode ||
		r.Get(lead.Revenue) == "" || !strings.Contains(r.Get(lead.TechnologyStack), p.Company.Tech[0]) {
		t.Errorf("company fields %+v, want street %q, postcode %q, revenue and stack", r.Values,
			p.Company.Street, p.Company.Postcode)
	}
	if credits != 2 || e.calls("/enrich/company") != 1 {
		t.Errorf("credits %d, company calls %d; want 2 credits (contact + company) and one call", credits,
			e.calls("/enrich/company"))
	}
}

func TestClientSpeaksTheContract(t *testing.T) {
	t.Parallel()
	spec := contract.Open(t, "zoominfo/zoominfo-authentication-api-openapi.yml",
		"zoominfo/zoominfo-contact-search-api-openapi.yml", "zoominfo/zoominfo-contact-enrich-api-openapi.yml",
		"zoominfo/zoominfo-company-enrich-api-openapi.yml")
	e := newEnv(t, 20, true)
	p := e.sb.People()[0]
	if _, err := e.client.Search(context.Background(), providers.Query{Domains: []string{p.Company.Domain},
		Titles: []string{"IT", "Manager"}, Company: p.Company.Name, PageSize: 5}, ""); err != nil {
		t.Fatal(err)
	}
	in := []lead.Record{{Source: lead.ZoomInfo, SourceID: "9001000003"},
		{Source: lead.Manual, Values: lead.Values{lead.Email: p.Email}},
		{Source: lead.Manual, Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Company: p.Company.Name}}}
	if _, _, err := e.client.Enrich(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	for _, v := range spec.Violations(e.rec.Calls(), "/authenticate") {
		t.Error(v)
	}
}

func TestGoldenEnrichment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 40, true)
	var in []lead.Record
	for _, p := range e.sb.People()[:6] {
		if p.OptedOut {
			continue
		}
		in = append(in, lead.Record{Source: lead.ZoomInfo, SourceID: strconv.FormatInt(p.ZoomInfoID, 10),
			Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Company: p.Company.Name}})
	}
	in = append(in, e.optedOut(t))
	recs, _, err := e.client.Enrich(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, "enrich.golden.json", recs)
}

// optedOut returns a teaser of an opted-out person.
func (e *env) optedOut(t *testing.T) lead.Record {
	for _, p := range e.sb.People() {
		if p.OptedOut {
			return lead.Record{Source: lead.ZoomInfo, SourceID: strconv.FormatInt(p.ZoomInfoID, 10),
				Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Company: p.Company.Name}}
		}
	}
	t.Fatal("the seed has no opted-out person")
	return lead.Record{}
}
