package enrich_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"haloleads/internal/enrich"
	"haloleads/internal/lead"
	"haloleads/internal/providers"
	"haloleads/internal/providers/apollo"
	"haloleads/internal/providers/hunter"
	"haloleads/internal/providers/lusha"
	"haloleads/internal/providers/uplead"
	"haloleads/internal/providers/zoominfo"
	"haloleads/internal/providersandbox"
)

func TestRuleNeeds(t *testing.T) {
	t.Parallel()
	verify := enrich.DefaultPlan()[0]
	company := enrich.DefaultPlan()[2]
	tests := []struct {
		name string
		rule enrich.Rule
		v    lead.Values
		want bool
	}{
		{"no status", verify, lead.Values{lead.Email: "a@x.example.com"}, true},
		{"guessed status is asked again", verify, lead.Values{lead.Email: "a@x.example.com", lead.EmailStatus: "guessed"}, true},
		{"verified", verify, lead.Values{lead.Email: "a@x.example.com", lead.EmailStatus: "valid"}, false},
		{"verified invalid", verify, lead.Values{lead.Email: "a@x.example.com", lead.EmailStatus: "invalid"}, false},
		{"nothing to verify", verify, lead.Values{lead.FirstName: "Dana"}, false},
		{"do not contact", verify, lead.Values{lead.Email: "a@x.example.com", lead.DoNotContact: "true"}, false},
		{"one company field missing", company, lead.Values{lead.Industry: "Legal", lead.Employees: "12"}, true},
		{"company complete", company, lead.Values{lead.Industry: "Legal", lead.Employees: "12", lead.Revenue: "1"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.rule.Needs(tc.v); got != tc.want {
				t.Errorf("Needs = %v, want %v", got, tc.want)
			}
		})
	}
}

// world is the provider sandbox with a client for every provider.
type world struct {
	sb      *providersandbox.Server
	clients map[lead.Source]providers.Provider
}

func newWorld(t *testing.T, people int) *world {
	t.Helper()
	sb := providersandbox.New(providersandbox.Options{Seed: 7, People: people})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	base := func(p lead.Source) string { return srv.URL + providersandbox.Prefix(p) }
	set := providers.Settings{MaxRetries: -1}
	key := providersandbox.DefaultAPIKey
	ap, err1 := apollo.New(apollo.Config{BaseURL: base(lead.Apollo), APIKey: key, Settings: set})
	zi, err2 := zoominfo.New(zoominfo.Config{BaseURL: base(lead.ZoomInfo), Username: providersandbox.DefaultZoomInfoUser,
		Password: providersandbox.DefaultZoomInfoPass, Settings: set})
	hu, err3 := hunter.New(hunter.Config{BaseURL: base(lead.Hunter), APIKey: key, Settings: set})
	lu, err4 := lusha.New(lusha.Config{BaseURL: base(lead.Lusha), APIKey: key, Settings: set})
	up, err5 := uplead.New(uplead.Config{BaseURL: base(lead.UpLead), APIKey: key, Settings: set})
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &world{sb: sb, clients: map[lead.Source]providers.Provider{
		lead.Apollo: ap, lead.ZoomInfo: zi, lead.Hunter: hu, lead.Lusha: lu, lead.UpLead: up}}
}

// bare returns the sandbox's people as records that only name them: what the waterfall fills.
func (w *world) bare() []lead.Record {
	var out []lead.Record
	for _, p := range w.sb.People() {
		out = append(out, lead.Record{Source: lead.Apollo, SourceID: p.ApolloID, SeenAt: time.Now(), Values: lead.Values{
			lead.Email: p.Email, lead.FirstName: p.First, lead.LastName: p.Last, lead.Company: p.Company.Name,
			lead.Domain: p.Company.Domain}})
	}
	return out
}

// supplied sums res.Supplied by source and field.
func supplied(res enrich.Result) map[lead.Source]map[lead.Field]int {
	out := map[lead.Source]map[lead.Field]int{}
	for _, s := range res.Supplied {
		if out[s.Source] == nil {
			out[s.Source] = map[lead.Field]int{}
		}
		out[s.Source][s.Field] += s.Count
	}
	return out
}

