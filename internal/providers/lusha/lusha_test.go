package lusha_test

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
	"haloleads/internal/providers/lusha"
	"haloleads/internal/providersandbox"
)

var seenAt = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

type env struct {
	sb     *providersandbox.Server
	rec    *contract.Recorder
	client *lusha.Client
}

func newEnv(t *testing.T, people int) *env {
	t.Helper()
	sb := providersandbox.New(providersandbox.Options{Seed: 3, People: people, Now: func() time.Time { return seenAt }})
	rec := &contract.Recorder{Prefix: providersandbox.Prefix(lead.Lusha), Next: sb.Handler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c, err := lusha.New(lusha.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Lusha),
		APIKey: providersandbox.DefaultAPIKey, Settings: providers.Settings{Now: func() time.Time { return seenAt }, MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, rec: rec, client: c}
}

func TestEnrichMapsPeopleAndFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 120)
	var in []lead.Record
	for _, p := range e.sb.People()[:40] {
		in = append(in, lead.Record{Source: lead.Manual, Values: lead.Values{lead.Email: p.Email}})
	}
	recs, credits, err := e.client.Enrich(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(in) {
		t.Fatalf("got %d records for %d people: GDPR-restricted rows must be kept", len(recs), len(in))
	}
	restricted := 0
	for i, r := range recs {
		p := e.sb.People()[i]
		if r.Get(lead.Email) != p.Email {
			t.Fatalf("record %d is %s, want %s", i, r.Get(lead.Email), p.Email)
		}
		if p.GDPR {
			restricted++
			if r.Get(lead.DoNotContact) != "true" {
				t.Errorf("%s: a 451 must mark the person Do Not Contact", p.Email)
			}
			continue
		}
		if (r.Get(lead.DoNotCall) == "true") != (p.DirectDNC || p.MobileDNC) {
			t.Errorf("%s: DoNotCall %q, want %v", p.Email, r.Get(lead.DoNotCall), p.DirectDNC || p.MobileDNC)
		}
		if r.SourceID == "" || r.Get(lead.PhoneDirect) != p.Direct || r.Get(lead.Company) != p.Company.Name ||
			r.Get(lead.EmployeeRange) == "" {
			t.Errorf("%s: mapped %+v (id %q)", p.Email, r.Values, r.SourceID)
		}
	}
	if restricted == 0 || credits != len(in)-restricted || e.sb.Credits(lead.Lusha) != credits {
		t.Errorf("credits %d (sandbox %d), restricted %d: want one per match", credits, e.sb.Credits(lead.Lusha), restricted)
	}
	again, credits, err := e.client.Enrich(context.Background(), recs[:5])
	if err != nil || len(again) != 5 || credits != 0 {
		t.Errorf("re-enriching: %d records, %d credits, %v; re-reveals are free", len(again), credits, err)
	}
}

func TestNoMatchAndTooLittleAreSkipped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 10)
	recs, credits, err := e.client.Enrich(context.Background(), []lead.Record{
		{Values: lead.Values{lead.Email: "nobody@unknown.example.org"}},
		{Values: lead.Values{lead.FirstName: "Only"}},
		{Values: lead.Values{lead.FirstName: "No", lead.LastName: "Company"}},
	})
	if err != nil || len(recs) != 0 || credits != 0 {
		t.Fatalf("got %d records, %d credits, %v; want nothing", len(recs), credits, err)
	}
	if n := e.sb.Requests(lead.Lusha); n != 1 {
		t.Errorf("sent %d requests, want 1 (the others cannot identify anyone)", n)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setup     func(sb *providersandbox.Server)
		retryable bool
		quota     bool
		after     time.Duration
	}{
		{"hourly rate limit", func(sb *providersandbox.Server) { sb.RateLimit(lead.Lusha, 1, 9*time.Second) }, true, false, 9 * time.Second},
		{"daily quota", func(sb *providersandbox.Server) { sb.ExhaustQuota(lead.Lusha, true) }, false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 5)
			tt.setup(e.sb)
			_, _, err := e.client.Enrich(context.Background(), []lead.Record{{Values: lead.Values{lead.Email: e.sb.People()[0].Email}}})
			var ae *providers.APIError
			if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.Retryable != tt.retryable ||
				ae.QuotaExhausted != tt.quota || ae.RetryAfter != tt.after {
				t.Fatalf("got %+v, want 429 retryable %v quota %v after %s", err, tt.retryable, tt.quota, tt.after)
			}
		})
	}
}

func TestOptOutSubscription(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 5)
	ctx := context.Background()
	sub, err := e.client.CreateOptOutSubscription(ctx, "https://hooks.example.com/lusha", "haloleads opt-outs")
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID == "" || !sub.IsActive || sub.EntityType != "contact" || len(sub.SignalTypes) != 1 || sub.SignalTypes[0] != "optOut" {
		t.Errorf("created %+v", sub)
	}
	_, err = e.client.CreateOptOutSubscription(ctx, "https://hooks.example.com/other", "again")
	var ae *providers.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 403 || ae.Retryable {
		t.Errorf("second subscription: %v, want a final 403", err)
	}
	list, page, err := e.client.ListSubscriptions(ctx, 10, 0)
	if err != nil || len(list) != 1 || list[0].ID != sub.ID || page.Total != 1 || page.HasMore {
		t.Errorf("list = %+v %+v %v, want the one subscription", list, page, err)
	}
}

func TestClientSpeaksTheContract(t *testing.T) {
	t.Parallel()
	spec := contract.Open(t, "lusha/lusha-v2-openapi.yaml", "lusha/lusha-webhooks-api-openapi.yml")
	e := newEnv(t, 10)
	p := e.sb.People()[1]
	in := []lead.Record{{Source: lead.Lusha, SourceID: "7712000"}, {Values: lead.Values{lead.Email: p.Email}},
		{Values: lead.Values{lead.LinkedIn: p.LinkedIn}},
		{Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Domain: p.Company.Domain}},
		{Values: lead.Values{lead.FirstName: p.First, lead.LastName: p.Last, lead.Company: p.Company.Name}}}
	if _, _, err := e.client.Enrich(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateOptOutSubscription(context.Background(), "https://hooks.example.com/l", "n"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.client.ListSubscriptions(context.Background(), 5, 0); err != nil {
		t.Fatal(err)
	}
	for _, v := range spec.Violations(e.rec.Calls()) {
		t.Error(v)
	}
}

func TestGoldenEnrichment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 40)
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
