package halopsa

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestUsersListsEveryPage(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	f.seed("users", 1234, func(i int) map[string]any {
		return map[string]any{"emailaddress": fmt.Sprintf("u%d@example.com", i), "client_id": 1}
	})
	c := f.client(t, nil)
	got, err := collect(c.Users(context.Background(), UserQuery{}))
	if err != nil {
		t.Fatalf("listing users: %v", err)
	}
	if len(got) != 1234 {
		t.Fatalf("listed %d users, want 1234", len(got))
	}
	seen := map[ID]bool{}
	for _, u := range got {
		seen[u.ID] = true
	}
	if len(seen) != 1234 {
		t.Errorf("%d distinct ids, want 1234", len(seen))
	}
	// 13 pages (12 full, 1 short) and one token request.
	if c.Requests() != 14 || c.TokenRequests() != 1 {
		t.Errorf("requests = %d (tokens %d), want 14 (1)", c.Requests(), c.TokenRequests())
	}
}

func TestListRejectsMisreportedRecordCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rows  int
		delta int
	}{
		{"more rows than announced", 250, -1},
		{"fewer rows than announced", 250, +1},
		{"empty list announcing rows", 0, +3},
		{"exact page multiple announcing more", 200, +50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			f.countDelta = tc.delta
			f.seed("tickets", tc.rows, func(i int) map[string]any { return map[string]any{"summary": "s"} })
			c := f.client(t, nil)
			n := 0
			var err error
			for _, e := range c.Tickets(context.Background(), TicketQuery{}) {
				if e != nil {
					err = e
					break
				}
				n++
			}
			var ie *IncompleteListError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v after %d rows, want *IncompleteListError", err, n)
			}
			if ie.RecordCount != tc.rows+tc.delta {
				t.Errorf("RecordCount = %d, want %d", ie.RecordCount, tc.rows+tc.delta)
			}
		})
	}
}

func TestListStopsWhenCallerStops(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	f.seed("client", 450, func(i int) map[string]any { return map[string]any{"name": fmt.Sprint("c", i)} })
	c := f.client(t, nil)
	n := 0
	for _, err := range c.Customers(context.Background(), CustomerQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 150 {
			break
		}
	}
	if c.Requests() != 3 { // token + 2 pages
		t.Errorf("requests = %d, want 3", c.Requests())
	}
}

func TestErrorsAreTyped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		status      int
		body        string
		retryAfter  string
		wantMessage string
		is          error
	}{
		{"plain text validation", 400, "An Outcome must be entered for this Action", "", "An Outcome must be entered for this Action", ErrValidation},
		{"model state", 400, `{"[0].id":["The value '95.0' is not valid."]}`, "", "[0].id: The value '95.0' is not valid.", ErrValidation},
		{"not found", 404, `{"Message":"No HTTP resource was found"}`, "", "No HTTP resource was found", ErrNotFound},
		{"forbidden empty body", 403, "", "", "Forbidden", ErrForbidden},
		{"rate limited", 429, `{"error":"Rate Limit Reached - 300 Requests per rolling 5 minute window"}`, "1", "Rate Limit Reached - 300 Requests per rolling 5 minute window", ErrRateLimited},
		{"server exception", 500, `{"ClassName":"System.Exception","Message":"Object reference not set"}`, "", "Object reference not set", ErrServer},
		{"gateway html", 504, "<html><body>Gateway Timeout</body></html>", "", "Gateway Timeout", ErrServer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasPrefix(r.URL.Path, "/api/") {
					return false
				}
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
				return true
			}
			c := f.client(t, func(c *Config) { c.MaxRateLimitRetries = -1 })
			_, err := c.User(context.Background(), 7)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if ae.StatusCode != tc.status || ae.Message != tc.wantMessage || ae.Route != "/Users/7" {
				t.Errorf("got %d %q %q, want %d %q /Users/7", ae.StatusCode, ae.Message, ae.Route, tc.status, tc.wantMessage)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(err, %v) = false", tc.is)
			}
			if IsNotFound(err) != (tc.status == 404) || IsRateLimited(err) != (tc.status == 429) ||
				IsValidation(err) != (tc.status == 400) {
				t.Errorf("predicates disagree with status %d", tc.status)
			}
		})
	}
}

func TestRateLimitedRequestPausesEveryoneAndRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		retryAfter string
		wantPause  time.Duration
	}{
		{"no Retry-After waits the configured pause", "", 30 * time.Second},
		{"Retry-After is honoured", "75", 75 * time.Second},
		{"short Retry-After is honoured", "2", 2 * time.Second},
		{"huge Retry-After is capped", "86400", maxPause},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			var answered atomic.Int32
			f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasPrefix(r.URL.Path, "/api/") || answered.Add(1) > 1 {
					return false
				}
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				writeJSON(w, 429, map[string]any{"error": "Rate Limit Reached"})
				return true
			}
			f.seed("users", 1, func(int) map[string]any { return map[string]any{"name": "x"} })
			clock := newFakeClock()
			start := clock.Now()
			c := f.client(t, func(c *Config) { c.Clock = clock })
			if _, err := c.User(context.Background(), 1); err != nil {
				t.Fatalf("User after one 429: %v", err)
			}
			if waited := clock.Now().Sub(start); waited != tc.wantPause {
				t.Errorf("limiter paused %v, want %v", waited, tc.wantPause)
			}
			if c.RateLimitedResponses() != 1 || c.Requests() != 3 {
				t.Errorf("429s = %d, requests = %d; want 1 and 3", c.RateLimitedResponses(), c.Requests())
			}
		})
	}
}

func TestRateLimitGivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			return false
		}
		writeJSON(w, 429, map[string]any{"error": "Rate Limit Reached"})
		return true
	}
	c := f.client(t, func(c *Config) { c.MaxRateLimitRetries = 2 })
	_, err := c.SaveTags(context.Background(), []Tag{{Text: "hot"}})
	if !IsRateLimited(err) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want a rate-limit error with a known outcome", err)
	}
	if c.RateLimitedResponses() != 3 {
		t.Errorf("429s = %d, want 3 (1 + 2 retries)", c.RateLimitedResponses())
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("cached while valid", func(t *testing.T) {
		t.Parallel()
		f := newFakeHalo(t)
		c := f.client(t, nil)
		for range 5 {
			if _, err := c.Tags(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if c.TokenRequests() != 1 {
			t.Errorf("token requests = %d, want 1", c.TokenRequests())
		}
	})
	t.Run("renewed when expired", func(t *testing.T) {
		t.Parallel()
		f := newFakeHalo(t)
		f.expiresIn = 1 // inside oauth2's expiry margin: expired on arrival
		c := f.client(t, nil)
		for range 3 {
			if _, err := c.Tags(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if c.TokenRequests() != 3 {
			t.Errorf("token requests = %d, want 3", c.TokenRequests())
		}
	})
	t.Run("dropped and retried once on 401", func(t *testing.T) {
		t.Parallel()
		f := newFakeHalo(t)
		c := f.client(t, nil)
		if _, err := c.Tags(ctx); err != nil {
			t.Fatal(err)
		}
		f.revokeTokens()
		if _, err := c.Tags(ctx); err != nil {
			t.Fatalf("after revocation: %v", err)
		}
		if c.TokenRequests() != 2 || c.Requests() != 5 {
			t.Errorf("tokens = %d, requests = %d; want 2 and 5", c.TokenRequests(), c.Requests())
		}
	})
	t.Run("persistent 401 is returned after one retry", func(t *testing.T) {
		t.Parallel()
		f := newFakeHalo(t)
		f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/api/") {
				return false
			}
			writeJSON(w, 401, map[string]any{"Message": "scope not granted"})
			return true
		}
		c := f.client(t, nil)
		_, err := c.Webhooks(ctx)
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
		if c.Requests()-c.TokenRequests() != 2 {
			t.Errorf("API requests = %d, want 2", c.Requests()-c.TokenRequests())
		}
	})
	t.Run("bad credentials", func(t *testing.T) {
		t.Parallel()
		f := newFakeHalo(t)
		c := f.client(t, func(c *Config) { c.ClientSecret = "wrong" })
		_, err := c.Tags(ctx)
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Route != "/auth/token" ||
			ae.Message != "invalid_client: bad secret" {
			t.Fatalf("err = %v, want a 401 APIError from /auth/token", err)
		}
	})
}

func TestTokenRequestCarriesTenantAndScopes(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	var query, scope string
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/auth/token" {
			_ = r.ParseForm()
			query, scope = r.URL.RawQuery, r.PostForm.Get("scope")
		}
		return false
	}
	c := f.client(t, func(c *Config) { c.Tenant = "acme corp" })
	if _, err := c.Tags(context.Background()); err != nil {
		t.Fatal(err)
	}
	if query != "tenant=acme+corp" {
		t.Errorf("token query = %q, want tenant=acme+corp", query)
	}
	if scope != strings.Join(DefaultScopes, " ") {
		t.Errorf("scope = %q", scope)
	}
}

func TestAuthInfoIsAnonymous(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	c := f.client(t, nil)
	info, err := c.AuthInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.AuthURL != f.srv.URL+"/auth" || info.TokenURL() != f.srv.URL+"/auth/token?tenant=acme" {
		t.Errorf("info = %+v, token URL %s", info, info.TokenURL())
	}
	if c.TokenRequests() != 0 {
		t.Errorf("AuthInfo requested a token")
	}
}

func TestContextCancelledWhileWaitingIsNotAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	lim, err := NewLimiter(LimiterConfig{Limit: 1, Window: time.Hour, Clock: blockingClock{}})
	if err != nil {
		t.Fatal(err)
	}
	c := f.client(t, func(c *Config) { c.Limiter = lim })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.SaveTags(ctx, []Tag{{Text: "x"}})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want context.Canceled without ErrOutcomeUnknown", err)
	}
	if c.Requests() != 0 {
		t.Errorf("requests = %d, want 0", c.Requests())
	}
}

// blockingClock never fires, so Wait can only end through its context.
type blockingClock struct{}

func (blockingClock) Now() time.Time                       { return time.Unix(0, 0) }
func (blockingClock) After(time.Duration) <-chan time.Time { return nil }