func TestWaterfall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		budget int
		knobs  func(*providersandbox.Server)
		check  func(t *testing.T, w *world, res enrich.Result)
	}{
		{name: "first provider fills, second never asked", budget: 1000, check: func(t *testing.T, w *world, res enrich.Result) {
			got := supplied(res)
			if got[lead.Hunter][lead.EmailStatus] == 0 || got[lead.ZoomInfo][lead.PhoneDirect] == 0 ||
				got[lead.UpLead][lead.Industry] == 0 {
				t.Errorf("supplied %v, want email status from Hunter, phones from ZoomInfo, industry from UpLead", got)
			}
			if n := w.sb.Requests(lead.Lusha); n != 0 {
				t.Errorf("Lusha was asked %d times, though ZoomInfo found every phone", n)
			}
			if res.BudgetExhausted || len(res.Failures) > 0 {
				t.Errorf("budget exhausted %v, failures %v", res.BudgetExhausted, res.Failures)
			}
		}},
		{name: "quota spent falls through to the next provider", budget: 1000,
			knobs: func(sb *providersandbox.Server) { sb.ExhaustQuota(lead.ZoomInfo, true) },
			check: func(t *testing.T, w *world, res enrich.Result) {
				got := supplied(res)
				if got[lead.ZoomInfo][lead.PhoneDirect] != 0 || got[lead.Lusha][lead.PhoneDirect] == 0 {
					t.Errorf("supplied %v, want phones from Lusha only", got)
				}
				if len(res.Failures) != 1 || res.Failures[0].Source != lead.ZoomInfo {
					t.Errorf("failures %v, want ZoomInfo's quota", res.Failures)
				}
			}},
		{name: "budget stops buying", budget: 5, check: func(t *testing.T, w *world, res enrich.Result) {
			if !res.BudgetExhausted || res.Spent > 5 {
				t.Errorf("spent %d of 5, exhausted %v", res.Spent, res.BudgetExhausted)
			}
			if w.sb.Requests(lead.ZoomInfo)+w.sb.Requests(lead.UpLead) != 0 {
				t.Errorf("providers after the spent budget were asked")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, 24)
			if tc.knobs != nil {
				tc.knobs(w.sb)
			}
			wf := enrich.Waterfall{Plan: enrich.DefaultPlan(), Providers: w.clients}
			res, err := wf.Run(context.Background(), w.bare(), tc.budget, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkCredits(t, w, res)
			checkRecords(t, res)
			tc.check(t, w, res)
		})
	}
}

// checkCredits compares the credits reported with what the sandbox charged.
func checkCredits(t *testing.T, w *world, res enrich.Result) {
	t.Helper()
	total := 0
	for _, p := range lead.Providers {
		if got, want := res.Credits[p], w.sb.Credits(p); got != want {
			t.Errorf("%s credits reported %d, sandbox charged %d", p, got, want)
		}
		total += res.Credits[p]
	}
	if total != res.Spent {
		t.Errorf("spent %d, credits add up to %d", res.Spent, total)
	}
}

// checkRecords checks that every record names its person and carries only what its provider
// supplied.
func checkRecords(t *testing.T, res enrich.Result) {
	t.Helper()
	for _, r := range res.Records {
		if r.Get(lead.Email) == "" {
			t.Errorf("%s record without the person's email: %v", r.Source, r.Values)
		}
		if r.Get(lead.FirstName) != "" || r.Get(lead.JobTitle) != "" {
			t.Errorf("%s record carries fields it was not asked for: %v", r.Source, r.Values)
		}
	}
}

func TestWaterfallRateLimitIsRetryable(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 12)
	w.sb.RateLimit(lead.ZoomInfo, 1, 90*time.Second)
	wf := enrich.Waterfall{Plan: enrich.DefaultPlan(), Providers: w.clients}
	calls := 0
	res, err := wf.Run(context.Background(), w.bare(), 1000, func(enrich.Result) { calls++ })
	ae := providers.AsAPIError(err)
	if ae == nil || !ae.Retryable || ae.RetryAfter != 90*time.Second {
		t.Fatalf("error %v, want a retryable ZoomInfo error asking for 90s", err)
	}
	if res.Credits[lead.Hunter] == 0 || calls != 2 {
		t.Errorf("result before the failure: %+v after %d calls, want Hunter's credits after 2 calls", res, calls)
	}
}

func TestWaterfallWithoutClientPassesOver(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 12)
	delete(w.clients, lead.ZoomInfo)
	wf := enrich.Waterfall{Plan: enrich.DefaultPlan(), Providers: w.clients}
	res, err := wf.Run(context.Background(), w.bare(), 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if supplied(res)[lead.Lusha][lead.PhoneDirect] == 0 {
		t.Errorf("supplied %v, want phones from Lusha when ZoomInfo has no client", supplied(res))
	}
}
