package halopsa

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"haloleads/internal/halosandbox"
)

// Integration tests against the HaloPSA sandbox (internal/halosandbox), the stateful emulator
// the rest of haloleads tests with.

// sandbox starts a fresh sandbox sharing clock with the client it returns.
func sandbox(t testing.TB, opts halosandbox.Options, edit func(*Config)) (*halosandbox.Server, *Client, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	opts.Now = clock.Now
	sb, err := halosandbox.New(opts)
	if err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	cfg := Config{BaseURL: srv.URL, ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret,
		Tenant: halosandbox.DefaultTenant, Clock: clock}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sb, c, clock
}

func TestSandboxConformance(t *testing.T) {
	t.Parallel()
	spec := loadSwagger(t)
	var rec recorder
	_, c, _ := sandbox(t, halosandbox.Options{}, func(cfg *Config) { cfg.OnRequest = rec.add })
	checkAllMethodsExercised(t, exerciseClient(t, c))
	for _, r := range rec.all() {
		for _, p := range spec.check(r) {
			t.Errorf("%s %s: %s", r.Method, r.Path, p)
		}
		if r.StatusCode >= 400 && r.StatusCode != 404 {
			t.Errorf("%s %s answered %d", r.Method, r.Path, r.StatusCode)
		}
	}
}

// companyWithSite creates a client and its site in the sandbox.
func companyWithSite(t testing.TB, c *Client, name string) (Customer, Site) {
	t.Helper()
	ctx := context.Background()
	cu, err := c.SaveCustomers(ctx, []Customer{{Name: name}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.SaveSites(ctx, []Site{{Name: "Main", ClientID: cu[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	return cu[0], s[0]
}

func sandboxUsers(n int, cu Customer, s Site) []User {
	out := make([]User, n)
	for i := range out {
		out[i] = User{Name: fmt.Sprint("Person ", i), EmailAddress: fmt.Sprintf("p%d@%s.example", i, strings.ToLower(cu.Name)),
			ClientID: cu.ID, SiteID: s.ID}
	}
	return out
}

func TestSandboxBulkSaveAndList(t *testing.T) {
	t.Parallel()
	for _, firstOnly := range []bool{false, true} {
		t.Run(fmt.Sprint("firstObjectOnly=", firstOnly), func(t *testing.T) {
			t.Parallel()
			sb, c, _ := sandbox(t, halosandbox.Options{FirstObjectOnly: firstOnly, RateLimit: -1}, nil)
			cu, site := companyWithSite(t, c, "Acme")
			ctx := context.Background()
			in := sandboxUsers(1234, cu, site)
			got, err := c.SaveUsers(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for i := range in {
				if got[i].EmailAddress != in[i].EmailAddress || got[i].ID == 0 {
					t.Fatalf("item %d = %+v", i, got[i])
				}
			}
			listed, err := collect(c.Users(ctx, UserQuery{ClientID: cu.ID}))
			if err != nil || len(listed) != 1234 || len(sb.Users()) != 1234 {
				t.Fatalf("listed %d users (sandbox holds %d): %v", len(listed), len(sb.Users()), err)
			}
			t.Logf("1234 users saved and listed in %d requests (%d writes)", c.Requests(), c.WriteRequests())
		})
	}
}

func TestSandboxMisreportedRecordCountFails(t *testing.T) {
	t.Parallel()
	sb, c, _ := sandbox(t, halosandbox.Options{RateLimit: -1}, nil)
	cu, site := companyWithSite(t, c, "Acme")
	if _, err := c.SaveUsers(context.Background(), sandboxUsers(120, cu, site)); err != nil {
		t.Fatal(err)
	}
	sb.SetRecordCount(50) // as a live tenant once did
	_, err := collect(c.Users(context.Background(), UserQuery{}))
	var ie *IncompleteListError
	if !errors.As(err, &ie) || ie.RecordCount != 50 {
		t.Fatalf("err = %v, want *IncompleteListError with record_count 50", err)
	}
}

func TestSandboxDroppedWriteIsNotDuplicated(t *testing.T) {
	t.Parallel()
	for _, firstOnly := range []bool{false, true} {
		t.Run(fmt.Sprint("firstObjectOnly=", firstOnly), func(t *testing.T) {
			t.Parallel()
			sb, c, _ := sandbox(t, halosandbox.Options{FirstObjectOnly: firstOnly, RateLimit: -1}, nil)
			cu, site := companyWithSite(t, c, "Acme")
			sb.DropAfterWrite(1)
			in := sandboxUsers(150, cu, site)
			got, err := c.SaveUsers(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(sb.Users()); n != 150 {
				t.Fatalf("sandbox holds %d users, want 150 (no duplicates)", n)
			}
			ids := map[ID]bool{}
			for _, u := range got {
				ids[u.ID] = true
			}
			if len(ids) != 150 {
				t.Errorf("%d distinct ids returned, want 150", len(ids))
			}
		})
	}
}

func TestSandboxRateLimitAndTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("forced 429 with Retry-After", func(t *testing.T) {
		t.Parallel()
		sb, c, clock := sandbox(t, halosandbox.Options{RetryAfter: true}, nil)
		if _, err := c.Tags(ctx); err != nil {
			t.Fatal(err)
		}
		start := clock.Now()
		sb.Force429(45 * time.Second)
		if _, err := c.Tags(ctx); err != nil {
			t.Fatalf("after a forced 429: %v", err)
		}
		if c.RateLimitedResponses() == 0 || clock.Now().Sub(start) < 45*time.Second {
			t.Errorf("429s = %d, paused %v", c.RateLimitedResponses(), clock.Now().Sub(start))
		}
	})
	t.Run("client budget keeps the sandbox from ever answering 429", func(t *testing.T) {
		t.Parallel()
		sb, c, _ := sandbox(t, halosandbox.Options{RateLimit: 20, RateWindow: time.Minute},
			func(cfg *Config) { cfg.RateLimit, cfg.RateWindow = 20, time.Minute })
		for range 70 {
			if _, err := c.Tags(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if sb.Stats().Responses429 != 0 || c.Limiter().Waits() == 0 {
			t.Errorf("sandbox 429s = %d, limiter waits = %d", sb.Stats().Responses429, c.Limiter().Waits())
		}
		if n, err := c.BudgetInUse(ctx); err != nil || n != c.Limiter().InUse() || n == 0 {
			t.Errorf("budget in use %d (%v), the limiter holds %d", n, err, c.Limiter().InUse())
		}
	})
	t.Run("expired tokens are renewed", func(t *testing.T) {
		t.Parallel()
		sb, c, _ := sandbox(t, halosandbox.Options{}, nil)
		if _, err := c.Tags(ctx); err != nil {
			t.Fatal(err)
		}
		sb.ExpireTokens()
		if _, err := c.Tags(ctx); err != nil {
			t.Fatalf("after expiry: %v", err)
		}
		if c.TokenRequests() != 2 {
			t.Errorf("token requests = %d, want 2", c.TokenRequests())
		}
	})
}
